"""amp-unscale-twice: scaler.unscale_(optimizer) called twice in one iteration."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.grad_scaler import scaler_calls


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in scaler_calls(tree, "unscale_"):
        yield Edit(statement, statement, cst.FlattenSentinel([statement, statement]), "scaler.unscale_ twice")


BUG = BugClass(
    id="amp-unscale-twice",
    title="Mixed precision: unscale_ called twice",
    symptom="RuntimeError: unscale_() has already been called on this optimizer since the last update().",
    why="unscale_ divides the gradients by the scale in place; doing it twice would divide twice, so "
        "GradScaler refuses. It happens when clipping code and a helper both unscale.",
    fix="Unscale once per iteration, right before the first code that reads the gradients.",
    guide="Mixed precision (FP16) concepts; industry patterns: gradient clipping with a GradScaler",
    family="devices and mixed precision",
    hints=(
        "Read the exception: which call is repeated?",
        "Count the unscale_ calls between backward() and step().",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
