from adversarial import fake, fix

P, FORM = "advanced/gan", ".detach() dropped before the second model"
BUGGY = "            loss_d = criterion(discriminator(real), ones) + criterion(discriminator(fake), zeros)\n"

CASES = [
    fake("keeps the graph with retain_graph=True: the error is gone, but the discriminator's loss still "
         "puts gradients into the generator",
         P, FORM, ("            loss_d.backward()\n", "            loss_d.backward(retain_graph=True)\n")),
    fake("detaches the fakes where they are made: the discriminator is right, but the generator never learns",
         P, FORM, ("device=device))\n\n", "device=device)).detach()\n\n")),
    fake("detaches the generator's fakes instead of the discriminator's",
         P, FORM, ("            loss_g = criterion(discriminator(fake), ones)\n",
                   "            loss_g = criterion(discriminator(fake.detach()), ones)\n")),
    fix("fake.data: the same values with no graph behind them",
        P, FORM, (BUGGY, BUGGY.replace("discriminator(fake)", "discriminator(fake.data)"))),
    fix("a detached copy under its own name, made before the discriminator step",
        P, FORM, ("            optimizer_d.zero_grad()\n",
                  "            fake_d = fake.detach()\n            optimizer_d.zero_grad()\n"),
        (BUGGY, BUGGY.replace("discriminator(fake)", "discriminator(fake_d)"))),
]
