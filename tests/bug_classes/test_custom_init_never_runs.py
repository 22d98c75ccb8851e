"""custom-init-never-runs: model.apply(init) left out, replaced by a direct call, or run too early."""

from __future__ import annotations

from .helpers import changed_lines, forms, mutate

FUNCTION = """
import torch.nn as nn

def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)

def build():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    net.apply(init_weights)
    return net
"""

# another style: a method applied from __init__, torch.nn.init imported by name
METHOD = """
import torch
from torch.nn import init

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Linear(3, 3)
        self.apply(self.reset)

    def reset(self, module):
        if isinstance(module, torch.nn.Linear):
            init.normal_(module.weight, std=0.02)
"""


def test_forms_of_a_function():
    removed, direct = mutate("custom-init-never-runs", FUNCTION)
    assert removed.form == "the apply() call left out" and "net.apply" not in removed.source
    assert direct.form == "the init function called on the model itself, not applied"
    assert changed_lines(FUNCTION, direct) == ["init_weights(net)"]


def test_forms_of_a_method():
    found = dict(forms("custom-init-never-runs", METHOD))
    assert found["the init function called on the model itself, not applied"] == ["self.reset(self)"]
    early = next(m for m in mutate("custom-init-never-runs", METHOD) if m.form.startswith("applied in __init__"))
    lines = [line.strip() for line in early.source.splitlines() if line.strip()]
    at = lines.index("super().__init__()")
    assert lines[at + 1: at + 3] == ["self.apply(self.reset)", "self.body = torch.nn.Linear(3, 3)"]


def test_near_misses():
    # apply() with a function that initialises nothing, and a DataFrame-style apply
    plain = FUNCTION.replace("nn.init.xavier_uniform_(m.weight)", "m.weight.requires_grad_(False)")
    assert mutate("custom-init-never-runs", plain) == []
    assert mutate("custom-init-never-runs", "df.apply(len)\n") == []
