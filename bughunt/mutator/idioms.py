"""Recognisers for everyday PyTorch idioms, shared by the bug classes' mutators.

They look at names and call shapes only (no type inference), so they work on any
program written the usual way: ``criterion = nn.CrossEntropyLoss()`` then
``criterion(logits, y)``; labels called ``y``, ``labels`` or ``targets``; an
optimizer's ``zero_grad()`` inside the batch loop.
"""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Edit, Tree, dotted, expr

_CE_CLASSES = {"nn.CrossEntropyLoss", "torch.nn.CrossEntropyLoss", "CrossEntropyLoss"}
_CE_FUNCTIONS = {"F.cross_entropy", "torch.nn.functional.cross_entropy", "cross_entropy"}
_LABEL = re.compile(r"^(y|yb|batch_y|labels?|targets?|classes|.*_(y|labels?|targets?))$")


def is_label_name(name: str) -> bool:
    return bool(_LABEL.match(name))


def names_bound_to(tree: Tree, callee: set[str]) -> set[str]:
    """Names assigned anywhere from a call to one of ``callee`` (``x = nn.CrossEntropyLoss()``)."""
    names = set()
    for assign in tree.find(m.Assign(value=m.Call())):
        if dotted(assign.value.func) in callee:
            for target in assign.targets:
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
    return names


def cross_entropy_calls(tree: Tree) -> list[cst.Call]:
    """Calls that compute a cross-entropy loss with (logits, targets) positional arguments."""
    criteria = names_bound_to(tree, _CE_CLASSES)
    calls = []
    for call in tree.find(m.Call()):
        func = call.func
        is_ce = (
            (isinstance(func, cst.Name) and func.value in criteria)
            or dotted(func) in _CE_FUNCTIONS
            or (isinstance(func, cst.Call) and dotted(func.func) in _CE_CLASSES)
        )
        positional = [a for a in call.args if a.keyword is None]
        if is_ce and len(positional) == 2:
            calls.append(call)
    return calls


def assigned_names(node: cst.CSTNode) -> list[str]:
    """Plain names an assignment statement binds (``a, b = ...`` gives ``a``, ``b``)."""
    names = []
    for assign in m.findall(node, m.Assign()):
        for target in assign.targets:
            names.extend(n.value for n in m.findall(target.target, m.Name()))
    return names


def method_call_statements(tree: Tree, method: str) -> list[cst.SimpleStatementLine]:
    """Statements that are just ``<something>.<method>(...)``, e.g. ``optimizer.zero_grad()``."""
    pattern = m.SimpleStatementLine(body=[m.Expr(m.Call(func=m.Attribute(attr=m.Name(method))))])
    return tree.find(pattern)


def receiver(statement: cst.SimpleStatementLine) -> str:
    """``optimizer`` for the statement ``optimizer.zero_grad()``."""
    call = statement.body[0].value
    return dotted(call.func.value)


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


def postfix(node: cst.BaseExpression) -> str:
    """Source of ``node`` ready for a method call: ``y`` -> ``y``, ``a + b`` -> ``(a + b)``."""
    text = cst.Module(body=[]).code_for_node(node)
    atomic = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
    return text if isinstance(node, atomic) or node.lpar else f"({text})"


def assigns_label(tree: Tree, node: cst.CSTNode) -> bool:
    """True when ``node`` sits in an assignment to a label-like name (``y = ...``)."""
    statement = tree.statement(node)
    return any(is_label_name(name) for name in assigned_names(statement))


def imports_alias(tree: Tree, module: str, alias: str) -> bool:
    """True when the program has ``import <module> as <alias>``."""
    for imp in tree.find(m.Import()):
        for name in imp.names:
            if dotted(name.name) == module and name.asname and dotted(name.asname.name) == alias:
                return True
    return False


def constructs(tree: Tree, suffixes: tuple[str, ...]) -> bool:
    """True when the program calls a constructor whose dotted name ends with one of ``suffixes``."""
    return any(dotted(call.func).endswith(suffixes) for call in tree.find(m.Call()))


def eval_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``model.eval()`` and ``model.train(False)`` statements."""
    found = method_call_statements(tree, "eval") + [
        s for s in method_call_statements(tree, "train")
        if m.matches(s.body[0].value.args, [m.Arg(value=m.Name("False"))])
    ]
    return sorted(found, key=tree.line)


def drop_comment(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    """The statement without its trailing comment (a moved statement's comment would lie)."""
    return statement.with_changes(trailing_whitespace=cst.TrailingWhitespace())


def eval_edits(tree: Tree) -> Iterator[Edit]:
    """Every ``model.eval()``, removed or turned into ``model.train()``."""
    for statement in eval_statements(tree):
        yield Edit(statement, statement, cst.RemoveFromParent(), "eval() removed")
        call = statement.body[0].value
        train = expr(f"{dotted(call.func.value)}.train()")
        yield Edit(statement, call, train, "train() instead of eval()")
