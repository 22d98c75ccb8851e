from adversarial import fake, fix

P, CAST, MADE = "training/classification_loop", "batch_y.float()", "randint(..., dtype=torch.float32)"
LOSS = "loss = criterion(logits, batch_y.float())"
LABELS = "labels = torch.randint(0, num_classes, (n,), dtype=torch.float32)"

CASES = [
    fake("switches to a loss that takes float targets: mean squared error against one-hot rows", P, CAST,
         (LOSS, "loss = nn.functional.mse_loss(logits, nn.functional.one_hot(batch_y, 3).float())")),
    fake("gives CrossEntropyLoss smoothed class probabilities instead of the labels", P, CAST,
         (LOSS, "loss = criterion(logits, nn.functional.one_hot(batch_y, 3).float() * 0.9 + 0.1 / 3)")),
    fake("binary cross-entropy on one-hot rows: float targets accepted, another loss", P, MADE,
         ("criterion = nn.CrossEntropyLoss()", "criterion = nn.BCEWithLogitsLoss()"),
         ("loss = criterion(logits, batch_y)",
          "loss = criterion(logits, nn.functional.one_hot(batch_y.long(), 3).float())")),
    fix("converts back with .long() right before the loss", P, CAST,
        (LOSS, "loss = criterion(logits, batch_y.float().long())")),
    fix("drops the cast and converts with .to(torch.long) where the batch is moved", P, CAST,
        (LOSS, "loss = criterion(logits, batch_y)"),
        ("batch_y.to(device)", "batch_y.to(device, dtype=torch.long)")),
    fix("casts the labels to long where they are made (randint draws the same numbers for either dtype)",
        P, MADE, (LABELS, "labels = torch.randint(0, num_classes, (n,), dtype=torch.float32).long()")),
    fix("CrossEntropyLoss with one-hot class probabilities, a form the loss documents", P, CAST,
        (LOSS, "loss = criterion(logits, nn.functional.one_hot(batch_y, 3).float())")),
]
