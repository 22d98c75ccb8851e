"""shortcut-without-projection: the identity where the shapes change and a projection is needed."""

from __future__ import annotations

from .helpers import forms, mutate

PLAIN = """
import torch.nn as nn
class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.shortcut = nn.Identity()
    def forward(self, x):
        return self.body(x) + self.shortcut(x)
"""


BLOCK = """
import torch.nn as nn
class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride), nn.BatchNorm2d(cout))
    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))
"""


def test_forms():
    assert forms("shortcut-without-projection", BLOCK + PLAIN.replace("import torch.nn as nn\n", "")) == [
        ("projection replaced by the identity", ["self.shortcut = nn.Identity()"]),
        ("self.shortcut(...) skipped", ["return torch.relu(self.body(x) + x)"]),
    ]  # Plain's shortcut is always the identity: no site


def test_uses_none_when_the_class_does():
    source = """
    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.downsample = None
            if cin != cout:
                self.downsample = nn.Conv2d(cin, cout, 1)
    """
    assert forms("shortcut-without-projection", source) == [
        ("projection replaced by the identity", ["self.downsample = None"])]


def test_no_site_where_the_shortcut_is_always_the_identity():
    assert mutate("shortcut-without-projection", PLAIN) == []
