from adversarial import fake, fix

P, FORM = "training/regression_loop", ".flatten() removed before the loss"
BUGGY = "            pred = model(x)  # compute it\n"
LOSS = "            loss = criterion(pred, y)\n"
MOVED = "            x, y = x.to(device), y.to(device)\n"

CASES = [
    fake("flattens the targets, which were already (N,): the predictions stay (N, 1)",
         P, FORM, (LOSS, "            loss = criterion(pred, y.view(-1))\n")),
    fake("squeezes inside the loss call only: the running error still broadcasts to (N, N)",
         P, FORM, (LOSS, "            loss = criterion(pred.squeeze(1), y)\n")),
    fake("expands the targets to the predictions' shape: (N,) -> (N, N) on purpose, the same wrong pairs",
         P, FORM, (LOSS, "            loss = criterion(pred.expand(-1, y.size(0)), y.expand(y.size(0), -1))\n")),
    fix("view(-1) on the predictions", P, FORM, (BUGGY, "            pred = model(x).view(-1)\n")),
    fix("the first column by indexing", P, FORM, (BUGGY, "            pred = model(x)[:, 0]\n")),
    fix("lifts the targets to (N, 1) instead",
        P, FORM, (MOVED, MOVED + "            y = y.unsqueeze(1)\n")),
]
