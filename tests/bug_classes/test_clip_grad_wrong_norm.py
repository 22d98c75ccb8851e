"""clip-grad-wrong-norm: clip_grad_norm_ given norm_type=inf, or swapped for clip_grad_value_."""

from __future__ import annotations

from .helpers import ACCUMULATION, AMP, forms, mutate

# another style: clip_grad_norm_ imported by name, max_norm by position
BY_NAME = """
from torch.nn.utils import clip_grad_norm_

def step(model, loss, opt):
    loss.backward()
    clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
"""


def test_forms_of_an_assigned_clip():
    # the returned norm is used: clip_grad_value_ (which returns None) would only crash
    assert forms("clip-grad-wrong-norm", ACCUMULATION) == [
        ("norm_type=inf: the largest entry, not the L2 norm",
         ['norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5, norm_type=float("inf"))'])]


def test_forms_of_a_clip_statement():
    assert forms("clip-grad-wrong-norm", AMP) == [
        ("norm_type=inf: the largest entry, not the L2 norm",
         ['nn.utils.clip_grad_norm_(model.parameters(), 1.0, norm_type=float("inf"))']),
        ("clip_grad_value_ with the max norm as the value bound", ["nn.utils.clip_grad_value_(model.parameters(), 1.0)"]),
    ]
    assert [f for f, _ in forms("clip-grad-wrong-norm", BY_NAME)] == ["norm_type=inf: the largest entry, not the L2 norm"]


def test_near_misses():
    # a norm type the program chose, and clipping by value already
    assert mutate("clip-grad-wrong-norm", BY_NAME.replace("1.0)", "1.0, norm_type=1)")) == []
    assert mutate("clip-grad-wrong-norm", AMP.replace("clip_grad_norm_", "clip_grad_value_")) == []
