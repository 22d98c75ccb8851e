"""Recognisers for tensor-shape calls (``x.unsqueeze(1)``, ``torch.squeeze(x, 1)``, ``x.permute(0, 2, 1)``).

Shared by the shape bug classes (unsqueeze-wrong-dim, squeeze-drops-batch,
view-instead-of-permute). A shape call comes in two spellings, the method
``x.op(args)`` and the function ``torch.op(x, args)``; :func:`shape_call` reads
both into one :class:`ShapeCall`. Dims are read only when they are integer
literals: a computed dim says nothing about where it points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import dotted
from bughunt.mutator.rewrite import int_literal


@dataclass(frozen=True)
class ShapeCall:
    """``tensor.op(*args)`` or ``torch.op(tensor, *args)``."""

    call: cst.Call
    tensor: cst.BaseExpression  # what the op is applied to
    args: tuple[cst.Arg, ...]  # the op's own arguments (the tensor excluded)
    method: bool  # written as a method call


def shape_call(node: cst.CSTNode, op: str) -> Optional[ShapeCall]:
    """``node`` read as a call of ``op`` (a method, or ``torch.<op>``), else None."""
    if not isinstance(node, cst.Call):
        return None
    if m.matches(node.func, m.Attribute(attr=m.Name(op))) and dotted(node.func) != f"torch.{op}":
        return ShapeCall(node, node.func.value, tuple(node.args), method=True)
    if dotted(node.func) == f"torch.{op}" and node.args and node.args[0].keyword is None:
        return ShapeCall(node, node.args[0].value, tuple(node.args[1:]), method=False)
    return None


def int_args(args: Sequence[cst.Arg], keyword: str = "dim") -> Optional[list[int]]:
    """Literal integer arguments, positional or under ``keyword``; a tuple or list of them is
    read as the sequence it holds (``permute((0, 2, 1))``). None when any is not a literal."""
    if len(args) == 1 and isinstance(args[0].value, (cst.Tuple, cst.List)):
        values = [int_literal(e.value) for e in args[0].value.elements]
    elif all(a.keyword is None or a.keyword.value == keyword for a in args) and not any(a.star for a in args):
        values = [int_literal(a.value) for a in args]
    else:
        return None
    return None if not values or None in values else values  # type: ignore[return-value]


def is_simple(node: cst.BaseExpression) -> bool:
    """A name or a dotted attribute (``x``, ``self.h``): safe to repeat, it computes nothing."""
    return bool(dotted(node))


def replace_nodes(node: cst.CSTNode, replacements: Mapping[int, cst.CSTNode]) -> cst.CSTNode:
    """``node`` with each descendant whose ``id()`` is a key replaced by its value."""

    class _Replace(cst.CSTTransformer):
        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[override]
            return replacements.get(id(original), updated)

    return node.visit(_Replace())
