"""accumulation-zero-grad-every-batch: the gradients are cleared on every micro-batch."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.move import applied, moved, reworded
from bughunt.mutator.statements import block_owner, enclosing_loops, method_call_statements, same_iteration
from bughunt.mutator.step_calls import backward_statements, is_modulo_test


def mutate(tree: Tree) -> Iterator[Edit]:
    for clear in method_call_statements(tree, "zero_grad"):
        guard = block_owner(tree, clear)
        if not isinstance(guard, cst.If) or not is_modulo_test(tree, guard.test) or not enclosing_loops(tree, guard):
            continue
        alone = len(guard.body.body) == 1 and guard.orelse is None
        # the group condition dropped: zero_grad() runs where the `if` was, on every micro-batch
        # (the `if` is the block that moves away here: its comment lines stay with the call)
        if alone:
            container, replacement = guard, reworded(clear).with_changes(leading_lines=guard.leading_lines)
        else:
            container, replacement = moved(tree, clear, guard, after=guard.body.body[0] is not clear)
        yield Edit(clear, container, replacement, "zero_grad() on every micro-batch")
        # the standard loop's habit: zero_grad() right before backward()
        backwards = [b for b in backward_statements(tree) if same_iteration(tree, b, guard)]
        if backwards:
            before = moved(tree, clear, backwards[0], drop=guard if alone else None)
            if applied(tree, *before) != applied(tree, container, replacement):
                yield Edit(clear, *before, "zero_grad() right before backward()")


BUG = BugClass(
    id="accumulation-zero-grad-every-batch",
    title="zero_grad() on every micro-batch of an accumulation loop",
    symptom="No error, but accumulation does nothing: each optimizer step only sees the "
            "gradient of the last micro-batch, which is 1/accum_steps of what it should be.",
    why="Gradient accumulation relies on backward() adding into .grad across the micro-batches "
        "of a group. Clearing .grad before every micro-batch throws away all but the last one.",
    fix="Call optimizer.zero_grad() once per group: at its first micro-batch (i % accum_steps == 0), "
        "or right after each optimizer.step().",
    guide="Level 3 gradient accumulation, section 5.3, Quiz Q8",
    family="the training loop",
    hints=(
        "Compare the gradient each step sees with the sum of its micro-batches' gradients.",
        "How many micro-batches' gradients are in .grad when optimizer.step() runs?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
