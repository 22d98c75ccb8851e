from adversarial import fake, fix

P, FORM = "transformers/attention", "dim=-2"
BUGGY = "    weights = torch.softmax(scores, dim=-2)  # normalise the scores\n"

CASES = [
    fake("dim=2: the keys for the single-head (N, L, L) scores, but the queries for the multi-head "
         "(N, heads, L, L) ones",
         P, FORM, (BUGGY, "    weights = torch.softmax(scores, dim=2)\n")),
    fake("softmax over the last dim of the transposed scores: the right normalisation, but the weights "
         "come out transposed",
         P, FORM, (BUGGY, "    weights = torch.softmax(scores.transpose(-2, -1), dim=-1)\n")),
    fake("keeps the softmax over the queries and renormalises each row to sum to 1",
         P, FORM, (BUGGY, BUGGY + "    weights = weights / weights.sum(dim=-1, keepdim=True)\n")),
    fix("the tensor method with dim=-1", P, FORM, (BUGGY, "    weights = scores.softmax(dim=-1)\n")),
    fix("F.softmax over the last dim, counted from the front",
        P, FORM, (BUGGY, "    weights = F.softmax(scores, dim=scores.dim() - 1)\n")),
    fix("a hand-written stable softmax over the keys",
        P, FORM, (BUGGY, "    exp = (scores - scores.amax(dim=-1, keepdim=True)).exp()\n"
                         "    weights = exp / exp.sum(dim=-1, keepdim=True)\n")),
]
