"""missing-zero-grad: gradients are never cleared between optimizer steps."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.move import hoistable, hoisted
from bughunt.mutator.statements import enclosing_loops, method_call_statements


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in method_call_statements(tree, "zero_grad"):
        loops = enclosing_loops(tree, statement)
        if not loops:
            continue
        yield Edit(statement, statement, cst.RemoveFromParent(), "zero_grad() removed")
        loop = loops[0]
        if len(loop.body.body) > 1 and hoistable(tree, statement, loop):  # hoisted: cleared once, before the loop, then never again
            yield Edit(statement, *hoisted(statement, loop), "zero_grad() before the loop")


BUG = BugClass(
    id="missing-zero-grad",
    title="Gradients never zeroed between steps",
    symptom="No error. The loss falls more slowly, wobbles or diverges; each step's gradient is "
            "the sum of every batch's gradient so far.",
    why="backward() adds into .grad instead of overwriting it, so that gradients can be "
        "accumulated on purpose. Without optimizer.zero_grad() before each backward, every "
        "step also re-applies all earlier gradients.",
    fix="Call optimizer.zero_grad() once per step, before loss.backward() (the usual place is the "
        "top of the batch loop).",
    guide="section 5.1 (the standard loop), section 5.3 (gradient flow checklist)",
    family="the training loop",
    hints=(
        "Compare the gradient norm of the second step with the first one's. Should it keep growing?",
        "Walk through one iteration of the batch loop: what happens to .grad between two steps?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    canonical=True,
)
