"""lr-decayed-twice: a manual learning-rate decay on top of the scheduler that already decays it."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.bug_catalog.scheduler_per_batch import _schedulers
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of
from bughunt.mutator.statements import method_call_statements, receiver

_FACTOR = ("gamma", "factor")  # StepLR/ExponentialLR/MultiStepLR, ReduceLROnPlateau


def _constructions(tree: Tree, name: str) -> list[cst.Assign]:
    """The statements that build the scheduler bound to ``name``."""
    return [assign for assign in tree.find(m.Assign(targets=[m.AssignTarget(target=m.Name(name))], value=m.Call()))
            if tree.refers_within(assign.value.func, "torch.optim.lr_scheduler")]


def mutate(tree: Tree) -> Iterator[Edit]:
    schedulers = _schedulers(tree)
    for statement in method_call_statements(tree, "step"):
        name = receiver(statement)
        if name not in schedulers or not isinstance(tree.parent(statement), cst.IndentedBlock):
            continue
        optimizer, factor = f"{name}.optimizer", "0.5"
        for assign in _constructions(tree, name)[:1]:
            built = assign.value
            positional = [a.value for a in built.args if a.keyword is None]
            same_scope = tree.enclosing(assign, cst.FunctionDef) is tree.enclosing(statement, cst.FunctionDef)
            if same_scope and positional and isinstance(positional[0], cst.Name):
                optimizer = positional[0].value  # else reach it through the scheduler
            given = [a.value for a in built.args if a.keyword is not None and a.keyword.value in _FACTOR]
            if given and isinstance(given[0], (cst.Float, cst.Integer)):
                factor = code_of(given[0])
        every = cst.parse_statement(f"for group in {optimizer}.param_groups:\n    group[\"lr\"] *= {factor}\n")
        first = cst.parse_statement(f"{optimizer}.param_groups[0][\"lr\"] *= {factor}\n")
        yield Edit(statement, statement, cst.FlattenSentinel([statement, every]),
                   "every param group's lr also decayed by hand after scheduler.step()")
        yield Edit(statement, statement, cst.FlattenSentinel([statement, first]),
                   "param_groups[0]['lr'] also decayed by hand after scheduler.step()")


BUG = BugClass(
    id="lr-decayed-twice",
    title="The learning rate decayed twice: by the scheduler and by hand",
    symptom="No error. The learning rate falls much faster than the schedule says (the square of "
            "the intended decay per epoch) and training stalls early.",
    why="A scheduler reads the optimizer's current lr from param_groups and multiplies it. A manual "
        "decay of param_group['lr'] in the same loop is compounded with it: each epoch applies "
        "both factors.",
    fix="Decay the learning rate in one place: either the scheduler's step() once per epoch, or "
        "the manual update, never both.",
    guide="Bug 10 (LR scheduler step); fault family: hyperparameters",
    hints=(
        "Print optimizer.param_groups[0]['lr'] once per epoch and compare it with what the "
        "scheduler's settings promise.",
        "Search for every line that changes the learning rate.",
    ),
    mutate=mutate,
    detect=checks.lr_schedule,
    family="hyperparameters",
)
