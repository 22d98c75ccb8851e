"""The statement mover: every bug class that moves a statement moves it here.

It keeps the package's one comment policy (:mod:`bughunt.mutator.comments`): a moved simple
statement's comments are replaced by neutral ones of the same shape (:func:`reworded`), a block
takes the comment lines above it wherever it goes, and comment lines that head a place stay at
the head of it: a statement moved before the ``anchor`` lands under the anchor's comment lines,
a statement hoisted before its loop lands under the loop's, and a removed block leaves its
comment lines to the statement after it.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

import libcst.matchers as m

from bughunt.mutator import Replacement, Tree, emptied, names_read
from bughunt.mutator.comments import reworded
from bughunt.mutator.statements import assigned_names

__all__ = ["applied", "common_block", "hoisted", "moved", "removed", "reworded"]


def _under_comments(insert: cst.BaseStatement, place: cst.BaseStatement) -> list[cst.BaseStatement]:
    """``insert`` put before ``place``, under the comment lines that head ``place``."""
    return [insert.with_changes(leading_lines=[*place.leading_lines, *insert.leading_lines]),
            place.with_changes(leading_lines=[])]


def _landing(statement: cst.BaseStatement) -> cst.BaseStatement:
    """``statement`` as it arrives in its new place, by the policy above: a simple statement with
    neutral comments of the same shape (one comment line above it if it had any), a block as it is."""
    return reworded(statement, moved=True)


class _Reorder(cst.CSTTransformer):
    """Drops ``drop`` from its block and puts ``insert`` next to ``anchor`` (by identity)."""

    def __init__(self, drop: cst.CSTNode, anchor: cst.CSTNode, insert: cst.BaseStatement, after: bool) -> None:
        super().__init__()
        self.drop, self.anchor, self.insert, self.after = drop, anchor, insert, after

    def _body(self, original: Sequence[cst.CSTNode], updated: Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
        body: list[cst.CSTNode] = []
        for old, new in zip(original, updated):
            if old is self.anchor:
                body.extend([new, self.insert] if self.after else _under_comments(self.insert, new))
            elif old is not self.drop:
                body.append(new)
        return body

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._body(original.body, updated.body))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._body(original.body, updated.body))


def common_block(tree: Tree, a: cst.CSTNode, b: cst.CSTNode) -> cst.CSTNode:
    """The innermost compound statement (loop, if, def...) around both ``a`` and ``b``, or
    the module when they are top-level statements."""
    around_b = {id(node) for node in tree.ancestors(b)}
    for node in tree.ancestors(a):
        if id(node) in around_b and isinstance(node, (cst.BaseCompoundStatement, cst.Module)):
            return node
    raise ValueError("a and b are not in one module")


def moved(tree: Tree, statement: cst.BaseStatement, anchor: cst.BaseStatement, *, after: bool = False,
          drop: Optional[cst.BaseStatement] = None,
          replacement: Optional[cst.BaseStatement] = None) -> tuple[cst.CSTNode, Replacement]:
    """``statement`` taken out of its place and put right before (or after) ``anchor``.

    ``drop`` is taken out instead of ``statement`` (the ``if`` around it, say); ``replacement``
    lands instead of it (the statement edited on the way). ``anchor`` may be the block around
    ``statement`` (``zero_grad()`` taken out of its ``if``).
    Returns the node to replace (the innermost block around both places) and its replacement,
    ready for an :class:`~bughunt.mutator.Edit`.
    """
    removed = drop if drop is not None else statement
    insert = _landing(replacement if replacement is not None else statement)
    container = common_block(tree, removed, anchor)
    return container, container.visit(_Reorder(drop=removed, anchor=anchor, insert=insert, after=after))


def applied(tree: Tree, node: cst.CSTNode, replacement: cst.CSTNode) -> str:
    """The program's source with ``node`` replaced: to tell two moves' results apart."""
    return tree.module.deep_replace(node, replacement).code


def hoisted(statement: cst.BaseStatement, block: cst.BaseCompoundStatement) -> tuple[cst.CSTNode, Replacement]:
    """``statement`` taken out of ``block`` (a loop around it) and run once, right before it.
    Replaces the block alone, so that the edit overlaps nothing outside it."""
    return block, cst.FlattenSentinel(_under_comments(_landing(statement), block.visit(_Without(statement))))


class _Without(cst.CSTTransformer):
    """The code without ``statement``, and without an ``if`` that held nothing else."""

    def __init__(self, statement: cst.CSTNode) -> None:
        super().__init__()
        self.statement = statement

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Replacement:  # type: ignore[override]
        return cst.RemoveFromParent() if original is self.statement or emptied(updated) else updated


def hoistable(tree: Tree, statement: cst.BaseStatement, loop: cst.For) -> bool:
    """``statement`` can run once before ``loop``: it reads nothing the loop binds (its target,
    its assignments), and no ``if`` between it and the loop tests something the loop leaves
    alone (``if use_amp:``, a flag: taken out of it, the statement runs when the flag is off,
    where what it uses may not exist). An ``if`` that tests the iteration (``if i % k == 0:``)
    may be left: running once before the loop is then the bug."""
    bound = {n.value for n in m.findall(loop.target, m.Name())} | set(assigned_names(loop.body))
    bound |= {n.value for f in m.findall(loop.body, m.For()) for n in m.findall(f.target, m.Name())}
    if names_read([statement]) & bound:
        return False
    for ancestor in tree.ancestors(statement):
        if ancestor is loop:
            return True
        if isinstance(ancestor, cst.If) and not names_read([ancestor.test]) & bound:
            return False
    return True


def removed(tree: Tree, statement: cst.BaseStatement) -> Optional[tuple[cst.CSTNode, cst.CSTNode]]:
    """``statement`` taken out of its block (None if the block would be left empty). A block's
    comment lines stay, above the statement that follows; a simple statement's go with it, as
    they do with LibCST's ``RemoveFromParent``. Returns the block and its replacement."""
    block = tree.parent(statement)
    if not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return None
    body = list(block.body)
    rest = [s for s in body if s is not statement]
    if not rest:
        return None
    at = next(i for i, s in enumerate(body) if s is statement)
    if at < len(rest) and not isinstance(statement, cst.SimpleStatementLine):
        rest[at] = rest[at].with_changes(leading_lines=[*statement.leading_lines, *rest[at].leading_lines])
    return block, block.with_changes(body=rest)
