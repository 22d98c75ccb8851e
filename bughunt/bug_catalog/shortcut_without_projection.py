"""shortcut-without-projection: a residual block adds its raw input where a projection was needed."""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, expr

_SHORTCUT_ATTR = re.compile(r"shortcut|downsample|skip|residual", re.IGNORECASE)
_IDENTITY = "torch.nn.Identity"


def _self_assignments(cls: cst.ClassDef) -> dict[str, list[cst.Assign]]:
    """``self.<shortcut> = ...`` assignments of the class, by attribute name."""
    found: dict[str, list[cst.Assign]] = {}
    pattern = m.Assign(targets=[m.AssignTarget(m.Attribute(value=m.Name("self"), attr=m.Name()))])
    for assign in m.findall(cls, pattern):
        name = assign.targets[0].target.attr.value
        if _SHORTCUT_ATTR.search(name):
            found.setdefault(name, []).append(assign)
    return found


def _is_projection(tree: Tree, value: cst.BaseExpression) -> bool:
    """A module call that is not the identity: nn.Sequential(conv, bn), nn.Conv2d(...), nn.Linear(...)."""
    if isinstance(value, cst.IfExp):
        return _is_projection(tree, value.body) or _is_projection(tree, value.orelse)
    return isinstance(value, cst.Call) and not tree.refers_to(value.func, _IDENTITY)


def _identity_for(tree: Tree, assigns: list[cst.Assign]) -> cst.BaseExpression:
    """What the class itself uses when no projection is needed: None or nn.Identity()."""
    if any(m.matches(a.value, m.Name("None")) for a in assigns):
        return cst.Name("None")
    return expr(f"{tree.imported_as('torch.nn') or 'torch.nn'}.Identity()")


def mutate(tree: Tree) -> Iterator[Edit]:
    for cls in tree.find(m.ClassDef()):
        for attr, assigns in _self_assignments(cls).items():
            projections = [a for a in assigns if _is_projection(tree, a.value)]
            if not projections:
                continue
            # in __init__: the projection module is never built
            for assign in projections:
                yield Edit(assign, assign.value, _identity_for(tree, assigns), "projection replaced by the identity")
            # in forward: the shortcut module is skipped, the raw input is added
            for call in m.findall(cls, m.Call(func=m.Attribute(value=m.Name("self"), attr=m.Name(attr)),
                                             args=[m.Arg(value=m.Name(), keyword=None)])):
                yield Edit(call, call, call.args[0].value, f"self.{attr}(...) skipped")


BUG = BugClass(
    id="shortcut-without-projection",
    title="Residual shortcut without its projection",
    symptom="RuntimeError: The size of tensor a (16) must match the size of tensor b (8) at "
            "non-singleton dimension 1 (or 2 and 3 for the spatial size), in the residual "
            "addition of the first block that changes the channels or the stride.",
    why="out + x only works when the block's output has x's shape. A block that changes the "
        "number of channels or downsamples with stride 2 changes that shape, so its shortcut "
        "must project x the same way: a 1x1 convolution with the block's stride and output "
        "channels (plus BatchNorm). The identity is only right when nothing changes.",
    fix="Build the projection when stride != 1 or in_channels != out_channels "
        "(nn.Conv2d(in, out, 1, stride=stride, bias=False) + nn.BatchNorm2d(out)), and add "
        "self.shortcut(x), not x, to the block's output.",
    guide="folder 12 (ResNet-style residual block: identity and projection shortcuts)",
    family="model structure",
    hints=(
        "Print the shapes of the two terms of the residual addition, for every block.",
        "Which blocks change the number of channels or the resolution? What does their shortcut do to x?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
