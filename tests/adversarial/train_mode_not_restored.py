from adversarial import fake, fix

P, FORM = "intermediate/train_val", "model.train() removed"
DEF = "def train_one_epoch(model, loader, criterion, optimizer, device):\n"
CALL = "        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)\n"

CASES = [
    fake("model.train() once before the epoch loop: from the second epoch on, training runs in eval mode",
         P, FORM, ("    history = []\n", "    model.train()\n    history = []\n")),
    fake("sets model.training = True: only the Sequential's own flag, its Dropout stays in eval mode",
         P, FORM, (DEF, DEF + "    model.training = True\n")),
    fake("removes model.eval() from validate() so the mode never changes: validation now runs Dropout",
         P, FORM, ('    """Returns (average loss, accuracy) over the whole loader."""\n    model.eval()\n',
                   '    """Returns (average loss, accuracy) over the whole loader."""\n')),
    fix("model.train(True) at the top of train_one_epoch()", P, FORM, (DEF, DEF + "    model.train(True)\n")),
    fix("restores training mode in the caller, before each epoch's training",
        P, FORM, (CALL, "        model.train()\n" + CALL)),
    fix("restores training mode at the end of validate(), after measuring",
        P, FORM, ("    n = len(loader.dataset)\n", "    model.train()\n    n = len(loader.dataset)\n")),
    fix("sets the training flag on every submodule by hand, which is what train() does",
        P, FORM, (DEF, DEF + "    for module in model.modules():\n        module.training = True\n")),
]
