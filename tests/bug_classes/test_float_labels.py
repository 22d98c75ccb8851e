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


def test_a_loss_held_as_an_attribute_or_passed_in_is_recognised():
    """Code written in other styles: the loss kept on ``self``, or made in one function and passed
    to another (positionally, by keyword, as a default, passed on again)."""
    on_self = """
    import torch.nn as nn
    class Trainer:
        def __init__(self, model):
            self.model, self.loss_fn = model, None
            self.loss_fn = nn.CrossEntropyLoss()
        def step(self, x, labels):
            return self.loss_fn(self.model(x), labels)
    """
    assert changed_lines(on_self, mutate("float-labels", on_self)[0]) == [
        "return self.loss_fn(self.model(x), labels.float())"]
    passed = """
    import torch.nn as nn
    def epoch(model, loader, loss_fn):
        for x, y in loader:
            loss_fn(model(x), y).backward()
    def fit(model, loader, objective=nn.CrossEntropyLoss()):
        epoch(model, loader, objective)
    def validate(model, x, y, criterion):
        return criterion(model(x), y)
    def main(model, loader, x, y):
        fit(model, loader)
        validate(model, x, y, criterion=nn.CrossEntropyLoss())
    """
    assert [changed_lines(passed, found) for found in mutate("float-labels", passed)[::2]] == [
        ["loss_fn(model(x), y.float()).backward()"], ["return criterion(model(x), y.float())"]]
    unknown = "def epoch(model, x, y, loss_fn):\n    return loss_fn(model(x), y)\n"
    assert mutate("float-labels", unknown) == []  # nothing says this loss is a cross-entropy


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
