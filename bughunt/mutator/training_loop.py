"""Recognisers and edits for the steps of a training iteration and for where values go.

Shared by the bug classes of the advanced and industry topics. They find the usual
statements of a training step by call shape (``loss.backward()``,
``optimizer.step()``, ``nn.utils.clip_grad_norm_(...)``, ``optimizer.zero_grad()``),
move a statement to another place in the same function (:func:`moved`), and follow a
value from where it is made to what ``main()`` returns (:func:`reaches_result`), so
that a mutator only proposes a bug where its effect can be observed.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted
from bughunt.mutator.idioms import drop_comment, enclosing_loops, method_call_statements, receiver

CLIP_FUNCTIONS = ("clip_grad_norm_", "clip_grad_value_")
_APPENDERS = m.Name("append") | m.Name("extend") | m.Name("insert") | m.Name("add") | m.Name("update")
#: calls that turn a tensor into a plain Python number: a value behind them is no longer a tensor
_TO_NUMBER = (m.Call(func=m.Name("float") | m.Name("int"))
              | m.Call(func=m.Attribute(attr=m.Name("item") | m.Name("tolist"))))


# --- the statements of a training step ---------------------------------------------------


def backward_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``loss.backward()``, ``(loss / k).backward()``, ``scaler.scale(loss).backward()``."""
    return method_call_statements(tree, "backward")


def _optimizer_names(tree: Tree) -> set[str]:
    """Names bound to ``torch.optim.<Optimizer>(...)``, or whose ``zero_grad()`` is called."""
    names = {receiver(s) for s in method_call_statements(tree, "zero_grad")}
    for assign in tree.find(m.Assign(value=m.Call())):
        callee = dotted(assign.value.func)
        if callee.startswith(("torch.optim.", "optim.")) and "lr_scheduler" not in callee:
            names.update(dotted(t.target) for t in assign.targets)
    return names - {""}


def optimizer_step_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``optimizer.step()``, and ``scaler.step(optimizer)`` of mixed precision."""
    optimizers = _optimizer_names(tree)
    found = []
    for statement in method_call_statements(tree, "step"):
        call = statement.body[0].value
        arguments = [dotted(a.value) for a in call.args]
        if (receiver(statement) in optimizers and not arguments) or (arguments and arguments[0] in optimizers):
            found.append(statement)
    return found


def clip_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``nn.utils.clip_grad_norm_(...)`` as a statement, or assigned: ``norm = ...clip_grad_norm_(...)``."""
    found = []
    for statement in tree.find(m.SimpleStatementLine(body=[m.Expr(m.Call()) | m.Assign(value=m.Call())])):
        call = statement.body[0].value
        if dotted(call.func).split(".")[-1] in CLIP_FUNCTIONS:
            found.append(statement)
    return found


def same_iteration(tree: Tree, a: cst.CSTNode, b: cst.CSTNode) -> bool:
    """``a`` and ``b`` run in the same iteration: same function, same innermost loop."""
    loops_a, loops_b = enclosing_loops(tree, a), enclosing_loops(tree, b)
    return (tree.enclosing(a, cst.FunctionDef) is tree.enclosing(b, cst.FunctionDef)
            and (loops_a[0] if loops_a else None) is (loops_b[0] if loops_b else None))


def is_modulo_test(tree: Tree, test: cst.BaseExpression) -> bool:
    """An accumulation condition: ``i % accum_steps == 0``, or a name assigned from one."""
    if m.findall(test, m.BinaryOperation(operator=m.Modulo())):
        return True
    if isinstance(test, cst.Name):
        function = tree.enclosing(test, cst.FunctionDef)
        scope = function if function is not None else tree.module
        for assign in m.findall(scope, m.Assign(targets=[m.AssignTarget(m.Name(test.value))])):
            if m.findall(assign.value, m.BinaryOperation(operator=m.Modulo())):
                return True
    return False


def accumulation_ifs(tree: Tree, function: cst.FunctionDef) -> list[cst.If]:
    """The ``if`` statements of ``function`` whose test is an accumulation condition."""
    return [node for node in m.findall(function, m.If()) if is_modulo_test(tree, node.test)]


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


# --- moving statements ------------------------------------------------------------------


def movable(statement: cst.BaseStatement) -> cst.BaseStatement:
    """A statement ready to be moved: a simple statement loses the comments around it (they
    described its old place); a block keeps the comment above it, which describes the block."""
    if isinstance(statement, cst.SimpleStatementLine):
        return drop_comment(statement).with_changes(leading_lines=())
    return statement


