from adversarial import fake, fix

P = "advanced/clip_and_accumulate"
EVERY, BEFORE = "zero_grad() on every micro-batch", "zero_grad() right before backward()"
ZERO = "            optimizer.zero_grad()  # reset the gradients\n"
STEP = "                optimizer.step()\n"

CASES = [
    fake("steps after every micro-batch, so no gradient is lost, but the groups are gone",
         P, EVERY, ("if (i + 1) % accum_steps == 0 or i + 1 == len(loader):", "if True:")),
    fake("zeroes only at the start of each epoch: the groups of one epoch pile up into each other",
         P, EVERY, (ZERO, "            if i == 0:\n                optimizer.zero_grad()\n")),
    fake("thinks None gradients were the trouble: zeroes with set_to_none=False, still on every batch",
         P, BEFORE, ("optimizer.zero_grad()  # reset the gradients\n            loss.backward()",
                     "optimizer.zero_grad(set_to_none=False)\n            loss.backward()")),
    fix("zeroes right after each optimizer step instead of at the start of each group",
        P, EVERY, (ZERO, ""), (STEP, STEP + "                optimizer.zero_grad()\n")),
    fix("model.zero_grad() at the start of each group (the optimizer holds every parameter)",
        P, BEFORE, ("            optimizer.zero_grad()  # reset the gradients\n            loss.backward()",
                    "            loss.backward()"),
        ("            loss = criterion(model(x), y)\n",
         "            if i % accum_steps == 0:\n                model.zero_grad()\n"
         "            loss = criterion(model(x), y)\n")),
    fix("sets every .grad to None by hand at the start of each group", P, EVERY,
        (ZERO, "            if i % accum_steps == 0:\n                for p in model.parameters():\n"
               "                    p.grad = None\n")),
]
