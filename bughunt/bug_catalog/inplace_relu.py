"""inplace-relu: an in-place ReLU overwrites a tensor that is still needed."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, expr, names_read
from bughunt.mutator.rewrite import keyword

_RELU = ("torch.relu", "torch.nn.functional.relu")
# ops whose backward reads their own output: overwriting that output breaks backward()
_NEEDS_OUTPUT = ("torch.sigmoid", "torch.tanh", "torch.exp", "torch.softmax", "torch.nn.functional.softmax",
                 "torch.nn.functional.sigmoid")


def _relu_argument(tree: Tree, call: cst.Call) -> str | None:
    """The name ReLU is applied to: ``torch.relu(h)``, ``F.relu(h)`` or ``h.relu()``."""
    if tree.refers_to(call.func, *_RELU) and len(call.args) == 1 and isinstance(call.args[0].value, cst.Name):
        return call.args[0].value.value
    if m.matches(call, m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("relu")), args=[])):
        return call.func.value.value
    return None


def _still_needed(tree: Tree, call: cst.Call, name: str) -> bool:
    """``name`` is read again after this statement, or autograd needs it as an op's output."""
    function = tree.enclosing(call, cst.FunctionDef)
    if function is None:
        return False
    line = tree.line(tree.statement(call))
    later = [s for s in m.findall(function, m.SimpleStatementLine() | m.Return()) if tree.line(s) > line]
    targets = {n.value for a in m.findall(function, m.AssignTarget()) for n in m.findall(a, m.Name())}
    if name in names_read(later) and not (name in targets and _reassigned_between(tree, function, name, line)):
        return True
    for assign in m.findall(function, m.Assign(targets=[m.AssignTarget(m.Name(name))], value=m.Call())):
        if tree.refers_to(assign.value.func, *_NEEDS_OUTPUT) and tree.line(assign) < line:
            return True
    return False


def _reassigned_between(tree: Tree, function: cst.FunctionDef, name: str, line: int) -> bool:
    """``name`` is rebound at or after ``line`` before anything reads it."""
    for assign in m.findall(function, m.Assign(targets=[m.AssignTarget(m.Name(name))])):
        if tree.line(assign) >= line:
            return True
    return False


def _module_relus(tree: Tree) -> Iterator[Edit]:
    """``self.act = nn.ReLU()`` in ``__init__``, made ``nn.ReLU(inplace=True)`` when a method of
    the class calls ``self.act(name)`` on a ``name`` that is still needed afterwards (a
    pre-activation block's skip path). A ReLU whose input nothing reads again (the usual
    ``Linear -> ReLU`` in a Sequential) is safe in place: that mutant would be equivalent."""
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(m.Attribute(value=m.Name("self"), attr=m.Name()))],
                                     value=m.Call(args=[]))):
        if not tree.refers_to(assign.value.func, "torch.nn.ReLU"):
            continue
        cls = tree.enclosing(assign, cst.ClassDef)
        attribute = assign.targets[0].target.attr.value
        if cls is None:
            continue
        pattern = m.Call(func=m.Attribute(value=m.Name("self"), attr=m.Name(attribute)), args=[m.Arg(m.Name())])
        if any(_still_needed(tree, call, call.args[0].value.value) for call in m.findall(cls, pattern)):
            constructor = assign.value
            yield Edit(constructor, constructor, constructor.with_changes(args=[keyword("inplace", "True")]),
                       "nn.ReLU(inplace=True)")


def mutate(tree: Tree) -> Iterator[Edit]:
    yield from _module_relus(tree)
    functional = tree.imported_as("torch.nn.functional")  # F, as the program calls it
    for call in tree.find(m.Call()):
        name = _relu_argument(tree, call)
        if name is None or not _still_needed(tree, call, name):
            continue
        forms = [f"{name}.relu_()", f"torch.relu_({name})"] + ([f"{functional}.relu({name}, inplace=True)"] if functional else [])
        for form in forms:
            yield Edit(call, call, expr(form), form)


BUG = BugClass(
    id="inplace-relu",
    title="In-place ReLU on a tensor that is still needed",
    symptom="RuntimeError: one of the variables needed for gradient computation has been modified "
            "by an inplace operation ... or, when the tensor is reused (a skip connection), no "
            "error but wrong values: the 'original' features are already rectified.",
    why="relu_() and inplace=True overwrite their input to save memory. That is safe only when "
        "nothing reads the input again: not a skip connection that reuses it, and not autograd, "
        "which keeps the outputs of ops like sigmoid and exp for their backward.",
    fix="Use the out-of-place form (torch.relu(x), F.relu(x), nn.ReLU()), or make sure the "
        "overwritten tensor is never used again.",
    guide="Bug 7 (in-place op breaking autograd)",
    family="autograd",
    hints=(
        "Look for a trailing underscore or inplace=True. Which tensor does it overwrite?",
        "After the in-place call, is the original tensor read again, by your code or by backward()?",
    ),
    mutate=mutate,
    detect=checks.same_results,
    canonical=True,
)
