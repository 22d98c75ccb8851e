"""Freezing and unfreezing a submodule: statements that set ``requires_grad`` on its parameters.

A *toggle* sets ``requires_grad`` on the parameters of a submodule, in any of the usual
spellings::

    for param in model.backbone.parameters():
        param.requires_grad = False          # or param.requires_grad_(False)
    model.backbone.requires_grad_(False)

A toggle is only worth mutating where its effect shows: an optimizer built after it must
be handed the toggled parameters, through ``model.parameters()`` (a frozen parameter gets
no gradient, so the optimizer skips it) or a ``requires_grad`` filter over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted
from bughunt.mutator.optimizers import OptimizerBuild, optimizer_builds
from bughunt.mutator.statements import method_call_statements, receiver

_BOOL = m.Name("True") | m.Name("False")
_PARAMETERS = m.Call(func=m.Attribute(attr=m.Name("parameters")), args=[])


@dataclass(frozen=True)
class Toggle:
    """A statement that sets ``requires_grad`` on every parameter of ``target``."""

    statement: cst.BaseStatement  # the ``for`` loop, or the ``requires_grad_`` call statement
    target: str  # the module whose parameters it toggles: "model.backbone"
    trainable: bool  # the value it sets


def _set_value(statement: cst.CSTNode, name: str) -> Optional[bool]:
    """True/False for ``name.requires_grad = <bool>`` or ``name.requires_grad_(<bool>)``."""
    attribute = m.Attribute(value=m.Name(name), attr=m.Name("requires_grad"))
    assign = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(attribute)], value=_BOOL)])
    call = m.SimpleStatementLine(body=[m.Expr(m.Call(
        func=m.Attribute(value=m.Name(name), attr=m.Name("requires_grad_")), args=[m.Arg(value=_BOOL)]))])
    if m.matches(statement, assign):
        return statement.body[0].value.value == "True"
    if m.matches(statement, call):
        return statement.body[0].value.args[0].value.value == "True"
    return None


def toggles(tree: Tree) -> list[Toggle]:
    """Every freeze and unfreeze of a submodule's parameters, in source order."""
    found = []
    loops = tree.find(m.For(target=m.Name(), iter=_PARAMETERS))
    loop_vars = {loop.target.value for loop in loops}  # param.requires_grad_(...) is not a module's
    for loop in loops:
        body = loop.body.body
        value = _set_value(body[0], loop.target.value) if len(body) == 1 else None
        if value is not None:
            found.append(Toggle(loop, dotted(loop.iter.func.value), value))
    for statement in method_call_statements(tree, "requires_grad_"):
        args = statement.body[0].value.args
        target = receiver(statement)
        if target and target not in loop_vars and (not args or m.matches(args[0].value, _BOOL)):
            found.append(Toggle(statement, target, not args or args[0].value.value == "True"))
    return sorted(found, key=lambda t: tree.line(t.statement))


def next_build(tree: Tree, toggle: Toggle) -> Optional[OptimizerBuild]:
    """The first optimizer built after ``toggle`` in the same function: the one it is for."""
    function = tree.enclosing(toggle.statement, cst.FunctionDef)
    line = tree.line(toggle.statement)
    for build in optimizer_builds(tree):
        if tree.enclosing(build.statement, cst.FunctionDef) is function and tree.line(build.statement) > line:
            return build
    return None


def earlier_freeze(tree: Tree, unfreeze: Toggle) -> Optional[Toggle]:
    """The freeze of the same module that ``unfreeze`` undoes, earlier in the same function."""
    function = tree.enclosing(unfreeze.statement, cst.FunctionDef)
    line = tree.line(unfreeze.statement)
    for toggle in toggles(tree):
        if (not toggle.trainable and toggle.target == unfreeze.target and tree.line(toggle.statement) < line
                and tree.enclosing(toggle.statement, cst.FunctionDef) is function):
            return toggle
    return None


def unfreezes(tree: Tree) -> list[tuple[Toggle, OptimizerBuild]]:
    """Unfreezes that undo an earlier freeze, each with the optimizer built after it that
    is meant to update the unfrozen parameters."""
    found = []
    for toggle in toggles(tree):
        if toggle.trainable and earlier_freeze(tree, toggle):
            build = next_build(tree, toggle)
            if build is not None and build.covers(toggle.target):
                found.append((toggle, build))
    return found


def module_attribute_statement(toggle: Toggle) -> cst.BaseStatement:
    """``model.backbone.requires_grad = False`` in place of the toggle: a plain attribute on
    the Module, which switches nothing (only parameters have requires_grad)."""
    statement = cst.parse_statement(f"{toggle.target}.requires_grad = {toggle.trainable}\n")
    return statement.with_changes(leading_lines=toggle.statement.leading_lines)
