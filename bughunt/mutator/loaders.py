"""DataLoaders: the calls that build one, and their ``shuffle`` / ``drop_last`` arguments.

A DataLoader is ``torch.utils.data.DataLoader`` however the program imports it. Its third
positional argument is ``shuffle``, as in the signature ``DataLoader(dataset, batch_size, shuffle)``.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree
from bughunt.mutator.rewrite import argument

LOADER = ("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader")
_SAMPLING = ("sampler", "batch_sampler")  # a sampler of its own decides the order: not ours to change


def loader_calls(tree: Tree) -> list[cst.Call]:
    """Every call that builds a DataLoader, in source order."""
    return [call for call in tree.find(m.Call()) if tree.refers_to(call.func, *LOADER)]


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
