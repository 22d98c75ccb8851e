from adversarial import fake, fix

P, FORM = "training/classification_loop", "step() before backward()"
BUGGY = "            optimizer.step()\n            loss.backward()\n"
LOOP = "        for batch_x, batch_y in loader:\n"

CASES = [
    fake("moves the step to the top of the loop, before zero_grad(): every step applies the previous "
         "batch's gradients, and the last batch's are never applied",
         P, FORM, (BUGGY, "            loss.backward()\n"),
         (LOOP, LOOP + "            optimizer.step()\n")),
    fake("deletes the misplaced step: the gradients are computed and never used",
         P, FORM, (BUGGY, "            loss.backward()\n")),
    fake("steps once per epoch, next to the scheduler: only the last batch's gradients are applied",
         P, FORM, (BUGGY, "            loss.backward()\n"),
         ("        scheduler.step()", "        optimizer.step()\n        scheduler.step()")),
    fix("backward, record the loss, then step", P, FORM,
        (BUGGY, "            loss.backward()\n"),
        ("            total += loss.item() * batch_x.size(0)\n",
         "            total += loss.item() * batch_x.size(0)\n            optimizer.step()\n")),
    fix("adds a step after backward() and leaves the early one: right after zero_grad() every gradient "
        "is None, so Adam skips every parameter in that first call",
        P, FORM, (BUGGY, BUGGY + "            optimizer.step()\n")),
    fix("torch.autograd.backward(loss), then the step",
        P, FORM, (BUGGY, "            torch.autograd.backward(loss)\n            optimizer.step()\n")),
]
