"""accumulation-loss-not-divided: accumulated gradients are a sum, not a mean."""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.move import moved
from bughunt.mutator.statements import same_iteration
from bughunt.mutator.step_calls import accumulation_ifs, backward_statements

_ACCUM = re.compile(r"accum|n_micro|micro_batches")


def _is_accum(node: cst.BaseExpression) -> bool:
    """``accum_steps``, ``self.accumulation_steps``, ``cfg.grad_accum``: the accumulation count."""
    return bool(_ACCUM.search(dotted(node).lower()))


def _accumulates(tree: Tree, node: cst.CSTNode) -> bool:
    """``node`` sits in a function with an accumulation condition and a backward()."""
    function = tree.enclosing(node, cst.FunctionDef)
    return function is not None and bool(accumulation_ifs(tree, function)) and bool(
        m.findall(function, m.Call(func=m.Attribute(attr=m.Name("backward")))))


def _division_statements(tree: Tree) -> Iterator[tuple[cst.SimpleStatementLine, str]]:
    """``loss = loss / accum_steps`` and ``loss /= accum_steps``, with the name they scale."""
    scale = m.SimpleStatementLine(body=[
        m.Assign(targets=[m.AssignTarget(m.Name())], value=m.BinaryOperation(operator=m.Divide()))
        | m.AugAssign(target=m.Name(), operator=m.DivideAssign())])
    for statement in tree.find(scale):
        small = statement.body[0]
        if isinstance(small, cst.AugAssign):
            if _is_accum(small.value):
                yield statement, small.target.value
            continue
        name = small.targets[0].target.value
        if _is_accum(small.value.right) and m.matches(small.value.left, m.Name(name)):
            yield statement, name


def mutate(tree: Tree) -> Iterator[Edit]:
    scaling = dict(_division_statements(tree))
    for statement, name in scaling.items():
        if not _accumulates(tree, statement):
            continue
        yield Edit(statement, statement, cst.RemoveFromParent(), "division removed")
        later = [b for b in backward_statements(tree)
                 if tree.line(b) > tree.line(statement) and same_iteration(tree, b, statement)]
        if later:  # scaled only after backward(): only the logged value is divided
            yield Edit(statement, *moved(tree, statement, later[0], after=True), "division after backward()")
    # inline: loss = criterion(...) / accum_steps, (loss / accum_steps).backward()
    for division in tree.find(m.BinaryOperation(operator=m.Divide())):
        if not _is_accum(division.right) or tree.statement(division) in scaling:
            continue
        if _accumulates(tree, division):
            yield Edit(division, division, division.left, "division dropped")


BUG = BugClass(
    id="accumulation-loss-not-divided",
    title="Gradient accumulation without dividing the loss by accum_steps",
    symptom="No error. Training with accumulation behaves like training with a learning rate "
            "accum_steps times too large: the gradient norm grows with accum_steps, clipping "
            "kicks in far more often, and the loss can become unstable.",
    why="backward() adds into .grad, so after accum_steps micro-batches .grad holds the SUM of "
        "their gradients. One large batch would give their MEAN. Dividing each micro-batch "
        "loss by accum_steps before backward() turns the sum into the mean.",
    fix="Scale each micro-batch loss before backward(): (loss / accum_steps).backward(). Log "
        "the unscaled loss if you want comparable numbers.",
    guide="Level 3 gradient accumulation, industry patterns table, Quiz Q1 and Q8",
    family="the training loop",
    hints=(
        "Compare the gradient norm at each step for accum_steps=1 and accum_steps=4 on the same data.",
        "After accum_steps backward() calls, is .grad the mean or the sum of the micro-batch gradients?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
