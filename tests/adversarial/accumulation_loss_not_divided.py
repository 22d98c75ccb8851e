from adversarial import fake, fix

P = "advanced/clip_and_accumulate"
REMOVED, AFTER = "division removed", "division after backward()"
LOSS = "loss = criterion(model(x), y)"
BACKWARD = "            loss.backward()\n"
CLIP = "                norm = nn.utils.clip_grad_norm_("

CASES = [
    fake("divides the loss where it is computed, so the logged epoch loss is divided by accum_steps too",
         P, REMOVED, (LOSS, "loss = criterion(model(x), y) / accum_steps")),
    fake("divides the learning rate by accum_steps instead: the same SGD step without clipping, but "
         "clipping and the returned norms see the undivided sum",
         P, REMOVED, ("lr=0.05,", "lr=0.05 / accum_steps,")),
    fake("keeps the division after backward() and divides the clipping threshold instead",
         P, AFTER, ("max_norm=max_norm)", "max_norm=max_norm / accum_steps)")),
    fix("divides inside the backward call", P, REMOVED,
        (BACKWARD, "            (loss / accum_steps).backward()\n")),
    fix("divides the summed gradients once, right before clipping", P, REMOVED,
        (CLIP, "                for p in model.parameters():\n"
               "                    p.grad /= accum_steps\n" + CLIP)),
    fix("moves the division back before backward(), as an in-place /=", P, AFTER,
        ("            loss.backward()\n            loss = loss / accum_steps  # combine the terms\n",
         "            loss /= accum_steps\n            loss.backward()\n")),
]
