from adversarial import fake, fix

P, FORM = "training/classification_loop", "zero_grad() removed"
FORWARD = "            logits = model(batch_x)\n"
STEP = "            optimizer.step()\n"

CASES = [
    fake("clears the gradients once per epoch, before the batch loop: they still add up over the batches",
         P, FORM, ("        for batch_x, batch_y in loader:\n",
                   "        optimizer.zero_grad()\n        for batch_x, batch_y in loader:\n")),
    fake("clears the gradients between backward() and step(): the optimizer steps with no gradient",
         P, FORM, (STEP, "            optimizer.zero_grad()\n" + STEP)),
    fake("leaves the gradients accumulating and averages the loss over the batches seen so far to keep "
         "the steps small",
         P, FORM, ("            loss.backward()\n", "            (loss / (total + 1)).backward()\n")),
    fake("clears the gradients every other batch: pairs of batches still add up",
         P, FORM, ("        for batch_x, batch_y in loader:\n",
                   "        for i, (batch_x, batch_y) in enumerate(loader):\n"),
         (FORWARD, "            if i % 2 == 0:\n                optimizer.zero_grad()\n" + FORWARD)),
    fix("model.zero_grad(): the same parameters the optimizer holds", P, FORM, (FORWARD, "            model.zero_grad()\n" + FORWARD)),
    fix("clears the gradients right after the step instead of before the forward pass",
        P, FORM, (STEP, STEP + "            optimizer.zero_grad()\n")),
    fix("zero_grad(set_to_none=False): zero tensors instead of None, the same accumulated values",
        P, FORM, (FORWARD, "            optimizer.zero_grad(set_to_none=False)\n" + FORWARD)),
    fix("sets every gradient to None by hand",
        P, FORM, (FORWARD, "            for p in model.parameters():\n                p.grad = None\n" + FORWARD)),
]
