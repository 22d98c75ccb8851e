"""normalisation-stats-leak: the mean and std measured on the whole data set or the validation split."""

from __future__ import annotations

from .helpers import forms, mutate

# one statement, the split made by a helper
HELPER_SPLIT = """
def build(x, y):
    (x_train, y_train), (x_val, y_val) = split(x, y, 0.2)
    mean, std = x_train.mean(dim=0), x_train.std(dim=0)
    return (x_train - mean) / std, (x_val - mean) / std
"""

# another style: slices, two statements, var instead of std, names of one's own
SLICED = """
def prepare(table, n):
    fit_rows = table[:n]
    held_out = table[n:]
    centre = fit_rows.mean(0, keepdim=True)
    spread = fit_rows.var(0, keepdim=True).sqrt()
    return (fit_rows - centre) / spread, (held_out - centre) / spread
"""


def test_forms_of_a_helper_split():
    assert forms("normalisation-stats-leak", HELPER_SPLIT) == [
        ("statistics of the whole data set", ["mean, std = x.mean(dim=0), x.std(dim=0)"]),
        ("statistics of the validation split", ["mean, std = x_val.mean(dim=0), x_val.std(dim=0)"]),
    ]


def test_forms_of_slices_in_two_statements():
    assert forms("normalisation-stats-leak", SLICED) == [
        ("statistics of the whole data set", ["centre = table.mean(0, keepdim=True)",
                                              "spread = table.var(0, keepdim=True).sqrt()"]),
        ("statistics of the validation split", ["centre = held_out.mean(0, keepdim=True)",
                                                "spread = held_out.var(0, keepdim=True).sqrt()"]),
    ]


def test_near_misses():
    # a mean that standardises nothing (a loss), and statistics of data that was never split
    loss = "def f(pred, y):\n    return (pred - y).pow(2).mean()\n"
    assert mutate("normalisation-stats-leak", loss) == []
    whole = "def f(x):\n    mean = x.mean(0)\n    return x - mean\n"
    assert mutate("normalisation-stats-leak", whole) == []
