"""float-labels: class-index labels turned into floats, at the loss call or where the labels are made."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import LOOP, REGRESSION_LOOP, changed_lines, forms, mutate, obs


def test_forms_at_the_loss_call():
    found = mutate("float-labels", LOOP)
    assert [m.form for m in found] == ["y.float()", "y.to(torch.float32)"]
    assert changed_lines(LOOP, found[0]) == ["loss = criterion(model(x), y.float())"]
    assert changed_lines(LOOP, found[1]) == ["loss = criterion(model(x), y.to(torch.float32))"]
    assert {m.site for m in found} == {0} and found[0].scope == "train"


def test_forms_where_labels_are_made():
    source = """
    import torch
    def make(n):
        features = torch.randn(n, 3).long()
        labels = torch.randint(0, 3, (n,))
        y = torch.tensor([1, 2], dtype=torch.long)
        idx = torch.tensor([1, 2], dtype=torch.long)
        return features, labels, y, idx
    """
    assert forms("float-labels", source) == [
        ("dtype=torch.float", ["y = torch.tensor([1, 2], dtype=torch.float)"]),
        ("randint(..., dtype=torch.float32)", ["labels = torch.randint(0, 3, (n,), dtype=torch.float32)"]),
    ]  # features and idx are not labels: no site


def test_parenthesises_compound_targets():
    source = "import torch.nn.functional as F\nloss = F.cross_entropy(logits, a + b)\n"
    assert mutate("float-labels", source)[0].source.endswith("F.cross_entropy(logits, (a + b).float())\n")


def test_no_site_for_a_regression_loss_or_indices():
    assert mutate("float-labels", REGRESSION_LOOP) == []  # MSELoss wants float targets; idx names no labels


def test_target_dtype_check():
    ref = obs(targets=[["train", "CrossEntropyLoss", "torch.int64", 1, 2]])
    as_float = obs(targets=[["train", "CrossEntropyLoss", "torch.float32", 1, 2]])
    as_column = obs(targets=[["train", "CrossEntropyLoss", "torch.int64", 2, 2]])
    assert checks.target_dtype(ref, as_float) == \
        "CrossEntropyLoss in train() gets targets of dtype torch.float32 instead of torch.int64"
    assert checks.target_dtype(ref, as_column) is None
