from adversarial import fake, fix

P, FORM = "training/classification_loop", "batch_y.unsqueeze(1)"
BUGGY = "            loss = criterion(logits, batch_y.unsqueeze(1))\n"

CASES = [
    fake("squeeze() without a dim: fine for most batches, but a last batch of one becomes a 0-d target",
         P, FORM, (BUGGY, "            loss = criterion(logits, batch_y.unsqueeze(1).squeeze())\n")),
    fake("argmax over the added dim of size 1 to get back to (N,): every target becomes class 0",
         P, FORM, (BUGGY, "            loss = criterion(logits, batch_y.unsqueeze(1).argmax(dim=1))\n")),
    fake("switches to an MSE against one-hot targets, whose shape matches the logits",
         P, FORM, (BUGGY, "            loss = nn.functional.mse_loss(logits, nn.functional.one_hot(batch_y, 3).float())\n")),
    fix("view(-1) of the targets", P, FORM, (BUGGY, "            loss = criterion(logits, batch_y.view(-1))\n")),
    fix("keeps the (N, 1) targets and gives the logits a matching extra dim: (N, C, 1) against (N, 1) is "
        "the same mean over the same N terms",
        P, FORM, (BUGGY, "            loss = criterion(logits.unsqueeze(-1), batch_y.unsqueeze(1))\n")),
    fix("one-hot float class probabilities, a target form CrossEntropyLoss documents",
        P, FORM, (BUGGY, "            loss = criterion(logits, nn.functional.one_hot(batch_y, 3).float())\n")),
    fix("the data made with class ids of shape (N,) squeezed back where the loader yields them",
        P, FORM, (BUGGY, "            loss = criterion(logits, batch_y.unsqueeze(1)[:, 0])\n")),
]
