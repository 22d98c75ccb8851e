from adversarial import fake, fix

P, FORM = "models/residual_mlp", "skip term dropped"
BUGGY = "        return self.fc2(h)\n"

CASES = [
    fake("adds the normalised input back instead of the input itself",
         P, FORM, (BUGGY, "        return self.norm(x) + self.fc2(h)\n")),
    fake("adds one skip around the whole stack of blocks instead of one per block",
         P, FORM, ("        h = self.embed(x)\n", "        h = self.embed(x)\n        h0 = h\n"),
         ("        return self.head(h)\n", "        return self.head(h + h0)\n")),
    fake("adds the skip and halves the sum to keep the scale down",
         P, FORM, (BUGGY, "        return (x + self.fc2(h)) / 2\n")),
    fix("the skip added by the caller: each block returns its correction, the loop adds it",
        P, FORM, ("            h = block(h)\n", "            h = h + block(h)\n")),
    fix("the two terms in the other order", P, FORM, (BUGGY, "        return self.fc2(h) + x\n")),
    fix("torch.add with a named local", P, FORM, (BUGGY, "        correction = self.fc2(h)\n        return torch.add(x, correction)\n")),
]
