"""Expression-level helpers for mutators that rewrite arithmetic and call arguments.

Replacing ``torch.sqrt(1 - a)`` by its argument, or ``x + f(x)`` by ``f(x)``, must keep the
meaning of the surrounding expression: :func:`grouped` adds the parentheses LibCST does not
add by itself. The diffusion classes recognise noise-schedule tensors by name
(:func:`is_schedule`), as people name them: ``betas``, ``alphas_cumprod``, ``abar``. A call's
arguments are found (:func:`argument`), added (:func:`keyword`, :func:`with_keywords`) and
taken out (:func:`without_arg`) here, for every class that edits them.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import code_of, dotted, expr, names_read

_SCHEDULE = re.compile(r"alpha|beta|abar|cumprod|sigma|snr", re.IGNORECASE)
_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def int_literal(node: cst.BaseExpression) -> Optional[int]:
    """The value of ``3`` or ``-1``; None for anything else."""
    if isinstance(node, cst.Integer):
        return int(node.value)
    if m.matches(node, m.UnaryOperation(operator=m.Minus(), expression=m.Integer())):
        return -int(node.expression.value)
    return None


def int_node(value: int) -> cst.BaseExpression:
    return expr(str(value))


def is_one(node: cst.BaseExpression) -> bool:
    """``1`` or ``1.0``."""
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.evaluated_value) == 1.0


def unparenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its own parentheses."""
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


def same_code(a: cst.BaseExpression, b: cst.BaseExpression) -> bool:
    """Equal source text, parentheses aside (``(t)`` is ``t``)."""
    return code_of(unparenthesized(a)) == code_of(unparenthesized(b))


def is_atomic(node: cst.BaseExpression, *, numbers: bool = True) -> bool:
    """``node`` needs no parentheses around it: a name, an attribute, a call, a subscript, or
    anything already in parentheses. With ``numbers``, a number literal too: it is atomic as an
    operand (``2 * x``), but not before a method call, where ``2.relu()`` would read as ``2.``."""
    kinds = (*_ATOMIC, cst.Integer, cst.Float) if numbers else _ATOMIC
    return isinstance(node, kinds) or bool(getattr(node, "lpar", None))


def grouped(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` in parentheses unless it is atomic or already parenthesised: safe anywhere."""
    if is_atomic(node):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def postfix(node: cst.BaseExpression) -> str:
    """Source of ``node`` ready for a method call: ``y`` -> ``y``, ``a + b`` -> ``(a + b)``."""
    text = code_of(node)
    return text if is_atomic(node, numbers=False) else f"({text})"


def is_schedule(node: cst.BaseExpression) -> bool:
    """``betas``, ``self.alphas_cumprod``, ``abar``: a tensor of the noise schedule, by name."""
    name = dotted(node).rsplit(".", 1)[-1]
    return bool(name) and bool(_SCHEDULE.search(name))


def mentions_schedule(node: cst.CSTNode) -> bool:
    """Some name in ``node`` (a variable or an attribute) is a schedule tensor's name."""
    names = names_read([node])
    return any(_SCHEDULE.search(name) for name in names)


# ---- call arguments -------------------------------------------------------------------------

def argument(call: cst.Call, keyword: str, position: Optional[int] = None) -> Optional[cst.Arg]:
    """The argument ``keyword`` of ``call``, given by name or at ``position``."""
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
        if arg.keyword is None and arg.star == "" and i == position:
            return arg
    return None


def keyword(name: str, value: str) -> cst.Arg:
    """The argument ``name=value``, written without spaces around ``=``."""
    return cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def with_keywords(call: cst.Call, *args: cst.Arg) -> cst.Call:
    """``call`` with keyword ``args`` appended."""
    existing = list(call.args)
    if existing and existing[-1].comma == cst.MaybeSentinel.DEFAULT:
        existing[-1] = existing[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    added = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
    return call.with_changes(args=[*existing, *added, args[-1]])


def without_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """``call`` without ``arg``, its commas kept as the rest of the call writes them."""
    args = list(call.args)
    i = next(j for j, a in enumerate(args) if a is arg)
    if i == len(args) - 1 and i > 0:  # the one before becomes the last: it takes the removed one's comma
        comma = arg.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            # one argument per line: the removed one's comment described the removed one
            after = comma.whitespace_after
            comma = comma.with_changes(whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace()))
        args[i - 1] = args[i - 1].with_changes(comma=comma, whitespace_after_arg=arg.whitespace_after_arg)
    del args[i]
    return call.with_changes(args=args)
