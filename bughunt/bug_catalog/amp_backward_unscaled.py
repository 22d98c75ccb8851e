"""amp-backward-unscaled: backward() on the loss itself instead of on scaler.scale(loss)."""

from __future__ import annotations

from typing import Iterator

import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.grad_scaler import scaler_names


def mutate(tree: Tree) -> Iterator[Edit]:
    scalers = scaler_names(tree)
    scaled = m.Call(func=m.Attribute(value=m.Call(func=m.Attribute(attr=m.Name("scale")), args=[m.Arg()]),
                                     attr=m.Name("backward")))
    for call in tree.find(scaled):
        inner = call.func.value
        if dotted(inner.func.value) in scalers:  # scaler.scale(loss), self.scaler.scale(loss)
            yield Edit(call, inner, inner.args[0].value, "loss.backward() without scaler.scale")


BUG = BugClass(
    id="amp-backward-unscaled",
    title="Mixed precision: backward() on the unscaled loss",
    symptom="AssertionError: Attempted unscale_ but _scale is None ... or, once the scaler has a scale, no "
            "error: the gradients are divided by the scale factor (65536) without ever having been "
            "multiplied by it, so the model barely moves.",
    why="GradScaler's contract is: scaler.scale(loss).backward() multiplies the loss, so the float16 "
        "gradients do not underflow, and unscale_/step divide by the same factor. Calling loss.backward() "
        "skips the multiplication but not the division.",
    fix="Call scaler.scale(loss).backward() (and keep loss.backward() only where no scaler is used).",
    guide="Mixed precision (FP16) concepts; industry patterns: mixed precision; Quiz Q2",
    family="devices and mixed precision",
    hints=(
        "Compare how far the weights move in one step with and without mixed precision.",
        "Which calls must go through the scaler, and which one here does not?",
    ),
    mutate=mutate,
    detect=checks.same_final_params,
)
