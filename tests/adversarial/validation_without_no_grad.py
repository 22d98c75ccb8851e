from adversarial import fake, fix

P, FORM = "intermediate/train_val", "with torch.no_grad() removed"
LOOP = ("    for x, y in loader:\n        x, y = x.to(device), y.to(device)\n        logits = model(x)\n"
        "        total += criterion(logits, y).item() * x.size(0)\n"
        "        correct += (logits.argmax(dim=1) == y).sum().item()\n")


def indented(head):
    return (LOOP, head + "".join("    " + line + "\n" for line in LOOP.splitlines()))


DEF = "def validate(model, loader, criterion, device):\n"

CASES = [
    fake("detaches the logits: the forward pass still builds the autograd graph, then drops it",
         P, FORM, ("        logits = model(x)\n", "        logits = model(x).detach()\n")),
    fake("torch.set_grad_enabled(False) as a plain call: validation is fine, but gradients stay off "
         "for the next epoch's training",
         P, FORM, (DEF, DEF + "    torch.set_grad_enabled(False)\n")),
    fake("no_grad() only around the accuracy: the loss is still computed from a forward pass with a graph",
         P, FORM, ("        correct += (logits.argmax(dim=1) == y).sum().item()\n",
                   "        with torch.no_grad():\n            correct += (logits.argmax(dim=1) == y).sum().item()\n")),
    fix("@torch.no_grad() on validate()", P, FORM, (DEF, "@torch.no_grad()\n" + DEF)),
    fix("torch.inference_mode() around the loop", P, FORM, indented("    with torch.inference_mode():\n")),
    fix("with torch.set_grad_enabled(False)", P, FORM, indented("    with torch.set_grad_enabled(False):\n")),
    # No graph is built and every value is the same, but validation still runs with gradient mode on:
    # principle 8 asks for the reference's modes, and the class is about the mode (its verdict says so).
    fake("turns off requires_grad on the parameters during validation and back on after it, gradient mode stays on",
         P, FORM, (DEF, DEF + "    model.requires_grad_(False)\n"),
         ("    n = len(loader.dataset)\n", "    model.requires_grad_(True)\n    n = len(loader.dataset)\n")),
]
