"""checkpoint-input-no-grad: a checkpointed segment whose input carries no gradient."""

from __future__ import annotations

from .helpers import forms, mutate

CHECKPOINTED = """
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

class Net(nn.Module):
    def forward(self, x):
        h = checkpoint(self.stage1, x, use_reentrant=False)
        h = checkpoint(self.stage2, h, use_reentrant=False)
        return self.head(h)

def main():
    model = Net().to("cpu")
"""


def test_reentrant_on_raw_input_and_detached_computed_input():
    assert forms("checkpoint-input-no-grad", CHECKPOINTED) == [
        ("use_reentrant=True", ["h = checkpoint(self.stage1, x, use_reentrant=True)"]),
        ("use_reentrant omitted", ["h = checkpoint(self.stage1, x)"]),
        ("h.detach() as input", ["h = checkpoint(self.stage2, h.detach(), use_reentrant=False)"]),
    ]


def test_in_a_submodule_keeps_its_reentrant_flag():
    source = CHECKPOINTED.replace('model = Net().to("cpu")', "model = nn.Sequential(nn.Linear(2, 2), Net())")
    assert [m.form for m in mutate("checkpoint-input-no-grad", source)] == ["h.detach() as input"]


def test_no_site_for_a_submodule_checkpointing_its_raw_input_only():
    source = CHECKPOINTED.replace("        h = checkpoint(self.stage2, h, use_reentrant=False)\n", "").replace(
        'model = Net().to("cpu")', "model = nn.Sequential(nn.Linear(2, 2), Net())")
    assert mutate("checkpoint-input-no-grad", source) == []  # its input comes from a layer: it has a gradient
