"""inplace-relu: an in-place ReLU on a tensor that is still needed."""

from __future__ import annotations

from .helpers import forms, mutate

REUSED = """
import torch
import torch.nn.functional as F
def reused(self, x):
    h = self.fc1(x)
    deep = self.fc2(torch.relu(h))
    return torch.cat([h, deep], dim=1)
"""


def test_every_form_where_the_input_is_read_again():
    assert forms("inplace-relu", REUSED) == [
        ("h.relu_()", ["deep = self.fc2(h.relu_())"]),
        ("torch.relu_(h)", ["deep = self.fc2(torch.relu_(h))"]),
        ("F.relu(h, inplace=True)", ["deep = self.fc2(F.relu(h, inplace=True))"]),
    ]


def test_no_functional_form_without_the_f_import():
    source = REUSED.replace("import torch.nn.functional as F\n", "")
    assert [form for form, _ in forms("inplace-relu", source)] == ["h.relu_()", "torch.relu_(h)"]


NOT_REUSED = """
def not_reused(self, x):
    h = self.fc1(x)
    return self.fc2(torch.relu(h))
"""


def test_only_where_the_input_is_still_needed():
    source = REUSED + NOT_REUSED + "def after_sigmoid(self, x):\n    g = torch.sigmoid(x)\n    return F.relu(g)\n"
    found = [(m.scope, m.form) for m in mutate("inplace-relu", source)]
    assert found == [
        ("reused", "h.relu_()"), ("reused", "torch.relu_(h)"), ("reused", "F.relu(h, inplace=True)"),
        ("after_sigmoid", "g.relu_()"), ("after_sigmoid", "torch.relu_(g)"), ("after_sigmoid", "F.relu(g, inplace=True)"),
    ]


def test_no_site_when_nothing_reads_the_input_again():
    assert mutate("inplace-relu", "import torch\n" + NOT_REUSED) == []


PRE_ACTIVATION = """
from torch import nn

class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.act = nn.ReLU()
        self.lin = nn.Linear(width, width)
        self.head = nn.Sequential(nn.Linear(width, width), nn.ReLU())

    def forward(self, inp):
        hidden = self.lin(self.act(inp))
        return inp + self.head(hidden)
"""


def test_a_relu_module_whose_input_the_skip_path_reads_again():
    # foreign style: the ReLU is a module attribute; the block's input is read again by the skip
    assert forms("inplace-relu", PRE_ACTIVATION) == [("nn.ReLU(inplace=True)", ["self.act = nn.ReLU(inplace=True)"])]


def test_no_relu_module_site_when_nothing_reads_its_input_again():
    post = PRE_ACTIVATION.replace("hidden = self.lin(self.act(inp))\n        return inp + self.head(hidden)",
                                  "return self.head(self.act(self.lin(inp)))")
    assert mutate("inplace-relu", post) == []  # the Sequential's ReLU after a Linear is safe in place, too
