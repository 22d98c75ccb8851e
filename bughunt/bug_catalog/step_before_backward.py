"""step-before-backward: optimizer.step() runs before loss.backward() has made the gradients."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.move import applied, moved
from bughunt.mutator.statements import block_owner, method_call_statements, same_iteration, unit_in
from bughunt.mutator.step_calls import backward_statements, optimizer_step_statements


def _backward_before(tree: Tree, step: cst.SimpleStatementLine) -> Optional[cst.SimpleStatementLine]:
    """The last backward() that runs before ``step`` in the same iteration."""
    earlier = [b for b in backward_statements(tree) if tree.line(b) < tree.line(step) and same_iteration(tree, b, step)]
    return earlier[-1] if earlier else None


def mutate(tree: Tree) -> Iterator[Edit]:
    for step in optimizer_step_statements(tree):
        backward = _backward_before(tree, step)
        if backward is None:
            continue
        owner = block_owner(tree, backward)
        unit = unit_in(tree, step, owner)  # the step itself, or the `if` that guards it
        if unit is None:
            continue
        early = moved(tree, unit, backward)
        yield Edit(step, *early, "step() before backward()")
        # step() first thing in the iteration, before the gradients are cleared
        clears = [z for z in method_call_statements(tree, "zero_grad")
                  if block_owner(tree, z) is owner and tree.line(z) < tree.line(backward)]
        if clears:
            first = moved(tree, unit, clears[0])
            if applied(tree, *first) != applied(tree, *early):
                yield Edit(step, *first, "step() before zero_grad()")


BUG = BugClass(
    id="step-before-backward",
    title="optimizer.step() called before loss.backward()",
    symptom="No error. The loss barely moves, or training lags one batch behind: each update "
            "uses no gradient at all, or the gradient of an earlier batch.",
    why="optimizer.step() applies whatever is in .grad at that moment. Before backward() has "
        "run for the current batch, .grad is empty (after zero_grad) or still holds an old "
        "gradient, so the step is wasted or uses stale information.",
    fix="Keep the order zero_grad() -> forward -> loss -> backward() -> (clip) -> step().",
    guide="section 5.1 (standard loop), section 5.3 (gradient flow checklist), Quiz Q4",
    family="the training loop",
    hints=(
        "Print the gradient norm of the parameters right before every optimizer step.",
        "Write down the order of the calls in one iteration: what does step() need, and where is it made?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
