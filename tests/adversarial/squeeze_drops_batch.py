from adversarial import fake, fix

P, FORM = "data/feature_maps", "squeeze() without a dim"
BUGGY = "    best = scores[:, 1:].squeeze()  # reshape\n"

CASES = [
    fake("squeeze(0): keeps the batch of one, but leaves (N, 1) for every larger batch",
         P, FORM, (BUGGY, "    best = scores[:, 1:].squeeze(0)\n")),
    fake("takes column 0 instead, which has the right shape: the mean score, not the peak",
         P, FORM, (BUGGY, "    best = scores[:, 0]\n")),
    fake("flattens the (N, 2) scores and keeps the first N entries: shape (N,), but mean and peak scores "
         "of different samples mixed",
         P, FORM, (BUGGY, "    best = scores.reshape(-1)[: scores.size(0)]\n")),
    fix("integer indexing drops just that dim", P, FORM, (BUGGY, "    best = scores[:, 1]\n")),
    fix("squeeze the last dim", P, FORM, (BUGGY, "    best = scores[:, 1:].squeeze(-1)\n")),
    fix("squeeze everything, then make sure there is at least one dim",
        P, FORM, (BUGGY, "    best = torch.atleast_1d(scores[:, 1:].squeeze())\n")),
    fix("every second entry of the flattened (N, 2) scores is the peak column",
        P, FORM, (BUGGY, "    best = scores.view(-1)[1::2]\n")),
    fix("flatten the (N, 1) column", P, FORM, (BUGGY, "    best = scores[:, 1:].flatten()\n")),
]
