"""clip-before-backward: gradient clipping runs where it clips nothing useful."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, names_read
from bughunt.mutator.move import moved
from bughunt.mutator.statements import assigned_names, same_iteration
from bughunt.mutator.step_calls import backward_statements, clip_statements, optimizer_step_statements


def _read_between(tree: Tree, clip: cst.SimpleStatementLine, step: cst.SimpleStatementLine) -> bool:
    """A statement between the clip and the step reads what the clip call returned."""
    bound = set(assigned_names(clip))
    if not bound:
        return False
    function = tree.enclosing(clip, cst.FunctionDef)
    between = [s for s in m.findall(function, m.SimpleStatementLine())
               if tree.line(clip) < tree.line(s) <= tree.line(step)]
    return bool(bound & names_read(between))


def mutate(tree: Tree) -> Iterator[Edit]:
    backwards = backward_statements(tree)
    steps = optimizer_step_statements(tree)
    for clip in clip_statements(tree):
        before = [b for b in backwards if tree.line(b) < tree.line(clip) and same_iteration(tree, b, clip)]
        after = [s for s in steps if tree.line(s) > tree.line(clip) and same_iteration(tree, s, clip)]
        if not before or not after:
            continue  # not between a backward() and a step(): nothing to misplace
        # clipping the gradients that are about to be replaced: .grad is still empty or stale
        yield Edit(clip, *moved(tree, clip, before[-1]), "clip before backward()")
        # clipping after the update: the step has already used the full gradient
        if not _read_between(tree, clip, after[0]):
            yield Edit(clip, *moved(tree, clip, after[0], after=True), "clip after step()")


BUG = BugClass(
    id="clip-before-backward",
    title="Gradient clipping before backward() or after step()",
    symptom="No error, and clip_grad_norm_ is called every step, yet the updates are as large "
            "as without clipping: loss spikes and divergence come back.",
    why="clip_grad_norm_ rescales the gradients that are in .grad when it runs. Before "
        "backward() those are empty or left over from the previous step; after step() the "
        "update has already been made with the unclipped gradient.",
    fix="Clip between the last backward() of the step and optimizer.step(): backward -> clip -> step.",
    guide="Level 3 gradient clipping, industry patterns table, Quiz Q4",
    family="the training loop",
    hints=(
        "Log the gradient norm that optimizer.step() actually sees. Is it ever above max_norm?",
        "Which gradients does the clipping call rescale at the moment it runs?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
