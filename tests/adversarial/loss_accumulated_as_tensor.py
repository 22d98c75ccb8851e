from adversarial import fake, fix

P, DROPPED, DETACHED = "intermediate/train_val", ".item() dropped", ".detach() instead of .item()"
BUGGY = "total += loss * x.size(0)"
BUGGY_DETACHED = "total += loss.detach() * x.size(0)"
RETURN = "    return total / len(loader.dataset)\n"
RETURN_ITEM = "    return total.item() / len(loader.dataset)\n"

CASES = [
    fake("takes .item() but forgets to weight by the batch size: the epoch loss is a sum of batch means "
         "divided by the sample count", P, DROPPED, (BUGGY, "total += loss.item()")),
    fake("wraps the accumulation in no_grad: no graph is kept, but the total is still a tensor", P, DROPPED,
         ("        " + BUGGY, "        with torch.no_grad():\n            " + BUGGY)),
    fake("moves the detached total to the CPU instead of taking its value: still a tensor", P, DETACHED,
         (BUGGY_DETACHED, "total += loss.detach().cpu() * x.size(0)")),
    fake("takes item() of the total once, at the end of the epoch: the number is right, but every "
         "batch's graph is held until then", P, DROPPED, (RETURN, RETURN_ITEM)),
    fix("accumulates the detached loss and takes item() once per epoch (one sync per epoch, no graph kept)",
        P, DROPPED, (BUGGY, BUGGY_DETACHED), (RETURN, RETURN_ITEM)),
    fix("takes item() and keeps the last batch's loss tensor for a log line", P, DROPPED,
        (BUGGY, "total += loss.item() * x.size(0)\n        last_loss = loss  # for a log line")),
    fix("float(loss)", P, DROPPED, (BUGGY, "total += float(loss) * x.size(0)")),
    fix("keeps the detach and adds .item()", P, DETACHED, (BUGGY_DETACHED, "total += loss.detach().item() * len(x)")),
    fix("collects each batch's float in a list and sums it at the end", P, DROPPED,
        ("    total = 0.0\n    for x, y in loader:\n        x, y = x.to(device), y.to(device)\n        optimizer.zero_grad()",
         "    batch_totals = []\n    for x, y in loader:\n        x, y = x.to(device), y.to(device)\n        optimizer.zero_grad()"),
        (BUGGY, "batch_totals.append(loss.item() * x.size(0))"),
        ("    return total / len(loader.dataset)\n", "    return sum(batch_totals) / len(loader.dataset)\n")),
]
