"""Recognisers for two-stage finetuning: freezing a submodule, unfreezing it, the optimizers
that are meant to update it, and statement moves that keep the program's comments.

Shared by the finetuning bug classes (frozen-backbone-still-trains, never-unfrozen,
optimizer-misses-params, frozen-batchnorm-in-train-mode). A *toggle* sets ``requires_grad``
on the parameters of a submodule, in any of the usual spellings::

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

from bughunt.mutator import Tree, code_of, dotted
from bughunt.mutator.idioms import method_call_statements, receiver

_BOOL = m.Name("True") | m.Name("False")
_PARAMETERS = m.Call(func=m.Attribute(attr=m.Name("parameters")), args=[])


@dataclass(frozen=True)
class Toggle:
    """A statement that sets ``requires_grad`` on every parameter of ``target``."""

    statement: cst.BaseStatement  # the ``for`` loop, or the ``requires_grad_`` call statement
    target: str  # the module whose parameters it toggles: "model.backbone"
    trainable: bool  # the value it sets


@dataclass(frozen=True)
class OptimizerBuild:
    """``optimizer = torch.optim.Adam(<params>, lr=...)``."""

    statement: cst.SimpleStatementLine
    params: cst.Arg  # the first positional argument

    @property
    def filtered(self) -> bool:
        """The parameters are chosen by ``requires_grad`` when the optimizer is built."""
        return "requires_grad" in code_of(self.params.value)

    def covers(self, target: str) -> bool:
        """The argument names ``target``'s parameters: ``model.parameters()`` covers ``model.backbone``."""
        owners = [dotted(call.func.value) for call in m.findall(self.params.value, _PARAMETERS)]
        return any(owner and (target == owner or target.startswith(owner + ".")) for owner in owners)


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


def optimizer_builds(tree: Tree) -> list[OptimizerBuild]:
    """Statements that build a ``torch.optim`` optimizer (not a scheduler), in source order."""
    found = []
    for statement in tree.find(m.SimpleStatementLine(body=[m.Assign(value=m.Call())])):
        call = statement.body[0].value
        callee = dotted(call.func)
        positional = [a for a in call.args if a.keyword is None]
        if callee.startswith(("torch.optim.", "optim.")) and "lr_scheduler" not in callee and positional:
            found.append(OptimizerBuild(statement, positional[0]))
    return sorted(found, key=lambda o: tree.line(o.statement))


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


# --- moving statements, comments kept ----------------------------------------------------


def _body(tree: Tree, statement: cst.BaseStatement) -> Optional[tuple[cst.CSTNode, list[cst.BaseStatement]]]:
    """The block (indented body or module) that holds ``statement``, and its statements."""
    block = tree.parent(statement)
    if isinstance(block, (cst.IndentedBlock, cst.Module)):
        return block, list(block.body)
    return None


def without(tree: Tree, statement: cst.BaseStatement) -> Optional[tuple[cst.CSTNode, cst.CSTNode]]:
    """``statement`` removed from its block, the comments above it kept above the next one.
    Returns the node to replace and its replacement, for an Edit."""
    found = _body(tree, statement)
    if found is None:
        return None
    block, body = found
    rest = [s for s in body if s is not statement]
    if not rest:
        return None
    at = next(i for i, s in enumerate(body) if s is statement)
    if at < len(rest):
        rest[at] = rest[at].with_changes(leading_lines=[*statement.leading_lines, *rest[at].leading_lines])
    return block, block.with_changes(body=rest)


def moved_before(tree: Tree, statement: cst.BaseStatement, anchor: cst.BaseStatement,
                 replacement: Optional[cst.BaseStatement] = None) -> Optional[tuple[cst.CSTNode, cst.CSTNode]]:
    """``statement`` (or ``replacement`` for it) taken out of its place and put right before
    ``anchor`` in the same block, where it takes over the comments above ``anchor``."""
    found = _body(tree, anchor)
    if found is None or tree.parent(statement) is not found[0]:
        return None
    block, body = found
    moving = replacement if replacement is not None else statement
    if isinstance(moving, cst.SimpleStatementLine):
        moving = moving.with_changes(trailing_whitespace=cst.TrailingWhitespace())  # its comment would lie
    new_body: list[cst.BaseStatement] = []
    for current in body:
        if current is anchor:
            new_body += [moving.with_changes(leading_lines=anchor.leading_lines), anchor.with_changes(leading_lines=[])]
        elif current is not statement:
            new_body.append(current)
    return block, block.with_changes(body=new_body)
