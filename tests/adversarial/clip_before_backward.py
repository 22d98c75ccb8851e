from adversarial import fake, fix

P, BEFORE, AFTER = "advanced/clip_and_accumulate", "clip before backward()", "clip after step()"
CLIP = "            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)\n"
BACKWARD = "            loss.backward()\n"
STEP = "                optimizer.step()\n"
LATE_CLIP = "                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)\n"
AMP = "advanced/mixed_precision"
AMP_CLIP = "            nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
AMP_BACKWARD = "            scaler.scale(loss).backward()  # backward of loss * scale: no float16 underflow\n"
AMP_UNSCALE = "            scaler.unscale_(optimizer)  # true gradients, before clipping reads them\n"

CASES = [
    fake("clips right after every micro-batch's backward(): the partial sums are clipped, not the group's",
         P, BEFORE, (CLIP, ""), (BACKWARD, BACKWARD + CLIP)),
    fake("keeps the clip after step() but logs the norm before step() by hand: the returned norms are "
         "right, the step is unclipped", P, AFTER,
         (STEP, "                pre = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))\n"
                + STEP),
         ("grad_norms.append(norm.item())", "grad_norms.append(pre.item())")),
    fake("measures the norm before step() with max_norm=inf: the logged norms are right, nothing is clipped",
         P, AFTER, (STEP + LATE_CLIP, LATE_CLIP.replace("max_norm=max_norm", "max_norm=float('inf')") + STEP)),
    fake("in the mixed-precision loop, clips after backward() but before unscale_: the scaled gradients",
         AMP, BEFORE, (AMP_CLIP, ""), (AMP_BACKWARD, AMP_BACKWARD + AMP_CLIP)),
    fix("moves the clip into the step branch, spelled torch.nn.utils with a positional max_norm",
        P, BEFORE, (CLIP, ""), (STEP, "                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n" + STEP)),
    fix("clips by hand as clip_grad_norm_ does: total 2-norm, factor max_norm / (norm + 1e-6) capped at 1",
        P, AFTER, (STEP + LATE_CLIP,
                   "                norm = torch.linalg.vector_norm(\n"
                   "                    torch.stack([torch.linalg.vector_norm(p.grad) for p in model.parameters()]))\n"
                   "                factor = torch.clamp(max_norm / (norm + 1e-6), max=1.0)\n"
                   "                for p in model.parameters():\n"
                   "                    p.grad.mul_(factor)\n" + STEP)),
    fix("in the mixed-precision loop, clips after unscale_ with the parameters listed first", AMP, BEFORE,
        (AMP_CLIP, ""), (AMP_UNSCALE, AMP_UNSCALE + "            params = list(model.parameters())\n"
                                                    "            nn.utils.clip_grad_norm_(params, max_norm=max_norm)\n")),
]
