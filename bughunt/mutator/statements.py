"""Statements by their shape, and where they sit: the structure every recogniser walks.

``<receiver>.<method>(...)`` alone on a line (``optimizer.zero_grad()``), the names an
assignment binds, the names bound to a call of some library class, the loops and the block
around a statement, and whether two statements run in the same iteration.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted


def method_call_statements(tree: Tree, method: str) -> list[cst.SimpleStatementLine]:
    """Statements that are just ``<something>.<method>(...)``, e.g. ``optimizer.zero_grad()``."""
    pattern = m.SimpleStatementLine(body=[m.Expr(m.Call(func=m.Attribute(attr=m.Name(method))))])
    return tree.find(pattern)


def receiver(statement: cst.SimpleStatementLine) -> str:
    """``optimizer`` for the statement ``optimizer.zero_grad()``."""
    call = statement.body[0].value
    return dotted(call.func.value)


def assigned_names(node: cst.CSTNode) -> list[str]:
    """Plain names an assignment statement binds (``a, b = ...`` gives ``a``, ``b``)."""
    names = []
    for assign in m.findall(node, m.Assign()):
        for target in assign.targets:
            names.extend(n.value for n in m.findall(target.target, m.Name()))
    return names


def names_bound_to(tree: Tree, *callees: str) -> set[str]:
    """Names assigned anywhere from a call to one of the qualified ``callees``
    (``criterion = nn.CrossEntropyLoss()`` for ``"torch.nn.CrossEntropyLoss"``). By name, not
    by scope: the ``criterion`` a training function takes as a parameter is main()'s."""
    names = set()
    for assign in tree.find(m.Assign(value=m.Call())):
        if tree.refers_to(assign.value.func, *callees):
            for target in assign.targets:
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
    return names


def enclosing_loops(tree: Tree, node: cst.CSTNode) -> list[cst.For]:
    """The ``for`` loops around ``node``, innermost first, within its function."""
    loops = []
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(ancestor, cst.For):
            loops.append(ancestor)
    return loops


def with_body(block: cst.For, body: list[cst.BaseStatement]) -> cst.For:
    """``block`` with its indented body replaced."""
    return block.with_changes(body=block.body.with_changes(body=body))


def same_iteration(tree: Tree, a: cst.CSTNode, b: cst.CSTNode) -> bool:
    """``a`` and ``b`` run in the same iteration: same function, same innermost loop."""
    loops_a, loops_b = enclosing_loops(tree, a), enclosing_loops(tree, b)
    return (tree.enclosing(a, cst.FunctionDef) is tree.enclosing(b, cst.FunctionDef)
            and (loops_a[0] if loops_a else None) is (loops_b[0] if loops_b else None))


def block_owner(tree: Tree, statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The compound statement (loop, if, function...) whose body holds ``statement``, or the
    module for a statement at the top level."""
    parent = tree.parent(statement)
    if isinstance(parent, cst.IndentedBlock):
        return tree.parent(parent)
    return parent if isinstance(parent, cst.Module) else None


def unit_in(tree: Tree, node: cst.CSTNode, owner: Optional[cst.CSTNode]) -> Optional[cst.BaseStatement]:
    """The statement directly in ``owner``'s body that contains ``node`` (or is it)."""
    for candidate in (node, *tree.ancestors(node)):
        if owner is not None and block_owner(tree, candidate) is owner:
            return candidate
    return None
