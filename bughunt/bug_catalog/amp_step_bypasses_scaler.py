"""amp-step-bypasses-scaler: optimizer.step() called directly instead of scaler.step(optimizer)."""

from __future__ import annotations

from typing import Iterator


from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, expr, code_of
from bughunt.mutator.grad_scaler import scaler_calls


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in scaler_calls(tree, "step"):
        call = statement.body[0].value
        if len(call.args) == 1:
            optimizer = code_of(call.args[0].value)
            yield Edit(statement, call, expr(f"{optimizer}.step()"), f"{optimizer}.step() instead of scaler.step")


BUG = BugClass(
    id="amp-step-bypasses-scaler",
    title="Mixed precision: the optimizer stepped directly, not through the scaler",
    symptom="AssertionError: No inf checks were recorded prior to update. Or, when unscale_ ran first, "
            "no error until a step overflows: then inf/NaN gradients are applied and the weights become NaN.",
    why="scaler.step(optimizer) unscales if needed, checks the gradients for inf/NaN, and skips the "
        "step when they overflowed (normal in the first float16 iterations, while the scale settles). "
        "optimizer.step() applies whatever is in .grad.",
    fix="Step through the scaler: scaler.step(optimizer), then scaler.update().",
    guide="Mixed precision (FP16) concepts; industry patterns: mixed precision",
    family="devices and mixed precision",
    hints=(
        "Check the weights after the first few steps with a batch of one. Are they finite?",
        "Who decides whether a step with overflowed gradients is applied?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
