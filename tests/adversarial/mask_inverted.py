from adversarial import fake, fix

P, FORM = "data/sequence_batches", "mask built with the opposite comparison"
BUGGY = "mask = steps.unsqueeze(0) >= lengths.unsqueeze(1)"

CASES = [
    fake("flips >= to <=: the mask now also covers the first padded step of every short sequence",
         P, FORM, (BUGGY, "mask = steps.unsqueeze(0) <= lengths.unsqueeze(1)")),
    fake("keeps the inverted mask and clamps the divisor so the NaN of full-length rows goes away: "
         "the pooling still averages the padding",
         P, FORM, ("pooled = (h * weights).sum(dim=1) / weights.sum(dim=1)",
                   "pooled = (h * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1)")),
    fake("drops the mask altogether (all True): the mean now runs over the padding too",
         P, FORM, (BUGGY, "mask = torch.ones(len(seqs), padded.size(1), dtype=torch.bool)")),
    fix("negates the inverted comparison", P, FORM, (BUGGY, "mask = ~(steps.unsqueeze(0) >= lengths.unsqueeze(1))")),
    fix("the same comparison written the other way round, with None indexing",
        P, FORM, (BUGGY, "mask = lengths[:, None] > steps[None, :]")),
    fix("builds the mask row by row from the lengths",
        P, FORM, (BUGGY, "mask = torch.stack([steps < n for n in lengths])")),
]
