"""Autograd graphs a program cuts on purpose: ``.detach()``, ``torch.no_grad()`` blocks, and the
model calls and ``backward()`` calls around them.

A model call is a call of a name the program binds at run time (``model(x)``, ``generator(z)``),
not of a builtin, an import, or a function or class of the module.
"""

from __future__ import annotations

import builtins
from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted

NO_GRAD = ("torch.no_grad", "torch.inference_mode")
DETACH = m.Call(func=m.Attribute(attr=m.Name("detach")), args=[])


def module_level_names(tree: Tree) -> set[str]:
    """Builtins, the module's functions and classes, and what it imports."""
    names = set(dir(builtins))
    names.update(node.name.value for node in tree.module.body if isinstance(node, (cst.FunctionDef, cst.ClassDef)))
    for imp in tree.find(m.Import() | m.ImportFrom()):
        if not isinstance(imp.names, cst.ImportStar):
            names.update(dotted(a.asname.name if a.asname else a.name).split(".")[0] for a in imp.names)
    return names


def model_called(node: cst.CSTNode, known: set[str]) -> Optional[str]:
    """The model ``node`` runs (``generator`` for ``generator(z)``), or None when it is no model call."""
    if m.matches(node, m.Call(func=m.Name())) and node.func.value not in known:
        return node.func.value
    return None


def backward_after(tree: Tree, node: cst.CSTNode, scope: cst.CSTNode) -> bool:
    """A ``.backward()`` call in ``scope`` after ``node``'s line."""
    line = tree.line(node)
    return any(tree.line(c) > line for c in m.findall(scope, m.Call(func=m.Attribute(attr=m.Name("backward")))))


def under_no_grad(tree: Tree, node: cst.CSTNode) -> bool:
    """``node`` sits in a ``with torch.no_grad():`` (or inference_mode) block."""
    for block in tree.ancestors(node):
        if isinstance(block, cst.With) and any(
                isinstance(item.item, cst.Call) and tree.refers_to(item.item.func, *NO_GRAD) for item in block.items):
            return True
    return False


def bindings_before(tree: Tree, name: str, node: cst.CSTNode, scope: cst.CSTNode) -> list[cst.Assign]:
    """Assignments to the plain ``name`` in ``scope`` before ``node``'s line, in source order."""
    line = tree.line(node)
    return [a for a in m.findall(scope, m.Assign(targets=[m.AssignTarget(m.Name(name))])) if tree.line(a) < line]


def reads_after(tree: Tree, name: str, node: cst.CSTNode, scope: cst.CSTNode) -> list[cst.Name]:
    """The uses of ``name`` in ``scope`` after ``node``'s line (loads and stores alike)."""
    line = tree.line(node)
    return [n for n in m.findall(scope, m.Name(name)) if tree.line(n) > line]
