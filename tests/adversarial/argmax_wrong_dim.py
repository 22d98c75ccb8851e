from adversarial import fake, fix

P, DIM0, NODIM = "intermediate/train_val", "argmax(dim=0)", "argmax() without dim"
BUGGY = "correct += (logits.argmax(dim=0) == y).sum().item()"
CNN = "architectures/small_cnn"
CNN_BUGGY = "correct += (probs.argmax() == labels).sum().item()"

CASES = [
    fake("keepdim=True on the right dim: (N, 1) == (N,) broadcasts to an N x N table, so the count is wrong",
         P, DIM0, (BUGGY, "correct += (logits.argmax(dim=1, keepdim=True) == y).sum().item()")),
    fake("takes the per-batch mean of the matches instead of their count: the accuracy divides twice",
         P, DIM0, (BUGGY, "correct += (logits.argmax(dim=1) == y).float().mean().item()")),
    fake("compares the largest logit's value, not its index, with the label",
         P, NODIM, ("correct += (logits.argmax() == y).sum().item()",
                    "correct += (logits.max(dim=1).values == y).sum().item()")),
    fake("softmax over the batch (dim 0) before the argmax over classes: each sample's prediction depends "
         "on the other samples", CNN, NODIM,
         (CNN_BUGGY, "correct += (torch.softmax(probs, dim=0).argmax(dim=1) == labels).sum().item()")),
    fix("the last dim, which is the class dim of (N, C) logits", P, DIM0,
        (BUGGY, "correct += (logits.argmax(dim=-1) == y).sum().item()")),
    fix("torch.max(..., dim=1).indices, in its own line", P, NODIM,
        ("correct += (logits.argmax() == y).sum().item()",
         "pred = torch.max(logits, dim=1).indices\n            correct += (pred == y).sum().item()")),
    fix("two classes: predicts class 1 where its logit is larger (ties go to class 0, as argmax does)",
        P, DIM0, (BUGGY, "correct += ((logits[:, 1] > logits[:, 0]).long() == y).sum().item()")),
    fix("positional argmax(1) on the probabilities, counted with torch.sum and int()", CNN, NODIM,
        (CNN_BUGGY, "correct += int(torch.sum(probs.argmax(1) == labels))")),
]
