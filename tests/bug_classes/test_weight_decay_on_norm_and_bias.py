"""weight-decay-on-norm-and-bias: the no-decay param group decays after all."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import forms, mutate, obs

HELPER = """
import torch

def groups(model, wd):
    decay = [p for p in model.parameters() if p.ndim > 1]
    rest = [p for p in model.parameters() if p.ndim <= 1]
    return [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}]

optimizer = torch.optim.AdamW(groups(model, 0.05), lr=1e-3)
"""

# another style: the groups inline, the decay given to the optimizer
INLINE = """
from torch import optim

opt = optim.SGD([{"params": weights}, {"params": norms_and_biases, "weight_decay": 0}], lr=0.1, weight_decay=1e-4)
"""


def test_forms_of_a_helper():
    assert forms("weight-decay-on-norm-and-bias", HELPER) == [
        ("the no-decay group given the decay value too",
         ['return [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": wd}]']),
        ("'weight_decay': 0 left out of the no-decay group",  # AdamW's default is 0.01
         ['return [{"params": decay, "weight_decay": wd}, {"params": rest}]']),
    ]


def test_forms_inline():
    assert [f for f, _ in forms("weight-decay-on-norm-and-bias", INLINE)] == [
        "the no-decay group given the decay value too", "'weight_decay': 0 left out of the no-decay group"]
    assert forms("weight-decay-on-norm-and-bias", INLINE)[0][1] == [
        'opt = optim.SGD([{"params": weights}, {"params": norms_and_biases, "weight_decay": 1e-4}], lr=0.1, weight_decay=1e-4)']


def test_near_misses():
    # Adam's default weight decay is 0: leaving the key out changes nothing, so only the copy is a site
    adam = HELPER.replace("AdamW", "Adam")
    assert [f for f, _ in forms("weight-decay-on-norm-and-bias", adam)] == ["the no-decay group given the decay value too"]
    # param groups by learning rate, no weight decay anywhere
    lrs = 'import torch\nopt = torch.optim.SGD([{"params": a}, {"params": b, "lr": 0.01}], lr=0.1)\n'
    assert mutate("weight-decay-on-norm-and-bias", lrs) == []


def test_weight_decay_check():
    def params(decay):
        return {"0.bias": {"role": "Linear.bias", "shape": [3], "weight_decay": decay}}

    assert checks.weight_decay(obs(params=params(0.0)), obs(params=params(0.0))) is None
    assert checks.weight_decay(obs(params=params(0.0)), obs(params=params(0.01))) == \
        "the optimizer updates 0.bias (a Linear.bias) with weight_decay 0.01; the reference's excludes it from weight decay"
