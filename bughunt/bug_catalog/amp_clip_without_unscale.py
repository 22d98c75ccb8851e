"""amp-clip-without-unscale: gradients clipped while they are still multiplied by the scale."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.grad_scaler import scaler_calls
from bughunt.mutator.step_calls import clips_later


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in scaler_calls(tree, "unscale_"):
        if clips_later(tree, statement):
            yield Edit(statement, statement, cst.RemoveFromParent(), "scaler.unscale_ removed before clipping")


BUG = BugClass(
    id="amp-clip-without-unscale",
    title="Mixed precision: clipping the scaled gradients",
    symptom="No error. Clipping sees a gradient norm tens of thousands of times too large and shrinks "
            "every step to almost nothing; training crawls.",
    why="After scaler.scale(loss).backward() the .grad tensors hold gradient x scale. scaler.step would "
        "unscale them, but clip_grad_norm_ runs before that and clips the scaled values against a "
        "max_norm meant for true gradients.",
    fix="Call scaler.unscale_(optimizer) right before clipping; scaler.step then knows not to unscale twice.",
    guide="Mixed precision (FP16) concepts; industry patterns: gradient clipping, mixed precision",
    family="devices and mixed precision",
    hints=(
        "Print the norm clip_grad_norm_ returns. Is it plausible for this model?",
        "What has been done to the gradients at the moment they are clipped?",
    ),
    mutate=mutate,
    detect=checks.same_final_params,
)
