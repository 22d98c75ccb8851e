from adversarial import fake, fix

P, FORM = "training/classification_loop", "torch.softmax before the loss"
BUGGY = "            loss = criterion(torch.softmax(logits, dim=1), batch_y)\n"

CASES = [
    fake("feeds the probabilities to NLLLoss instead: it wants log-probabilities, so the loss is -p[y]",
         P, FORM, (BUGGY, "            loss = nn.NLLLoss()(torch.softmax(logits, dim=1), batch_y)\n")),
    fake("moves the softmax into the model's forward(): the loss still sees probabilities",
         P, FORM, (BUGGY, "            loss = criterion(logits, batch_y)\n"),
         ("        return self.fc2(x)\n", "        return torch.softmax(self.fc2(x), dim=1)\n")),
    fake("takes the softmax over the batch (dim 0) instead of the classes",
         P, FORM, (BUGGY, "            loss = criterion(torch.softmax(logits, dim=0), batch_y)\n")),
    fix("the functional cross_entropy on the raw logits",
        P, FORM, (BUGGY, "            loss = nn.functional.cross_entropy(logits, batch_y)\n")),
    fix("log_softmax before CrossEntropyLoss: log-softmax of log-probabilities changes nothing",
        P, FORM, (BUGGY, "            loss = criterion(torch.log_softmax(logits, dim=1), batch_y)\n")),
    fix("NLLLoss on log_softmax over the last dim, which is what CrossEntropyLoss computes",
        P, FORM, (BUGGY, "            loss = nn.NLLLoss()(torch.log_softmax(logits, dim=-1), batch_y)\n")),
]
