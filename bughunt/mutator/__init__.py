"""The mutation engine: parse a program once, ask each bug class where it applies, apply.

A bug class's mutator is a small generator function over a parsed program
(:class:`Tree`) that yields :class:`Edit` objects: the node to replace, its
replacement, and the surface form. The engine numbers the sites, applies each
edit with LibCST's identity-based ``deep_replace`` and returns :class:`Mutant`
objects. Mutators never hard-code line numbers; they match idioms, and they know a library
name by what it refers to (:meth:`Tree.refers_to`), not by how the program spells it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator, Mapping, Union

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, QualifiedNameProvider

Replacement = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]

#: how a name the program never binds is read: a snippet without its imports uses PyTorch's
#: conventional aliases (``nn.Linear`` is ``torch.nn.Linear``)
CONVENTIONAL_ALIASES = {"nn": "torch.nn", "F": "torch.nn.functional", "optim": "torch.optim",
                        "lr_scheduler": "torch.optim.lr_scheduler", "np": "numpy"}


@dataclass(frozen=True)
class Edit:
    """One surface form of a bug at one site."""

    site: cst.CSTNode  # the code that carries the bug: gives the site's line and scope
    node: cst.CSTNode  # the node that is replaced (the site itself, or a block around it)
    replacement: Replacement
    form: str  # e.g. "labels.float()", "zero_grad removed"
    subject: str = ""  # the variable a hint may name as ``{subject}`` (``total``), as the program spells it
    exercise: bool = True  # False: a form for ``bughunt mutate`` only, that would give itself away in an exercise


Mutator = Callable[["Tree"], Iterator[Edit]]


@dataclass(frozen=True)
class Mutant:
    bug: str  # bug class id
    site: int  # index of the site among this class's sites in the program
    form: str
    line: int  # line of the site in the clean program
    scope: str  # "train" or "Encoder.forward": where a learner should look
    edit: Edit = field(compare=False, repr=False)  # to combine it with other mutants of the same tree
    tree: "Tree" = field(repr=False)  # the clean program's (compared by identity)

    def __getstate__(self) -> dict:
        """Across processes (the kill matrix's pool) a mutant travels as its text, without the tree."""
        return {**self.__dict__, "source": self.source, "tree": None, "edit": None}

    @cached_property
    def source(self) -> str:
        """The mutated program. Made on demand: an exercise needs a few of a program's mutants
        (with the camouflage), the kill matrix every one."""
        code = apply(self.tree, [self.edit])
        if code == self.tree.module.code:  # a no-op edit is a mutator bug, never an exercise
            raise AssertionError(f"{self.bug}: edit {self.form!r} changes nothing")
        return code


class Tree:
    """A parsed program with the lookups mutators need (parents, lines, scopes)."""

    def __init__(self, source: str) -> None:
        wrapper = MetadataWrapper(cst.parse_module(source))
        self._wrapper = wrapper
        self.module = wrapper.module
        self._parents = wrapper.resolve(ParentNodeProvider)
        self._positions = wrapper.resolve(PositionProvider)
        self._nodes = _preorder(self.module)
        self._by_kind: dict[str, list[cst.CSTNode]] = {}
        for node in self._nodes:
            self._by_kind.setdefault(type(node).__name__, []).append(node)
        # parameters of this file's functions that calls in other files of a project pass an object
        # to, with the qualified names of what made it (``statements.passed_between``)
        self.given: dict[str, list[str]] = {}

    def find(self, matcher: m.BaseMatcherNode) -> list[cst.CSTNode]:
        """Every node matching ``matcher``, in source order: ``m.findall`` over lists made once
        per tree (mutators query a tree often). A node matcher (``m.Call``) only looks at nodes
        of its own kind (``cst.Call``); combinators (``m.OneOf``...) look at every node."""
        kind = type(matcher).__name__
        candidates = self._by_kind.get(kind, []) if isinstance(getattr(cst, kind, None), type) else self._nodes
        return [node for node in candidates if m.matches(node, matcher)]

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    def enclosing(self, node: cst.CSTNode, kind: type) -> cst.CSTNode | None:
        return next((a for a in self.ancestors(node) if isinstance(a, kind)), None)

    def statement(self, node: cst.CSTNode) -> cst.CSTNode:
        """The statement (simple line or compound) that contains ``node``."""
        for candidate in (node, *self.ancestors(node)):
            if isinstance(candidate, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return candidate
        raise ValueError("node is not inside a statement")

    def line(self, node: cst.CSTNode) -> int:
        return self._positions[node].start.line

    def last_line(self, node: cst.CSTNode) -> int:
        return self._positions[node].end.line

    @cached_property
    def _qualified_names(self) -> Mapping[cst.CSTNode, object]:
        # resolved once, on first use: scope analysis costs more than the rest of the parse,
        # and many trees (a stacked exercise's, the kill matrix's) never ask for a name
        return self._wrapper.resolve(QualifiedNameProvider)

    def _resolved(self, node: cst.CSTNode) -> tuple[set[str], bool]:
        """The qualified names of ``node``, and whether the program binds the name at all."""
        value = self._qualified_names.get(node, set())
        names = value() if callable(value) else value  # libcst computes them lazily
        if names:
            return {q.name for q in names}, True
        spelled = dotted(node) if isinstance(node, cst.BaseExpression) else ""
        if not spelled:
            return set(), True
        head, dot, rest = spelled.partition(".")
        return {CONVENTIONAL_ALIASES.get(head, head) + dot + rest}, False

    def qualified(self, node: cst.CSTNode) -> set[str]:
        """What the name or attribute chain ``node`` refers to, as dotted names:
        ``nn.CrossEntropyLoss`` after ``import torch.nn as nn`` and ``CE`` after
        ``from torch.nn import CrossEntropyLoss as CE`` are both ``torch.nn.CrossEntropyLoss``;
        a class the program defines is its own name (``Dropout``, ``Net.Dropout``). A name the
        program never binds (a snippet without imports) reads with :data:`CONVENTIONAL_ALIASES`."""
        return self._resolved(node)[0]

    def refers_to(self, node: cst.CSTNode, *names: str) -> bool:
        """``node`` refers to one of the fully qualified ``names`` (``"torch.nn.Dropout"``).
        A name the program never binds is taken at its word: ``Dropout`` with no import and
        no definition is the ``torch.nn.Dropout`` it spells the end of."""
        found, bound = self._resolved(node)
        if found & set(names):
            return True
        return not bound and any(name.endswith("." + spelled) for spelled in found for name in names)

    def refers_within(self, node: cst.CSTNode, package: str) -> bool:
        """``node`` refers to something inside ``package`` (``"torch.optim"``)."""
        return any(name.startswith(package + ".") for name in self.qualified(node))

    def imported_as(self, module: str) -> str | None:
        """The name under which an import makes ``module`` reachable: ``F`` for
        ``import torch.nn.functional as F`` or ``from torch.nn import functional as F``,
        ``torch.nn`` for ``import torch.nn``; None when no import names it."""
        for imp in self.find(m.Import() | m.ImportFrom()):
            if isinstance(imp, cst.ImportFrom) and (imp.relative or isinstance(imp.names, cst.ImportStar)):
                continue
            base = dotted(imp.module) + "." if isinstance(imp, cst.ImportFrom) and imp.module else ""
            for alias in imp.names:
                if base + dotted(alias.name) == module:
                    return dotted(alias.asname.name) if alias.asname else dotted(alias.name)
        return None

    def scope(self, node: cst.CSTNode) -> str:
        """Dotted name of the class/function around ``node``, e.g. ``Encoder.forward``."""
        names = [
            a.name.value
            for a in self.ancestors(node)
            if isinstance(a, (cst.FunctionDef, cst.ClassDef))
        ]
        return ".".join(reversed(names)) or "<module>"


def _preorder(module: cst.Module) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nodes.append(node)
            return True

    module.visit(Collect())
    return nodes


def mutants_of(source: str, bug: str, mutator: Mutator, tree: Tree | None = None) -> list[Mutant]:
    """Apply every edit ``mutator`` proposes for ``source``; one Mutant per edit."""
    tree = tree or Tree(source)
    sites: dict[int, int] = {}  # id(site node) -> site index
    result = []
    for edit in mutator(tree):
        site = sites.setdefault(id(edit.site), len(sites))
        result.append(Mutant(bug, site, edit.form, tree.line(edit.site), tree.scope(edit.site), edit, tree))
    return result


def overlap(tree: Tree, a: Edit, b: Edit) -> bool:
    """The two edits touch the same code: one replaces the other, or a block around it."""
    return a.node is b.node or a.node in tree.ancestors(b.node) or b.node in tree.ancestors(a.node)


class _Apply(cst.CSTTransformer):
    def __init__(self, tree: Tree, edits: Iterable[Edit]) -> None:
        super().__init__()
        edits = list(edits)
        self.replacements = {id(e.node): e.replacement for e in edits}
        # the comment policy (mutator/comments.py): an edited line's comment is reworded
        self.edited = {id(tree.statement(e.node)) for e in edits if not isinstance(e.node, (cst.Module, cst.BaseSuite))}

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Replacement:  # type: ignore[override]
        result = self.replacements.get(id(original), updated)
        if emptied(result):
            return cst.RemoveFromParent()
        if id(original) in self.edited and isinstance(result, cst.SimpleStatementLine):
            from bughunt.mutator.comments import reworded  # it imports nothing of the engine
            result = reworded(result)
        return result


def emptied(node: Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]) -> bool:
    """An ``if`` whose body an edit took away (and no ``else``): it goes as a whole, rather than
    stay as ``if ...: pass``, which no one writes and which would point at the bug."""
    return (isinstance(node, cst.If) and isinstance(node.body, cst.IndentedBlock) and not node.body.body
            and node.orelse is None)


def apply(tree: Tree, edits: Iterable[Edit]) -> str:
    """The program with several non-overlapping edits applied at once."""
    return tree.module.visit(_Apply(tree, edits)).code


def dotted(node: cst.BaseExpression) -> str:
    """``torch.nn.functional.relu`` for an Attribute chain, ``relu`` for a Name, else ''."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def names_read(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Every bare name that appears in ``nodes`` (a cheap over-approximation of reads)."""
    found: set[str] = set()
    for node in nodes:
        found.update(n.value for n in m.findall(node, m.Name()))
    return found
