"""softmax-wrong-dim: a softmax normalises over a dimension other than the intended one."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.rewrite import int_literal, int_node

_FUNCTIONS = {f"{prefix}.{name}" for prefix in ("torch", "F", "torch.nn.functional", "nn.functional")
              for name in ("softmax", "log_softmax")}
_METHODS = {"softmax", "log_softmax"}
_MODULES = {f"{prefix}{name}" for prefix in ("nn.", "torch.nn.", "") for name in ("Softmax", "LogSoftmax")}


def _dim_arg(call: cst.Call) -> Optional[cst.Arg]:
    """The argument that holds ``dim`` in any spelling, if it is given."""
    name = dotted(call.func)
    if name in _FUNCTIONS:
        position = 1
    elif name in _MODULES or m.matches(call.func, m.Attribute(attr=m.Name())) and call.func.attr.value in _METHODS:
        position = 0
    else:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "dim":
            return arg
    positional = [a for a in call.args if a.keyword is None]
    return positional[position] if len(positional) > position else None


def wrong_dims(dim: int) -> list[int]:
    """Other dims that differ from ``dim`` for EVERY tensor rank where ``dim`` is valid.

    A wrong dim that names the same axis for some rank would be an equivalent mutant there:
    for a 1-D tensor, dims 0 and -1 are one axis; for a 2-D tensor 1 and -1, 0 and -2 are.
    So -1 only moves to -2 and 1 only to 0 (both raise on ranks where they do not exist).
    """
    if dim == -1:
        return [-2]
    if dim == -2:
        return [-1]
    if dim < -2:
        return [-1, dim + 1]
    if dim == 0:
        return [1]
    if dim == 1:
        return [0]
    return [0, dim - 1]


def _never_used(tree: Tree, call: cst.Call) -> bool:
    """``self.softmax = nn.Softmax(dim=0)`` (or ``sm = ...``) that nothing reads again: its dim
    changes nothing."""
    assign = tree.parent(call)
    if not (dotted(call.func) in _MODULES and isinstance(assign, cst.Assign) and len(assign.targets) == 1):
        return False
    target = assign.targets[0].target
    if m.matches(target, m.Attribute(value=m.Name("self"), attr=m.Name())):
        uses = tree.find(m.Attribute(value=m.Name("self"), attr=m.Name(target.attr.value)))
    elif isinstance(target, cst.Name):
        uses = tree.find(m.Name(target.value))
    else:
        return False
    return all(use is target or tree.parent(use) is target for use in uses)


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        arg = _dim_arg(call)
        dim = int_literal(arg.value) if arg is not None else None
        if dim is None or _never_used(tree, call):
            continue
        for wrong in wrong_dims(dim):
            yield Edit(call, arg, arg.with_changes(value=int_node(wrong)), f"dim={wrong}")


BUG = BugClass(
    id="softmax-wrong-dim",
    title="Softmax over the wrong dimension",
    symptom="No error. Probabilities that do not sum to 1 per sample (or per query), attention "
            "that mixes information across the batch, heads or queries, and a model that learns "
            "slowly or not at all; with a batch of one, 'probabilities' that are all 1.",
    why="softmax(x, dim) makes the entries along dim positive and sum to 1, independently for "
        "every position of the other dims. The dim must be the one that lists the alternatives: "
        "the classes of (N, C) logits (dim=1 or -1), the keys of (..., L_q, L_k) attention scores "
        "(dim=-1). Normalising over the batch or the queries makes every output depend on the "
        "other samples or queries.",
    fix="Pass the dim that indexes the alternatives: dim=-1 for attention scores over the keys, "
        "dim=1 for (N, C) class logits. Check that the result sums to 1 along that dim.",
    guide="folder 11 (scaled dot-product attention), section 4.5 (shape checklist)",
    family="shapes and dims",
    hints=(
        "Sum the softmax output along each dim. Along which one do you get all ones, and is that the one you meant?",
        "Write the shape of the tensor going into the softmax and name each dim. Which one holds the alternatives?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
