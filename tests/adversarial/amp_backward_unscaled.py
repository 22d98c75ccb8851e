from adversarial import fake, fix

P, FORM = "advanced/mixed_precision", "loss.backward() without scaler.scale"
BACKWARD = "            loss.backward()  # backpropagate\n"

CASES = [
    fake("switches the scaler off so that the unscaled backward() is consistent: float16 gradients are no "
         "longer protected against underflow, overflowed steps are applied, and the scale reads 1",
         P, FORM, ("enabled=device.type == \"cuda\")", "enabled=False)")),
    fake("calls scaler.scale(loss) to silence the assertion but still runs backward() on the unscaled loss: "
         "the gradients are divided by a scale they were never multiplied by",
         P, FORM, (BACKWARD, "            scaler.scale(loss)\n            loss.backward()\n")),
    fake("multiplies the loss by the initial scale by hand and calls scaler.scale on the side: right until "
         "the scale changes after an overflow",
         P, FORM, (BACKWARD, "            scaler.scale(loss)\n            (loss * 65536.0).backward()\n")),
    fix("keeps the scaled loss in a variable, then calls backward() on it", P, FORM,
        (BACKWARD, "            scaled_loss = scaler.scale(loss)\n            scaled_loss.backward()\n")),
    fix("torch.autograd.backward on the scaled loss", P, FORM,
        (BACKWARD, "            torch.autograd.backward(scaler.scale(loss))\n")),
]
