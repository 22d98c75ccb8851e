"""linear-in-features-mismatch: a Linear after a cat sized for one of the parts only."""

from __future__ import annotations

from .helpers import forms, mutate


def test_linear_after_cat_loses_one_width():
    source = """
    import torch
    import torch.nn as nn
    class Net(nn.Module):
        def __init__(self, a, b):
            self.head = nn.Linear(in_features=a + b, out_features=3)
            self.other = nn.Linear(a * 2, 3)
        def forward(self, x, y):
            return self.head(torch.cat([x, y], dim=1))
    """
    assert forms("linear-in-features-mismatch", source) == [
        ("in_features without the last width", ["self.head = nn.Linear(in_features=a, out_features=3)"]),
        ("in_features without the first width", ["self.head = nn.Linear(in_features=b, out_features=3)"]),
    ]
    assert mutate("linear-in-features-mismatch", source.replace("torch.cat", "torch.add")) == []
