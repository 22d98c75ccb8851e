from adversarial import fake, fix

P, FORM = "intermediate/backbone_head", "eval() removed"
DOC = '    """Accuracy with BatchNorm\'s running statistics."""\n'
CALL = "        accuracies.append(evaluate(model, val_loader, device))"

CASES = [
    fake("switches to eval mode only for the last epoch's validation: earlier epochs still "
         "validate with batch statistics and move the running averages",
         P, FORM, (CALL, "        if epoch == epochs - 1:\n            model.eval()\n" + CALL)),
    fake("calls model.eval() at the end of evaluate(), after the batches went through in training mode",
         P, FORM, ("    return correct / len(loader.dataset)",
                   "    model.eval()\n    return correct / len(loader.dataset)")),
    fake("turns off running statistics so train and eval behave alike: BatchNorm always uses the "
         "batch statistics and keeps no running_mean",
         P, FORM, ("self.bn = nn.BatchNorm1d(hidden)", "self.bn = nn.BatchNorm1d(hidden, track_running_stats=False)")),
    fix("model.train(False) is model.eval()", P, FORM, (DOC, DOC + "    model.train(False)\n")),
    fix("puts the model in eval mode in the caller, right before evaluate()",
        P, FORM, (CALL, "        model.eval()\n" + CALL)),
]
