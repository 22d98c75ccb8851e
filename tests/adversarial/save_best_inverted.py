from adversarial import fake, fix

P, FORM = "intermediate/checkpoint_best", "comparison flipped"
BUGGY = "            if val_acc < best_acc:\n"

CASES = [
    fake(">=: also saves on a tie, so a later epoch with the same accuracy replaces the best",
         P, FORM, (BUGGY, "            if val_acc >= best_acc:\n")),
    fake("drops the comparison and saves every epoch: the 'best' is the last",
         P, FORM, (BUGGY, "            if True:\n")),
    fake("keeps the flipped comparison and forces a save on the first epoch so the checkpoint exists",
         P, FORM, (BUGGY, "            if val_acc < best_acc or epoch == 0:\n")),
    fix("the operands swapped along with the operator", P, FORM, (BUGGY, "            if best_acc < val_acc:\n")),
    fix("not <=, the same for accuracies (never NaN)", P, FORM, (BUGGY, "            if not val_acc <= best_acc:\n")),
    fix("compares the error rates: lower error is higher accuracy",
        P, FORM, (BUGGY, "            if 1.0 - val_acc < 1.0 - best_acc:\n")),
]