class _Reorder(cst.CSTTransformer):
    """Drops ``drop`` from its block and puts ``insert`` next to ``anchor`` (by identity)."""

    def __init__(self, drop: cst.CSTNode, anchor: cst.CSTNode, insert: cst.BaseStatement, after: bool) -> None:
        super().__init__()
        self.drop, self.anchor, self.insert, self.after = drop, anchor, insert, after

    def _body(self, original: Sequence[cst.CSTNode], updated: Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
        body: list[cst.CSTNode] = []
        for old, new in zip(original, updated):
            if old is self.anchor:
                body.extend([new, self.insert] if self.after else [self.insert, new])
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
          drop: Optional[cst.BaseStatement] = None) -> tuple[cst.CSTNode, cst.CSTNode]:
    """``statement`` taken out of its place (or ``drop`` taken out instead, e.g. the ``if``
    around it) and put right before (or after) ``anchor``. Returns the node to replace and
    its replacement, ready for an :class:`~bughunt.mutator.Edit`."""
    removed = drop if drop is not None else statement
    container = common_block(tree, removed, anchor)
    reorder = _Reorder(drop=removed, anchor=anchor, insert=movable(statement), after=after)
    return container, container.visit(reorder)


def applied(tree: Tree, node: cst.CSTNode, replacement: cst.CSTNode) -> str:
    """The program's source with ``node`` replaced: to tell two edits' results apart."""
    return tree.module.deep_replace(node, replacement).code


# --- where a value goes -------------------------------------------------------------------


def _carries(node: cst.CSTNode, names: set[str], functions: set[str], numbers_stop: bool) -> bool:
    """``node`` mentions one of ``names`` or calls one of ``functions`` (not behind a
    conversion to a Python number when ``numbers_stop``)."""
    if numbers_stop and m.matches(node, _TO_NUMBER):
        return False
    if isinstance(node, cst.Name) and node.value in names:
        return True
    if isinstance(node, cst.Call) and dotted(node.func) in functions:
        return True
    return any(_carries(child, names, functions, numbers_stop) for child in node.children)


def bound_names(statement: cst.CSTNode) -> set[str]:
    """Names an assignment or an ``xs.append(...)``-like call stores a value into."""
    names: set[str] = set()
    for assign in m.findall(statement, m.Assign() | m.AugAssign() | m.AnnAssign()):
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        for target in targets:
            names.update(n.value for n in m.findall(target, m.Name()))
    for call in m.findall(statement, m.Call(func=m.Attribute(attr=_APPENDERS))):
        base = call.func.value
        while isinstance(base, (cst.Attribute, cst.Subscript)):
            base = base.value
        if isinstance(base, cst.Name):
            names.add(base.value)
    return names


def _returns(function: cst.FunctionDef, names: set[str], functions: set[str], numbers_stop: bool) -> bool:
    """Whether what ``function`` returns depends on ``names`` (grown through assignments and
    appends until nothing changes) or on a call to one of ``functions``."""
    names = set(names)
    statements = list(m.findall(function, m.SimpleStatementLine()))
    changed = True
    while changed:
        changed = False
        for statement in statements:
            sources = [s.value for s in statement.body
                       if isinstance(s, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and s.value is not None]
            appends = m.findall(statement, m.Call(func=m.Attribute(attr=_APPENDERS)))
            sources += [a.value for call in appends for a in call.args]
            if any(_carries(s, names, functions, numbers_stop) for s in sources):
                new = bound_names(statement) - names
                if new:
                    names |= new
                    changed = True
    return any(r.value is not None and _carries(r.value, names, functions, numbers_stop)
               for r in m.findall(function, m.Return()))


def reaches_result(tree: Tree, statement: cst.CSTNode, names: Iterable[str], *, numbers_stop: bool = False) -> bool:
    """True when the values ``statement`` stores in ``names`` flow into what ``main()``
    returns: through assignments, appends and returns of the module's top-level functions.
    With ``numbers_stop``, a conversion to a Python number (``.item()``, ``float()``) ends
    the flow: what is observed then is a number, whatever it was made from."""
    function = tree.enclosing(statement, cst.FunctionDef)
    top_level = {f.name.value: f for f in tree.module.body if isinstance(f, cst.FunctionDef)}
    if function is None or top_level.get(function.name.value) is not function:
        return False
    if m.findall(statement, m.Return()) or tree.enclosing(statement, cst.Return) is not None:
        returning = {function.name.value}
    elif _returns(function, set(names), set(), numbers_stop):
        returning = {function.name.value}
    else:
        return False
    while "main" not in returning:
        new = {name for name, f in top_level.items()
               if name not in returning and _returns(f, set(), returning, numbers_stop)}
        if not new:
            return False
        returning |= new
    return True
