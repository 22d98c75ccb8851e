"""frozen-batchnorm-in-train-mode: the frozen backbone's eval() undone by the model's train()."""

from __future__ import annotations

from .helpers import changed_lines, mutate

FROZEN_BN = """
import torch.nn as nn

class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(8)

def train_one_epoch(model, loader, frozen):
    model.train()
    if frozen:
        model.backbone.eval()  # keep the statistics
    for x, y in loader:
        step(model, x, y)

def evaluate(model, loader):
    model.backbone.eval()
"""


def test_forms():
    before, bare = mutate("frozen-batchnorm-in-train-mode", FROZEN_BN)
    assert before.form == "model.backbone.eval() before model.train()"
    body = [line.strip() for line in before.source.split("def train_one_epoch")[1].splitlines()[1:4]]
    assert body == ["if frozen:", "model.backbone.eval()  # keep the statistics", "model.train()"]
    assert bare.form == "model.backbone.eval without the call"
    assert [line.split("#")[0].strip() for line in changed_lines(FROZEN_BN, bare)] == ["model.backbone.eval"]
    assert {before.scope, bare.scope} == {"train_one_epoch"}  # evaluate() has no model.train() before it


def test_needs_batchnorm():
    assert mutate("frozen-batchnorm-in-train-mode", FROZEN_BN.replace("nn.BatchNorm1d(8)", "nn.Linear(8, 8)")) == []
