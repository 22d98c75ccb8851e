"""validation-loader-drops-samples: shuffle=True, drop_last=True on the loader that reads in order."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import forms, mutate, obs

PAIR = """
from torch.utils.data import DataLoader

train_loader = DataLoader(train_set, batch_size=bs, shuffle=True)
val_loader = DataLoader(val_set, batch_size=bs)
test_loader = DataLoader(test_set, batch_size=bs, shuffle=False)
"""

# another style: loaders built in a helper, the torch.utils.data path spelled out
HELPER = """
import torch

def make(train_ds, eval_ds, n):
    fit = torch.utils.data.DataLoader(train_ds, n, shuffle=True, drop_last=True)
    score = torch.utils.data.DataLoader(eval_ds, n)
    return fit, score
"""


def test_forms():
    form = "shuffle=True, drop_last=True copied onto the evaluation loader"
    assert forms("validation-loader-drops-samples", PAIR) == [
        (form, ["val_loader = DataLoader(val_set, batch_size=bs, shuffle=True, drop_last=True)"]),
        (form, ["test_loader = DataLoader(test_set, batch_size=bs, shuffle=True, drop_last=True)"]),
    ]
    assert forms("validation-loader-drops-samples", HELPER) == [
        (form, ["score = torch.utils.data.DataLoader(eval_ds, n, shuffle=True, drop_last=True)"])]


def test_near_misses():
    # a lone loader (nothing tells it from a training loader), a loader with a sampler, one without batches
    assert mutate("validation-loader-drops-samples", "from torch.utils.data import DataLoader\nl = DataLoader(d, batch_size=4)\n") == []
    sampler = PAIR.replace("val_loader = DataLoader(val_set, batch_size=bs)", "val_loader = DataLoader(val_set, batch_size=bs, sampler=s)")
    assert len(mutate("validation-loader-drops-samples", sampler)) == 1
    unbatched = PAIR.replace("val_loader = DataLoader(val_set, batch_size=bs)", "val_loader = DataLoader(val_set)")
    assert len(mutate("validation-loader-drops-samples", unbatched)) == 1


def test_loader_coverage_check():
    every = obs(loaders=[["train", 5, [4, 1, 0, 3]], ["validate", 5, [0, 1, 2, 3, 4]]])
    lossy = obs(loaders=[["train", 5, [3, 0, 2, 1]], ["validate", 5, [3, 0, 4, 1]]])
    assert checks.loader_coverage(every, every) is None
    assert checks.loader_coverage(every, lossy) == (
        "during validate() a pass over the DataLoader gives 4 of its 5 samples; the reference's gives every sample")
