from adversarial import fake, fix

P, FORM = "intermediate/train_val", "eval() removed"
DOC = '    """Returns (average loss, accuracy) over the whole loader."""\n'
CALL = "        val_loss, val_acc = validate(model, val_loader, criterion, device)"

CASES = [
    fake("removes the Dropout layer so validation no longer varies: training loses its regularisation",
         P, FORM, ("nn.Linear(8, 32), nn.ReLU(), nn.Dropout(p=0.5), nn.Linear(32, 2)",
                   "nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2)")),
    fake("calls model.eval() once before the epoch loop: train_one_epoch() switches back to training "
         "mode, so every validation still runs Dropout",
         P, FORM, ("    history = []\n", "    model.eval()\n    history = []\n")),
    fake("calls model.eval() at the end of validate(), after the batches were measured with Dropout on",
         P, FORM, ("    n = len(loader.dataset)\n", "    model.eval()\n    n = len(loader.dataset)\n")),
    fix("model.train(False) at the top of validate()", P, FORM, (DOC, DOC + "    model.train(False)\n")),
    fix("switches to eval mode in the caller, right before validate()",
        P, FORM, (CALL, "        model.eval()\n" + CALL)),
    fix("switches to eval mode at the end of train_one_epoch(), which is always followed by validation",
        P, FORM, ("    return total / len(loader.dataset)\n",
                  "    model.eval()\n    return total / len(loader.dataset)\n")),
]
