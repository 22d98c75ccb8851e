from adversarial import fake, fix

P, FORM = "transformers/rnn_language_model", "log_softmax removed before NLLLoss"
BUGGY = "            log_probs = logits\n"
LOSS = "            loss = F.nll_loss(log_probs.flatten(0, 1), chunk_targets.flatten(), ignore_index=PAD)\n"

CASES = [
    fake("log_softmax over the time steps (dim 1) instead of the vocabulary",
         P, FORM, (BUGGY, "            log_probs = F.log_softmax(logits, dim=1)\n")),
    fake("softmax instead of log_softmax: probabilities, not log-probabilities",
         P, FORM, (BUGGY, "            log_probs = F.softmax(logits, dim=-1)\n")),
    fake("subtracts the largest logit to keep the numbers small: still not normalised",
         P, FORM, (BUGGY, "            log_probs = logits - logits.max(dim=-1, keepdim=True).values\n")),
    fix("cross_entropy on the raw logits: log_softmax and nll_loss in one",
        P, FORM, (LOSS, LOSS.replace("F.nll_loss(log_probs", "F.cross_entropy(logits"))),
    fix("the method form over the last dim, spelled 2",
        P, FORM, (BUGGY, "            log_probs = logits.log_softmax(dim=2)\n")),
]
