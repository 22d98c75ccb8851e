from adversarial import fake, fix

P, FORM = "data/feature_maps", "unsqueeze(1).unsqueeze(1)"
BUGGY = "    cond = cond.unsqueeze(1).unsqueeze(1)  # reshape\n"
EXPAND = "    cond = cond.expand(n, -1, h, w)  # (N, D, H, W): a view, nothing is copied\n"
CAT = "    return torch.cat([x, cond], dim=1)  # join along the channel dim\n"

CASES = [
    fake("expands the (N, 1, 1, D) condition to (N, H, W, D) and reshapes it to (N, D, H, W): the shape "
         "fits, but the features are scattered over the pixels",
         P, FORM, (BUGGY + EXPAND, "    cond = cond.unsqueeze(1).unsqueeze(1).expand(n, h, w, -1).reshape(n, -1, h, w)\n")),
    fake("broadcasts the first sample's condition to the whole batch",
         P, FORM, (BUGGY, "    cond = cond[0].view(1, -1, 1, 1)\n")),
    fake("replaces the condition by zeros of the right shape",
         P, FORM, (BUGGY + EXPAND, "    cond = torch.zeros(n, cond.size(1), h, w, device=x.device)\n")),
    fix("unsqueeze(-1) twice", P, FORM, (BUGGY, "    cond = cond.unsqueeze(-1).unsqueeze(-1)\n")),
    fix("a view to (N, D, 1, 1)", P, FORM, (BUGGY, "    cond = cond.view(n, -1, 1, 1)\n")),
    fix("keeps the (N, 1, 1, D) condition and permutes it to (N, D, 1, 1)",
        P, FORM, (BUGGY, BUGGY + "    cond = cond.permute(0, 3, 1, 2)\n")),
    fix("joins channels-last and permutes the result back: the same (N, C + D, H, W) values",
        P, FORM, (EXPAND, "    cond = cond.expand(n, h, w, -1)\n"),
        (CAT, "    return torch.cat([x.permute(0, 2, 3, 1), cond], dim=3).permute(0, 3, 1, 2)\n")),
]
