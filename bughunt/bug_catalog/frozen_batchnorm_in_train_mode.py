"""frozen-batchnorm-in-train-mode: the frozen backbone's BatchNorm still updates its statistics."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.modes import BATCHNORM, constructs, eval_statements
from bughunt.mutator.move import moved
from bughunt.mutator.statements import block_owner, method_call_statements, receiver, unit_in

def _model_train(tree: Tree, statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine | None:
    """The ``model.train()`` that runs before ``model.backbone.eval()`` in the same function."""
    target = receiver(statement)
    function = tree.enclosing(statement, cst.FunctionDef)
    found = None
    for train in method_call_statements(tree, "train"):
        if (not train.body[0].value.args and target.startswith(receiver(train) + ".")
                and tree.enclosing(train, cst.FunctionDef) is function and tree.line(train) < tree.line(statement)):
            found = train
    return found


def mutate(tree: Tree) -> Iterator[Edit]:
    if not constructs(tree, *BATCHNORM):
        return
    for statement in eval_statements(tree):
        train = _model_train(tree, statement)
        if train is None:
            continue  # a submodule put in eval mode on its own, not one kept frozen inside training
        unit = unit_in(tree, statement, block_owner(tree, train))
        if unit is not None and tree.parent(unit) is tree.parent(train):
            yield Edit(statement, *moved(tree, unit, train), f"{receiver(statement)}.eval() before {receiver(train)}.train()")
        call = statement.body[0].value
        if call.func.attr.value == "eval":
            yield Edit(statement, call, call.func, f"{receiver(statement)}.eval without the call")


BUG = BugClass(
    id="frozen-batchnorm-in-train-mode",
    title="The frozen backbone's BatchNorm still runs in training mode",
    symptom="No error. The backbone's weights stay frozen, yet its BatchNorm running mean and "
            "variance drift during stage 1, and the head learns on features normalised with "
            "per-batch statistics instead of the backbone's own.",
    why="requires_grad=False stops gradient updates, not BatchNorm's running statistics: in "
        "training mode BatchNorm normalises with the batch's statistics and updates its running "
        "averages on every forward. model.train() puts every submodule in training mode, so the "
        "frozen part must be switched back with backbone.eval() after it, at every epoch.",
    fix="Call model.backbone.eval() after model.train() in each epoch of the frozen stage, with "
        "the parentheses.",
    guide="Cumulative (folder 08), two-stage training; Bug 9 (BatchNorm and eval)",
    family="train and eval modes",
    hints=(
        "Print the backbone's BatchNorm running_mean before and after stage 1. Should it change?",
        "What mode is the backbone in when the first batch of stage 1 goes through it?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
