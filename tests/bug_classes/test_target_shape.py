"""target-shape: class-index labels given an extra dimension, at the loss call or where they are made."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import LOOP, REGRESSION_LOOP, changed_lines, mutate, obs


def test_forms_at_the_loss_call():
    found = mutate("target-shape", LOOP)
    assert [m.form for m in found] == ["y.unsqueeze(1)", "y.view(-1, 1)"]
    assert [changed_lines(LOOP, m) for m in found] == [
        ["loss = criterion(model(x), y.unsqueeze(1))"], ["loss = criterion(model(x), y.view(-1, 1))"]]


def test_forms_where_labels_are_made():
    source = """
    import torch
    labels = torch.randint(0, 3, (8,))
    label = torch.tensor(row[2], dtype=torch.long)
    """
    assert [changed_lines(source, m) for m in mutate("target-shape", source)] == [
        ["labels = torch.randint(0, 3, (8, 1))"],
        ["label = torch.tensor([row[2]], dtype=torch.long)"],
    ]


def test_no_site_for_a_regression_loss_or_indices():
    assert mutate("target-shape", REGRESSION_LOOP) == []


def test_target_rank_check():
    ref = obs(targets=[["train", "CrossEntropyLoss", "torch.int64", 1, 2]])
    as_column = obs(targets=[["train", "CrossEntropyLoss", "torch.int64", 2, 2]])
    assert checks.target_rank(ref, as_column) == "CrossEntropyLoss in train() gets 2-D targets for 2-D logits instead of 1-D"
    assert checks.target_rank(ref, ref) is None
