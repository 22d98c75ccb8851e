from adversarial import fake, fix

P, FORM = "advanced/mixed_precision", "optimizer.step() instead of scaler.step"
STEP = "            optimizer.step()  # take a step\n"
SCALER = "scaler = torch.amp.GradScaler(device.type, enabled=device.type == \"cuda\")"

CASES = [
    fake("switches the scaler off, so optimizer.step() is the right call again: float16 without loss "
         "scaling, and the scale reads 1",
         P, FORM, (SCALER, "scaler = torch.amp.GradScaler(device.type, enabled=False)")),
    fake("starts the scale at 1 so that nothing overflows: the direct step is harmless, but the scale and "
         "the float16 gradients are not the reference's",
         P, FORM, (SCALER, "scaler = torch.amp.GradScaler(device.type, init_scale=1.0, enabled=device.type == \"cuda\")")),
    fake("steps through the scaler and then directly as well", P, FORM,
         (STEP, "            scaler.step(optimizer)\n            optimizer.step()\n")),
    fix("scaler.step with the optimizer as a keyword argument", P, FORM,
        (STEP, "            scaler.step(optimizer=optimizer)\n")),
    fix("does what scaler.step does by hand: steps only when every (clipped) gradient is finite", P, FORM,
        (STEP, "            if all(torch.isfinite(p.grad).all() for p in model.parameters()):\n"
               "                optimizer.step()\n")),
]
