"""stack-instead-of-cat: torch.stack where torch.cat was meant, or the reverse."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree

_CAT = ("torch.cat", "torch.concat", "torch.concatenate")
_STACK = "torch.stack"
# Reading the joined tensor back as a flat or reshaped one hides where the new dim went:
# torch.stack([a, b], dim=1).flatten(1) is torch.cat([a, b], dim=1).
_RESHAPES = {"view", "reshape", "flatten", "ravel"}
# So does a reduction over every element: torch.stack([a, b]).sum() is torch.cat([a, b]).sum().
_FULL_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "amax", "amin", "any", "all", "norm", "numel", "nansum",
                    "nanmean", "std", "var"}


def _reshaped(tree: Tree, call: cst.Call) -> bool:
    parent = tree.parent(call)
    if not isinstance(parent, cst.Attribute):
        return False
    if parent.attr.value in _RESHAPES:
        return True
    reduction = tree.parent(parent)
    return parent.attr.value in _FULL_REDUCTIONS and isinstance(reduction, cst.Call) and not reduction.args


def _renamed(call: cst.Call, name: str) -> cst.Call:
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(name)))


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call(func=m.Attribute(value=m.Name("torch")))):
        if not call.args or _reshaped(tree, call):
            continue
        if tree.refers_to(call.func, *_CAT):
            yield Edit(call, call, _renamed(call, "stack"), "torch.stack instead of torch.cat")
        elif tree.refers_to(call.func, _STACK):
            yield Edit(call, call, _renamed(call, "cat"), "torch.cat instead of torch.stack")


BUG = BugClass(
    id="stack-instead-of-cat",
    title="torch.stack and torch.cat mixed up",
    symptom="RuntimeError: stack expects each tensor to be equal size ..., or 'zero-dimensional "
            "tensor cannot be concatenated'; when the shapes allow it, a result with one dim too "
            "many or too few, so a later layer complains or the numbers land in the wrong place.",
    why="torch.cat joins tensors along a dim they already have: (N, A) and (N, B) along dim 1 "
        "give (N, A + B). torch.stack adds a new dim and needs equal shapes: two (N, F) tensors "
        "give (N, 2, F) on dim 1. Using one for the other changes the rank of the result.",
    fix="Use torch.cat to grow an existing dim (features, channels, samples) and torch.stack to "
        "collect same-shaped tensors (or scalars) along a new dim; print the result's shape.",
    guide="section 2.2 (concatenation and stacking)",
    family="shapes and dims",
    hints=(
        "Print the shapes of the inputs and of the result of each cat/stack.",
        "Should the result have the same number of dims as its inputs, or one more?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
