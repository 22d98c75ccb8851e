"""DataLoaders: the calls that build one, and their ``shuffle`` / ``drop_last`` arguments.

A DataLoader is ``torch.utils.data.DataLoader`` however the program imports it. Its third
positional argument is ``shuffle``, as in the signature ``DataLoader(dataset, batch_size, shuffle)``.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree

LOADER = ("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader")
_SAMPLING = ("sampler", "batch_sampler")  # a sampler of its own decides the order: not ours to change


def loader_calls(tree: Tree) -> list[cst.Call]:
    """Every call that builds a DataLoader, in source order."""
    return [call for call in tree.find(m.Call()) if tree.refers_to(call.func, *LOADER)]


def argument(call: cst.Call, keyword: str, position: Optional[int] = None) -> Optional[cst.Arg]:
    """The argument ``keyword`` of ``call``, given by name or at ``position``."""
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
        if arg.keyword is None and arg.star == "" and i == position:
            return arg
    return None


def shuffle_arg(call: cst.Call) -> Optional[cst.Arg]:
    return argument(call, "shuffle", 2)


def is_true(arg: Optional[cst.Arg]) -> bool:
    return arg is not None and m.matches(arg.value, m.Name("True"))


def shuffles(call: cst.Call) -> bool:
    """The loader reshuffles every epoch through ``shuffle=True``."""
    return is_true(shuffle_arg(call))


def ordered(call: cst.Call) -> bool:
    """The loader reads its dataset in order: no shuffle (or ``shuffle=False``), no sampler, no ``**kwargs``."""
    if any(arg.star for arg in call.args) or any(argument(call, k) for k in _SAMPLING):
        return False
    found = shuffle_arg(call)
    return found is None or m.matches(found.value, m.Name("False"))


def without(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """``call`` with ``arg`` taken out (the comma of the new last argument dropped)."""
    args = [a for a in call.args if a is not arg]
    if args and call.args[-1] is arg:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def keyword(name: str, value: str) -> cst.Arg:
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
