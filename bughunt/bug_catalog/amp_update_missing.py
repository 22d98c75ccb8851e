"""amp-update-missing: scaler.update() never called."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.grad_scaler import scaler_calls


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in scaler_calls(tree, "update"):
        yield Edit(statement, statement, cst.RemoveFromParent(), "scaler.update() removed")


BUG = BugClass(
    id="amp-update-missing",
    title="Mixed precision: scaler.update() missing",
    symptom="RuntimeError on the second step: unscale_() is being called after step() (or step() has "
            "already been called since the last update()).",
    why="GradScaler tracks each optimizer through one iteration: unscale, step, then update() resets "
        "that state and adapts the scale factor. Without update() the next iteration finds the "
        "optimizer still marked as stepped, and the scale never recovers after an overflow.",
    fix="Call scaler.update() once per iteration, after scaler.step(optimizer).",
    guide="Mixed precision (FP16) concepts: the order autocast, scale/backward, step, update",
    family="devices and mixed precision",
    hints=(
        "The first step works and the second fails: what state does the scaler carry between steps?",
        "List the four scaler calls an iteration needs, in order.",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
