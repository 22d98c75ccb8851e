"""heads-merged-without-transpose: attention heads split or merged with view/reshape alone."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import int_literal

_RESHAPE = m.Attribute(attr=m.Name("view") | m.Name("reshape"))


def _swaps_1_and_2(call: cst.Call) -> bool:
    """``.transpose(1, 2)``, ``.transpose(2, 1)`` or ``.permute(0, 2, 1, 3)``: heads <-> positions."""
    if not isinstance(call.func, cst.Attribute) or any(a.keyword for a in call.args):
        return False
    dims = [int_literal(a.value) for a in call.args]
    if call.func.attr.value == "transpose":
        return sorted(d for d in dims if d is not None) == [1, 2] and len(dims) == 2
    return call.func.attr.value == "permute" and dims == [0, 2, 1, 3]


def _inner(call: cst.Call, method: m.BaseMatcherNode) -> Optional[cst.Call]:
    """The call ``call`` is chained on (``a.view(...)`` in ``a.view(...).transpose(1, 2)``) if it matches."""
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if isinstance(receiver, cst.Call) and m.matches(receiver.func, method):
        return receiver
    return None


def _positional(call: cst.Call, count: int) -> bool:
    return len(call.args) == count and all(a.keyword is None and a.star == "" for a in call.args)


def _split_edits(tree: Tree) -> Iterator[Edit]:
    """``x.view(N, L, heads, d_k).transpose(1, 2)``: the split into heads."""
    for call in tree.find(m.Call(func=m.Attribute(attr=m.Name("transpose") | m.Name("permute")))):
        view = _inner(call, _RESHAPE)
        if view is None or not _swaps_1_and_2(call) or not _positional(view, 4):
            continue
        # (N, L, heads, d_k) straight into attention: it attends over the heads, not the positions
        yield Edit(call, call, view, "split without transpose")
        # (N, heads, L, d_k) in one view: the right shape, but every head gets scrambled features
        n, length, heads, d_k = view.args
        swapped = [n, heads.with_changes(comma=length.comma), length.with_changes(comma=heads.comma), d_k]
        yield Edit(call, call, view.with_changes(args=swapped), "split by viewing to (N, heads, L, d_k)")


def _merge_edits(tree: Tree) -> Iterator[Edit]:
    """``out.transpose(1, 2).contiguous().view(N, L, d_model)``: the merge of the heads."""
    for call in tree.find(m.Call(func=_RESHAPE)):
        if not _positional(call, 3):
            continue
        contiguous = _inner(call, m.Attribute(attr=m.Name("contiguous")))
        swap = _inner(contiguous or call, m.Attribute(attr=m.Name("transpose") | m.Name("permute")))
        if swap is None or not _swaps_1_and_2(swap):
            continue
        # drop the transpose: (N, heads, L, d_k) is read as if it were (N, L, heads, d_k)
        heads_first = swap.func.value
        chained = contiguous.with_changes(func=contiguous.func.with_changes(value=heads_first)) if contiguous \
            else heads_first
        yield Edit(call, call, call.with_changes(func=call.func.with_changes(value=chained)),
                   "merge without transpose")


def mutate(tree: Tree) -> Iterator[Edit]:
    yield from _split_edits(tree)
    yield from _merge_edits(tree)


BUG = BugClass(
    id="heads-merged-without-transpose",
    title="Attention heads split or merged without the transpose",
    symptom="Usually no error: the shapes come out right, but the outputs disagree with "
            "nn.MultiheadAttention and the model learns poorly. Sometimes a shape error where "
            "the mask meets scores of an unexpected shape.",
    why="view and reshape only re-read the same memory in a new shape; they never move data. "
        "Splitting (N, L, d_model) into heads needs view(N, L, heads, d_k) and THEN "
        "transpose(1, 2) to bring the heads in front of the positions. Viewing straight to "
        "(N, heads, L, d_k) cuts the sequence into pieces instead of the features; skipping the "
        "transpose makes attention run over the heads. Merging must undo it in reverse: "
        "transpose(1, 2), contiguous(), then view(N, L, d_model).",
    fix="Split with x.view(N, L, heads, d_k).transpose(1, 2); merge with "
        "out.transpose(1, 2).contiguous().view(N, L, d_model) (or .reshape).",
    guide="folder 11 (multi-head attention: splitting and merging heads)",
    family="shapes and dims",
    hints=(
        "Feed a tensor whose values are their own positions (torch.arange) through the split and merge. Do you get it back?",
        "Write the shape after every step of the split. Which dim holds the positions when attention runs?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
