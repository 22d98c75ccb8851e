"""view-instead-of-permute: view/reshape used to reorder dims: the right shape, scrambled data."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr
from bughunt.mutator.tensor_ops import int_args, is_simple, shape_call

# A transpose or permute right before one of these is the merge step of multi-head attention
# (x.transpose(1, 2).contiguous().view(...)): a different bug class owns it.
_MERGE = {"contiguous", "view", "reshape", "flatten"}


def _sizes(tensor: str, order: list[int]) -> list[str]:
    return [f"{tensor}.size({d})" for d in order]


def _permute_shape(tensor: str, args: tuple[cst.Arg, ...]) -> Optional[list[str]]:
    """``x.permute(0, 2, 1)`` -> the sizes of its result: x.size(0), x.size(2), x.size(1)."""
    order = int_args(args, keyword="dims")
    if order is None or sorted(order) != list(range(len(order))) or order == sorted(order):
        return None  # not a literal permutation, or the identity
    return _sizes(tensor, order)


def _transpose_shape(tensor: str, args: tuple[cst.Arg, ...]) -> Optional[list[str]]:
    """``x.transpose(1, 2)`` -> x.size(0), x.size(2), x.size(1) (the rank its dims imply);
    ``x.transpose(-2, -1)`` -> *x.shape[:-2], x.size(-1), x.size(-2) (any rank)."""
    dims = int_args(args, keyword="dim0") if len(args) == 2 and not any(a.keyword for a in args) else None
    if dims is None or dims[0] == dims[1]:
        return None
    low, high = sorted(dims)
    if low >= 0:
        order = list(range(high + 1))
        order[low], order[high] = high, low
        return _sizes(tensor, order)
    if high < 0:
        order = list(range(low, 0))
        order[0], order[-1] = high, low
        return [f"*{tensor}.shape[:{low}]", *_sizes(tensor, order)]
    return None  # one dim from each end: the rank decides, and it is unknown


def _feeds_merge(tree: Tree, call: cst.Call) -> bool:
    parent = tree.parent(call)
    return isinstance(parent, cst.Attribute) and parent.attr.value in _MERGE


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        for op, shape_of in (("permute", _permute_shape), ("transpose", _transpose_shape)):
            found = shape_call(call, op)
            if found is None or not is_simple(found.tensor):
                continue  # the tensor would be written out again in the sizes: only a plain name
            if _feeds_merge(tree, call):
                continue
            tensor = code_of(found.tensor)
            sizes = shape_of(tensor, found.args)
            if sizes is None:
                continue
            for method in ("view", "reshape"):
                yield Edit(call, call, expr(f"{tensor}.{method}({', '.join(sizes)})"), f"{method} instead of {op}")


BUG = BugClass(
    id="view-instead-of-permute",
    title="view/reshape used to reorder dims",
    symptom="No error (or, for view, 'view size is not compatible with input tensor's size and "
            "stride'): the tensor has the expected shape, but its values are scrambled across "
            "samples, channels and positions, and the model learns from noise.",
    why="view and reshape keep the elements in memory order and only regroup them into a new "
        "shape; they never move data between dims. Turning (N, L, C) into (N, C, L) that way "
        "cuts the flat sequence of numbers into new rows, so each 'channel' mixes several "
        "channels and time steps. permute and transpose actually swap the dims.",
    fix="Reorder dims with x.permute(...) or x.transpose(a, b) (add .contiguous() if a later "
        "view needs it); keep view/reshape for splitting or merging neighbouring dims.",
    guide="section 2.4 (permute and transpose), section 4.5 (shape checklist)",
    family="shapes and dims",
    hints=(
        "Make a small tensor with torch.arange, send it through that line, and print it.",
        "Does the line move values to other dims, or only give the same memory a new shape?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
