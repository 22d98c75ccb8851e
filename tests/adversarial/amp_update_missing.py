from adversarial import fake, fix

P, FORM = "advanced/mixed_precision", "scaler.update() removed"
STEP = "            scaler.step(optimizer)  # skipped if a gradient overflowed to inf/NaN\n"
ZERO = "            optimizer.zero_grad()\n"

CASES = [
    fake("makes a fresh GradScaler every iteration: no stale state, but the scale never shrinks after an "
         "overflow", P, FORM, (ZERO, ZERO + "            scaler = torch.amp.GradScaler(device.type)\n")),
    fake("calls update() before step(): the state is reset, so step() unscales the gradients a second time",
         P, FORM, (STEP, "            scaler.update()\n" + STEP)),
    fake("switches the scaler off, so no update is needed", P, FORM,
         ("enabled=device.type == \"cuda\")", "enabled=False)")),
    fix("update() a few lines later, after logging the loss but before reading the scale", P, FORM,
        ("            total += loss.item() * x.size(0)\n",
         "            total += loss.item() * x.size(0)\n            scaler.update()\n")),
    fix("a helper that steps and updates together", P, FORM,
        ("def train(", "def scaler_step(scaler, optimizer):\n    scaler.step(optimizer)\n    scaler.update()\n\n\ndef train("),
        (STEP, "            scaler_step(scaler, optimizer)\n")),
]
