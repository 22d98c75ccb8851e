"""train-loader-not-shuffled: shuffle=True taken off a DataLoader."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import changed_lines, forms, mutate, obs

KEYWORDS = """
import torch
from torch.utils.data import DataLoader

train_loader = DataLoader(train_set, batch_size=32, shuffle=True, num_workers=2)
val_loader = DataLoader(val_set, batch_size=32)
"""

# another style: the module imported as a whole, shuffle given by position
POSITIONAL = """
import torch.utils.data as tud

def loaders(ds, bs):
    return tud.DataLoader(ds, bs, True)
"""


def test_keyword_forms():
    assert forms("train-loader-not-shuffled", KEYWORDS) == [
        ("shuffle=True left out", ["train_loader = DataLoader(train_set, batch_size=32, num_workers=2)"]),
        ("shuffle=False", ["train_loader = DataLoader(train_set, batch_size=32, shuffle=False, num_workers=2)"]),
    ]


def test_positional_shuffle():
    [mutant] = mutate("train-loader-not-shuffled", POSITIONAL)
    assert changed_lines(POSITIONAL, mutant) == ["return tud.DataLoader(ds, bs, False)"]


def test_near_misses():
    # a loader of the program's own class, and one that already reads in order
    own = "class DataLoader:\n    pass\nloader = DataLoader(ds, batch_size=4, shuffle=True)\n"
    assert mutate("train-loader-not-shuffled", own) == []
    assert mutate("train-loader-not-shuffled", KEYWORDS.replace("shuffle=True", "shuffle=False")) == []


def test_loader_order_check():
    shuffled = obs(loaders=[["train", 4, [2, 0, 3, 1]], ["train", 4, [1, 3, 0, 2]], ["validate", 2, [0, 1]]])
    in_order = obs(loaders=[["train", 4, [0, 1, 2, 3]], ["train", 4, [0, 1, 2, 3]], ["validate", 2, [0, 1]]])
    fixed = obs(loaders=[["train", 4, [2, 0, 3, 1]], ["train", 4, [2, 0, 3, 1]], ["validate", 2, [0, 1]]])
    assert checks.loader_order(shuffled, shuffled) is None
    assert checks.loader_order(shuffled, in_order) == (
        "during train() the DataLoader gives the samples in their stored order (0, 1, 2, ...) on every pass; "
        "the reference's reshuffles them for every pass")
    assert "in one order that every pass repeats" in checks.loader_order(shuffled, fixed)
    assert checks.loader_order(in_order, shuffled) == (
        "during train() the DataLoader gives the samples in a random order; the reference's reads them in order")
