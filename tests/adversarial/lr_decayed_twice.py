from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "every param group's lr also decayed by hand after scheduler.step()"
STEP = "        scheduler.step()  # once per epoch\n"
MANUAL = "        for group in optimizer.param_groups:\n            group[\"lr\"] *= 0.5\n"
STEPLR = "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)"

CASES = [
    fake("removes scheduler.step() and keeps the manual decay: the rate halves every epoch instead of every two",
         P, FORM, (STEP + MANUAL, MANUAL)),
    fake("keeps both and softens the manual factor to sqrt(0.5)",
         P, FORM, (MANUAL, MANUAL.replace("*= 0.5", "*= 0.5 ** 0.5"))),
    fake("moves the manual decay before scheduler.step(): still two decays",
         P, FORM, (STEP + MANUAL, MANUAL + STEP)),
    fix("keeps the manual decay, every second epoch, and drops the scheduler's step",
        P, FORM, (STEP + MANUAL, "        if epoch % 2 == 1:\n"
                                 "            for group in optimizer.param_groups:\n"
                                 "                group[\"lr\"] *= 0.5\n")),
    fix("drops the manual decay and uses MultiStepLR with milestones every two epochs",
        P, FORM, (MANUAL, ""),
        (STEPLR, "scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 4, 6], gamma=0.5)")),
    fix("drops the manual decay and writes the schedule as a LambdaLR",
        P, FORM, (MANUAL, ""),
        (STEPLR, "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: 0.5 ** (e // 2))")),
]
