"""best-state-not-copied: the kept "best" state is the live state_dict(), or a shallow copy of it."""

from __future__ import annotations

from .helpers import forms, mutate

DEEPCOPY = """
import copy

def fit(model, epochs):
    best, best_state = 0.0, None
    for epoch in range(epochs):
        acc = train_and_score(model)
        if acc > best:
            best, best_state = acc, None
            best_state = copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
"""

# another style: a dict comprehension of clones, deepcopy imported by name
CLONES = """
from copy import deepcopy

def fit(net):
    snapshot = {k: v.detach().clone() for k, v in net.state_dict().items()}
    train(net)
    net.load_state_dict(snapshot)
"""


def test_forms():
    assert forms("best-state-not-copied", DEEPCOPY) == [
        ("the live state_dict() kept, not a copy", ["best_state = model.state_dict()"]),
        ("a shallow copy of state_dict()", ["best_state = model.state_dict().copy()"]),
    ]
    assert forms("best-state-not-copied", CLONES) == [
        ("the live state_dict() kept, not a copy", ["snapshot = net.state_dict()"]),
        ("a shallow copy of state_dict()", ["snapshot = net.state_dict().copy()"]),
    ]


def test_near_misses():
    # a copy that is saved to a file, never restored, and a deepcopy of something else
    saved = DEEPCOPY.replace("model.load_state_dict(best_state)", "torch.save(best_state, path)")
    assert mutate("best-state-not-copied", saved) == []
    other = DEEPCOPY.replace("copy.deepcopy(model.state_dict())", "copy.deepcopy(model)")
    assert mutate("best-state-not-copied", other) == []
