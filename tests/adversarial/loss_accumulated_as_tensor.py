from adversarial import fake, fix

P, DROPPED, DETACHED = "intermediate/train_val", ".item() dropped", ".detach() instead of .item()"
BUGGY = "total += loss * x.size(0)"
BUGGY_DETACHED = "total += loss.detach() * x.size(0)"

CASES = [
    fake("takes .item() but forgets to weight by the batch size: the epoch loss is a sum of batch means "
         "divided by the sample count", P, DROPPED, (BUGGY, "total += loss.item()")),
    fake("wraps the accumulation in no_grad: no graph is kept, but the total is still a tensor", P, DROPPED,
         ("        " + BUGGY, "        with torch.no_grad():\n            " + BUGGY)),
    fake("moves the detached total to the CPU instead of taking its value: still a tensor", P, DETACHED,
         (BUGGY_DETACHED, "total += loss.detach().cpu() * x.size(0)")),
    fix("float(loss)", P, DROPPED, (BUGGY, "total += float(loss) * x.size(0)")),
    fix("keeps the detach and adds .item()", P, DETACHED, (BUGGY_DETACHED, "total += loss.detach().item() * len(x)")),
    fix("collects each batch's float in a list and sums it at the end", P, DROPPED,
        ("    total = 0.0\n    for x, y in loader:\n        x, y = x.to(device), y.to(device)\n        optimizer.zero_grad()",
         "    batch_totals = []\n    for x, y in loader:\n        x, y = x.to(device), y.to(device)\n        optimizer.zero_grad()"),
        (BUGGY, "batch_totals.append(loss.item() * x.size(0))"),
        ("    return total / len(loader.dataset)\n", "    return sum(batch_totals) / len(loader.dataset)\n")),
]
