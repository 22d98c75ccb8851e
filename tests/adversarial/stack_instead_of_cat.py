from adversarial import fake, fix

P, FORM = "data/feature_maps", "torch.cat instead of torch.stack"
BUGGY = "    return torch.cat([mean, peak], dim=1)\n"

CASES = [
    fake("reshapes the (N, 2F) concatenation to (N, F, 2): the pairs land on the wrong dims",
         P, FORM, (BUGGY, "    return torch.cat([mean, peak], dim=1).view(-1, mean.size(1), 2)\n")),
    fake("stacks on the last dim: (N, F, 2) instead of (N, 2, F)",
         P, FORM, (BUGGY, "    return torch.stack([mean, peak], dim=2)\n")),
    fake("stacks on the right dim but peak first: the mean and peak rows are swapped",
         P, FORM, (BUGGY, "    return torch.stack([peak, mean], dim=1)\n")),
    fix("stack with a tuple and a positional dim", P, FORM, (BUGGY, "    return torch.stack((mean, peak), 1)\n")),
    fix("cat of the two with a new dim each", P, FORM, (BUGGY, "    return torch.cat([mean.unsqueeze(1), peak.unsqueeze(1)], dim=1)\n")),
    fix("keeps the cat and views (N, 2F) as (N, 2, F): mean's F values, then peak's",
        P, FORM, (BUGGY, "    return torch.cat([mean, peak], dim=1).view(mean.size(0), 2, -1)\n")),
]
