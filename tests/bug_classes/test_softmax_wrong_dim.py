"""softmax-wrong-dim: softmax normalised over another axis than the one it should."""

from __future__ import annotations

import pytest

from bughunt.bug_catalog.softmax_wrong_dim import wrong_dims

from .helpers import forms, mutate


@pytest.mark.parametrize("dim, wrong", [(-1, [-2]), (-2, [-1]), (0, [1]), (1, [0]), (2, [0, 1]), (-3, [-1, -2])])
def test_wrong_dims_never_alias_the_right_one(dim, wrong):
    assert wrong_dims(dim) == wrong
    for rank in range(1, 6):
        if -rank <= dim < rank:  # where the reference runs, each wrong dim is another axis or an error
            assert all(not (-rank <= w < rank) or w % rank != dim % rank for w in wrong)


def test_every_spelling():
    source = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    a = torch.softmax(scores, dim=-1)
    b = F.softmax(logits, 1)
    c = scores.softmax(-1)
    d = nn.Softmax(dim=1)
    e = F.log_softmax(logits, dim=1)
    f = F.softmax(logits, dim=d)
    g = nn.Softmax()
    """
    assert forms("softmax-wrong-dim", source) == [
        ("dim=-2", ["a = torch.softmax(scores, dim=-2)"]),
        ("dim=0", ["b = F.softmax(logits, 0)"]),
        ("dim=-2", ["c = scores.softmax(-2)"]),
        ("dim=0", ["d = nn.Softmax(dim=0)"]),
        ("dim=0", ["e = F.log_softmax(logits, dim=0)"]),
    ]


def test_no_site_for_a_computed_or_missing_dim():
    source = "import torch.nn as nn\nimport torch.nn.functional as F\nf = F.softmax(logits, dim=d)\ng = nn.Softmax()\n"
    assert mutate("softmax-wrong-dim", source) == []


def test_no_site_on_a_softmax_module_nothing_calls():
    # seen in a model file: an attribute left over from an earlier version
    source = ("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.softmax = nn.Softmax(dim=0)\n        self.probs = nn.Softmax(dim=1)\n"
              "    def forward(self, x):\n        return self.probs(x)\n")
    assert [(m.line, m.form) for m in mutate("softmax-wrong-dim", source)] == [(6, "dim=0")]
    assert mutate("softmax-wrong-dim", "import torch.nn as nn\nsm = nn.Softmax(dim=1)\n") == []
