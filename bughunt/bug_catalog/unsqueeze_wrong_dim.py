"""unsqueeze-wrong-dim: a tensor is prepared for broadcasting with its new dims in the wrong place."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import int_literal, int_node
from bughunt.mutator.tensor_ops import ShapeCall, int_args, replace_nodes, shape_call

MAX_RANK = 6  # ranks tried when deciding whether two unsqueeze chains differ
FORMS_PER_CHAIN = 2


def _links(call: cst.Call) -> Optional[ShapeCall]:
    """``call`` as one ``unsqueeze(d)`` with a literal dim, else None."""
    link = shape_call(call, "unsqueeze")
    return link if link is not None and int_args(link.args) is not None and len(link.args) == 1 else None


def _chain(call: cst.Call) -> list[ShapeCall]:
    """The unsqueeze calls of a chain ``x.unsqueeze(a).unsqueeze(b)``, innermost first."""
    chain = []
    link = _links(call)
    while link is not None:
        chain.append(link)
        link = _links(link.tensor) if isinstance(link.tensor, cst.Call) else None
    return chain[::-1]


def layout(dims: tuple[int, ...], rank: int) -> Optional[tuple[Optional[int], ...]]:
    """Where the old dims and the new size-1 dims (None) end up after unsqueezing a tensor of
    ``rank`` dims at ``dims`` in turn; None if a dim is out of range (unsqueeze would raise)."""
    axes: list[Optional[int]] = list(range(rank))
    for d in dims:
        if not -(len(axes) + 1) <= d <= len(axes):
            return None
        axes.insert(d if d >= 0 else d + len(axes) + 1, None)
    return tuple(axes)


def always_differs(original: tuple[int, ...], wrong: tuple[int, ...]) -> bool:
    """For every rank the original chain accepts, ``wrong`` raises or gives another layout.
    Two layouts that differ give tensors of different shapes as soon as the moved dims are not
    all of size 1; equal layouts give the same tensor, an equivalent mutant."""
    return all(layout(wrong, r) != layout(original, r) for r in range(MAX_RANK) if layout(original, r) is not None)


def _off_by_one(d: int) -> int:
    return 1 if d == 0 else d - 1


def candidates(dims: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Wrong dim tuples, most plausible first: the new dims right after the batch dim (the
    channels-last habit), one dim off by one, all in front, all at the end."""
    k = len(dims)
    found = [(1,) * k]
    found += [dims[:i] + (_off_by_one(d),) + dims[i + 1:] for i, d in enumerate(dims)]
    found += [(0,) * k, (-1,) * k]
    unique = []
    for wrong in found:
        if wrong != dims and wrong not in unique and always_differs(dims, wrong):
            unique.append(wrong)
    return unique[:FORMS_PER_CHAIN]


def _label(dims: tuple[int, ...]) -> str:
    return ".".join(f"unsqueeze({d})" for d in dims)


def _unsqueeze_edits(tree: Tree) -> Iterator[Edit]:
    calls = [c for c in tree.find(m.Call()) if _links(c) is not None]
    inner = {id(link.call) for c in calls for link in _chain(c)[:-1]}
    for call in calls:
        if id(call) in inner:
            continue  # part of a longer chain: the chain is the site
        chain = _chain(call)
        dims = tuple(int_args(link.args)[0] for link in chain)  # type: ignore[index]
        for wrong in candidates(dims):
            replacements = {id(link.args[0].value): int_node(d) for link, d in zip(chain, wrong)}
            yield Edit(call, call, replace_nodes(call, replacements), _label(wrong))


def _expand_edits(tree: Tree) -> Iterator[Edit]:
    """``c.expand(n, -1, h, w)`` -> ``c.expand(n, h, w, -1)``: the kept sizes moved to the end,
    as if the tensor were channels-last."""
    for call in tree.find(m.Call(func=m.Attribute(attr=m.Name("expand")))):
        args = list(call.args)
        if len(args) < 2 or any(a.keyword or a.star for a in args):
            continue
        keep = [a for a in args if int_literal(a.value) == -1]
        moved = [a for a in args if int_literal(a.value) != -1] + keep
        if not keep or len(keep) == len(args) or moved == args:
            continue
        commas = [a.comma for a in args]
        new_args = [a.with_changes(comma=c) for a, c in zip(moved, commas)]
        yield Edit(call, call, call.with_changes(args=new_args), "expand with the kept (-1) dims last")


def mutate(tree: Tree) -> Iterator[Edit]:
    yield from _unsqueeze_edits(tree)
    yield from _expand_edits(tree)


BUG = BugClass(
    id="unsqueeze-wrong-dim",
    title="unsqueeze/expand puts the broadcast dims in the wrong place",
    symptom="RuntimeError: The size of tensor a (...) must match the size of tensor b (...) at "
            "non-singleton dimension ..., or expand() refuses the sizes; when the sizes happen to "
            "agree, no error but every sample or channel gets the wrong values.",
    why="Broadcasting lines dims up from the right. A (N, D) condition meant for (N, D, H, W) "
        "feature maps needs its size-1 dims after D, (N, D, 1, 1); a (N, L) mask meant for "
        "(N, L, C) features needs one after L. Inserting them elsewhere pairs the condition with "
        "the wrong dim: an error, or a silent mix-up whenever two sizes coincide.",
    fix="Write the target shape next to the line and insert the new dims where the other tensor "
        "has its extra dims (unsqueeze(-1) twice for (N, D) -> (N, D, 1, 1), or index with "
        "[:, :, None, None]); list expand's sizes in the tensor's own dim order.",
    guide="section 2.3 (squeeze and unsqueeze), section 2.5 and Challenge 1 (broadcast a condition)",
    family="shapes and dims",
    hints=(
        "Print the shape of the tensor right after unsqueeze and of the tensor it is combined with.",
        "Align the two shapes from the right, dim by dim: which size is paired with which?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
