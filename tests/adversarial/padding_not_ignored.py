from adversarial import fake, fix

P, FORM = "data/sequence_tagger", "ignore_index dropped"
BUGGY = "    criterion = nn.NLLLoss()  # build it\n"
LOSS = "                loss = criterion(log_probs.flatten(0, 1), target.flatten())\n"

CASES = [
    fake("ignore_index=-100, the loss's default: the padding id is 0, so it still counts",
         P, FORM, (BUGGY, "    criterion = nn.NLLLoss(ignore_index=-100)\n")),
    fake("sums instead of averaging, as if the padding only diluted the mean",
         P, FORM, (BUGGY, "    criterion = nn.NLLLoss(reduction=\"sum\")\n")),
    fake("masks the padded tokens' inputs but not their targets",
         P, FORM, (LOSS, "                loss = criterion((log_probs * (tokens[:, start:start + chunk] != PAD)"
                         ".unsqueeze(-1)).flatten(0, 1), target.flatten())\n")),
    fix("ignore_index given as the literal 0",
        P, FORM, (BUGGY, "    criterion = nn.NLLLoss(ignore_index=0)\n")),
    fix("per-token losses, averaged over the real tokens by hand",
        P, FORM, (BUGGY, "    criterion = nn.NLLLoss(reduction=\"none\")\n"),
        (LOSS, "                per_token = criterion(log_probs.flatten(0, 1), target.flatten())\n"
               "                loss = per_token[target.flatten() != PAD].mean()\n")),
]
