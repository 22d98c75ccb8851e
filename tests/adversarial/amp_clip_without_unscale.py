from adversarial import fake, fix

P, FORM = "advanced/mixed_precision", "scaler.unscale_ removed before clipping"
CLIP = "            nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
STEP = "            scaler.step(optimizer)  # skipped if a gradient overflowed to inf/NaN\n"

CASES = [
    fake("moves the clipping after scaler.step, where the gradients are unscaled but already applied",
         P, FORM, (CLIP, ""), (STEP, STEP + CLIP)),
    fake("drops the clipping: the scaled norm no longer shrinks every step, but large true gradients "
         "are no longer clipped either", P, FORM, (CLIP, "")),
    fake("divides the gradients by the scale by hand before clipping: scaler.step divides them again",
         P, FORM, (CLIP, "            for p in model.parameters():\n"
                         "                p.grad /= scaler.get_scale()\n" + CLIP)),
    fix("unscales right before clipping, with the keyword spelling of clip_grad_norm_", P, FORM,
        (CLIP, "            scaler.unscale_(optimizer)\n"
               "            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)\n")),
    fix("unscales in a small helper that also clips", P, FORM,
        ("def train(", "def unscale_and_clip(scaler, optimizer, params, max_norm):\n"
                       "    scaler.unscale_(optimizer)\n"
                       "    return nn.utils.clip_grad_norm_(params, max_norm)\n\n\ndef train("),
        (CLIP, "            unscale_and_clip(scaler, optimizer, model.parameters(), max_norm)\n")),
    fix("clips the scaled gradients against a threshold scaled the same way (the scale is a power of two, "
        "so the clip factor is the same); scaler.step unscales", P, FORM,
        (CLIP, "            nn.utils.clip_grad_norm_(model.parameters(), max_norm * scaler.get_scale())\n")),
]
