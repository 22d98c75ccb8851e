"""The calls that make one optimisation step, and the condition that gates them.

``loss.backward()``, ``optimizer.step()`` (or ``scaler.step(optimizer)``), gradient clipping
(``clip_grad_norm_``/``clip_grad_value_`` of ``torch.nn.utils``, however imported), and the
accumulation condition (``i % accum_steps == 0``) that runs the step every few batches.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted
from bughunt.mutator.optimizers import optimizer_names
from bughunt.mutator.statements import method_call_statements, receiver

CLIP_FUNCTIONS = ("torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_value_",
                  "torch.nn.utils.clip_grad.clip_grad_norm_", "torch.nn.utils.clip_grad.clip_grad_value_")


def backward_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``loss.backward()``, ``(loss / k).backward()``, ``scaler.scale(loss).backward()``."""
    return method_call_statements(tree, "backward")


def optimizer_step_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``optimizer.step()``, and ``scaler.step(optimizer)`` of mixed precision."""
    optimizers = optimizer_names(tree)
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
        if tree.refers_to(statement.body[0].value.func, *CLIP_FUNCTIONS):
            found.append(statement)
    return found


def clips_later(tree: Tree, statement: cst.SimpleStatementLine) -> bool:
    """A gradient-clipping call follows ``statement`` in the same block."""
    block = tree.parent(statement)
    body = list(getattr(block, "body", ()))
    later = body[body.index(statement) + 1:] if statement in body else []
    return any(tree.refers_to(call.func, *CLIP_FUNCTIONS) for s in later for call in m.findall(s, m.Call()))


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
