from adversarial import fake, fix

P, FORM = "advanced/mixed_precision", "scaler.unscale_ twice"
TWICE = ("            scaler.unscale_(optimizer)  # true gradients, before clipping reads them\n"
         "            scaler.unscale_(optimizer)  # true gradients, before clipping reads them\n")
CLIP = "            nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"

CASES = [
    fake("removes both unscale_ calls: clipping then reads the scaled gradients", P, FORM, (TWICE, "")),
    fake("calls scaler.update() between the two so the second one is allowed: the gradients are divided "
         "twice and the scale is updated twice", P, FORM,
         (TWICE, "            scaler.unscale_(optimizer)\n            scaler.update()\n"
                 "            scaler.unscale_(optimizer)\n")),
    fake("replaces the second unscale_ by a manual division by the scale", P, FORM,
         (TWICE, "            scaler.unscale_(optimizer)\n            for p in model.parameters():\n"
                 "                p.grad.div_(scaler.get_scale())\n")),
    fix("deletes one of the two calls", P, FORM,
        (TWICE, "            scaler.unscale_(optimizer)\n")),
    fix("keeps one unscale_, moved right above the clip, after a blank line and a comment", P, FORM,
        (TWICE, "\n"), (CLIP, "            # unscale once, just before the first code that reads the gradients\n"
                              "            scaler.unscale_(optimizer)\n" + CLIP)),
    fix("guards the second call with try/except: GradScaler refuses it before touching the gradients", P, FORM,
        (TWICE, "            scaler.unscale_(optimizer)\n            try:\n"
                "                scaler.unscale_(optimizer)\n            except RuntimeError:\n"
                "                pass\n")),
]
