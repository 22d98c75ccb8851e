from adversarial import fake, fix

P, FORM = "advanced/gan", "torch.sigmoid before BCEWithLogitsLoss"
BUGGY = "criterion(torch.sigmoid(discriminator(real)), ones)"

CASES = [
    fake("tanh instead of the sigmoid: still squashed before a loss that squashes",
         P, FORM, (BUGGY, "criterion(torch.tanh(discriminator(real)), ones)")),
    fake("moves the sigmoid into the discriminator's forward(): every loss call now gets probabilities",
         P, FORM, (BUGGY, "criterion(discriminator(real), ones)"),
         ("        return self.net(x)\n", "        return torch.sigmoid(self.net(x))\n")),
    fake("BCELoss on the raw logits: the other half of the mismatch",
         P, FORM, (BUGGY, "nn.BCELoss()(discriminator(real).clamp(0, 1), ones)")),
    fix("keeps the sigmoid and switches that term to BCELoss, which wants probabilities",
        P, FORM, (BUGGY, "nn.BCELoss()(torch.sigmoid(discriminator(real)), ones)")),
    fix("the functional loss with logits on the raw output",
        P, FORM, (BUGGY, "nn.functional.binary_cross_entropy_with_logits(discriminator(real), ones)")),
]
