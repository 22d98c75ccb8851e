from adversarial import fake, fix

P, FORM = "training/regression_loop", ".item() dropped from the running metric"
BUGGY = "            total_error += (pred - y).abs().sum()\n"
EPOCH = "        history.append(total_error / len(loader.dataset))\n"
EPOCH_ITEM = "        history.append(total_error.item() / len(loader.dataset))\n"

CASES = [
    fake("detach() instead of item(): no graph kept, but the total is still a tensor",
         P, FORM, (BUGGY, "            total_error += (pred - y).abs().sum().detach()\n")),
    fake("spells the sum out: total = total + tensor keeps the graphs just the same",
         P, FORM, (BUGGY, "            total_error = total_error + (pred - y).abs().sum()\n")),
    fake("takes the number out of the predictions, not the error: the targets' tensor still joins in",
         P, FORM, (BUGGY, "            total_error += (pred.detach() - y).abs().sum()\n")),
    fake("takes item() once per epoch: the numbers are right, but every batch's graph is held until then",
         P, FORM, (EPOCH, EPOCH_ITEM)),
    fix("sums the detached errors and takes item() once per epoch (one sync per epoch, no graph kept)",
        P, FORM, (BUGGY, "            total_error += (pred - y).abs().sum().detach()\n"), (EPOCH, EPOCH_ITEM)),
    fix("float() of the batch's error", P, FORM, (BUGGY, "            total_error += float((pred - y).abs().sum())\n")),
    fix("tolist() of a 0-d tensor is a Python number too",
        P, FORM, (BUGGY, "            total_error += (pred - y).abs().sum().tolist()\n")),
    fix("computes the error under no_grad and takes item() there",
        P, FORM, (BUGGY, "            with torch.no_grad():\n                total_error += (pred - y).abs().sum().item()\n")),
]
