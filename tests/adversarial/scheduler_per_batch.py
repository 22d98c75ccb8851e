from adversarial import fake, fix

P, FORM = "training/classification_loop", "scheduler.step() at the end of the batch loop"
BUGGY = "            scheduler.step()  # take a step\n"
APPEND = "        history.append(total / len(loader.dataset))\n"
STEPLR = "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)"

CASES = [
    fake("removes the scheduler step: the rate never decays",
         P, FORM, (BUGGY, "")),
    fake("steps once per epoch, but before the batches: the first epoch already runs at half the rate",
         P, FORM, (BUGGY, ""), ("        for batch_x, batch_y in loader:\n",
                                "        scheduler.step()\n        for batch_x, batch_y in loader:\n")),
    fake("keeps stepping per batch with gamma spread over the batches: the same decay per epoch, "
         "but the rate now falls within each epoch",
         P, FORM, (STEPLR, "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5 ** (1 / len(loader)))")),
    fix("keeps the step in the batch loop but takes it on the epoch's last batch only",
        P, FORM, ("        for batch_x, batch_y in loader:\n",
                  "        for i, (batch_x, batch_y) in enumerate(loader):\n"),
        (BUGGY, "            if i == len(loader) - 1:\n                scheduler.step()\n")),
    fake("steps on the first batch of every epoch instead of after the last: each epoch starts decayed",
         P, FORM, ("        for batch_x, batch_y in loader:\n",
                   "        for i, (batch_x, batch_y) in enumerate(loader):\n"),
         (BUGGY, "            if i == 0:\n                scheduler.step()\n")),
    fix("steps once per epoch, after recording the epoch's loss",
        P, FORM, (BUGGY, ""), (APPEND, APPEND + "        scheduler.step()\n")),
    fix("keeps the per-batch step and sets step_size to the number of batches: the rate halves exactly "
        "at each epoch boundary",
        P, FORM, (STEPLR, "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=len(loader), gamma=0.5)")),
    fix("ExponentialLR(gamma=0.5) stepped once per epoch: the same rates as StepLR(step_size=1)",
        P, FORM, (BUGGY, ""), (APPEND, APPEND + "        scheduler.step()\n"),
        (STEPLR, "scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)")),
]
