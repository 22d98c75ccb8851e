"""custom-init-never-runs: a custom weight initialisation that never reaches the layers."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr
from bughunt.mutator.move import moved, removed

_APPLY = m.SimpleStatementLine(body=[m.Expr(m.Call(func=m.Attribute(attr=m.Name("apply")), args=[m.Arg(keyword=None)]))])


def _initialiser(tree: Tree, statement: cst.SimpleStatementLine) -> Optional[cst.FunctionDef]:
    """The function ``module.apply(f)`` runs on every submodule, when it initialises weights
    (calls ``torch.nn.init``): a function of the module, or ``self.f``, a method of the class around."""
    func = statement.body[0].value.args[0].value
    if isinstance(func, cst.Name):
        candidates = [f for f in tree.module.body if isinstance(f, cst.FunctionDef) and f.name.value == func.value]
    elif isinstance(func, cst.Attribute) and m.matches(func.value, m.Name("self")):
        owner = tree.enclosing(statement, cst.ClassDef)
        candidates = [f for f in (owner.body.body if owner else ()) if isinstance(f, cst.FunctionDef) and f.name.value == func.attr.value]
    else:
        return None
    for function in candidates:
        if any(tree.refers_within(c.func, "torch.nn.init") for c in m.findall(function, m.Call())):
            return function
    return None


def _after_super_init(tree: Tree, statement: cst.SimpleStatementLine) -> Optional[cst.BaseStatement]:
    """In ``__init__``, the ``super().__init__()`` statement when layers are made between it and ``statement``."""
    init = tree.enclosing(statement, cst.FunctionDef)
    if init is None or init.name.value != "__init__" or tree.parent(statement) is not init.body:
        return None
    body = list(init.body.body)
    first = next((s for s in body if m.findall(s, m.Call(func=m.Attribute(value=m.Call(func=m.Name("super")),
                                                                           attr=m.Name("__init__"))))), None)
    if first is None:
        return None
    between = body[body.index(first) + 1: body.index(statement)]
    layers = [s for s in between if m.findall(s, m.Assign(targets=[m.AssignTarget(target=m.Attribute(value=m.Name("self")))]))]
    return first if layers else None


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in tree.find(_APPLY):
        if _initialiser(tree, statement) is None:
            continue
        call = statement.body[0].value
        gone = removed(tree, statement)
        if gone is not None:
            yield Edit(statement, *gone, "the apply() call left out")
        target, function = code_of(call.func.value), code_of(call.args[0].value)
        direct = statement.body[0].with_changes(value=expr(f"{function}({target})"))
        yield Edit(statement, statement.body[0], direct, "the init function called on the model itself, not applied")
        first = _after_super_init(tree, statement)
        if first is not None:
            yield Edit(statement, *moved(tree, statement, first, after=True), "applied in __init__ before the layers exist")


BUG = BugClass(
    id="custom-init-never-runs",
    title="A custom weight initialisation that never runs",
    symptom="No error. The model trains from PyTorch's default initialisation instead of the "
            "chosen one: slower or less stable training, and results that differ from a run "
            "where the initialisation works.",
    why="An init function written for one layer (`if isinstance(m, nn.Linear): ...`) only acts "
        "on the modules it is called with. model.apply(fn) calls it on every submodule; calling "
        "fn(model) checks the container, which is no Linear, and does nothing; self.apply(...) "
        "at the top of __init__ runs before the layers exist; without the call nothing happens.",
    fix="Call model.apply(init_fn) (or self.apply(self._init_weights) as the last line of "
        "__init__) once every layer has been created.",
    guide="Section 4.1 (nn.Module); fault family: initialisation and state",
    hints=(
        "Print the std of a Linear layer's weight right after building the model. Is it the "
        "one your initialisation should give?",
        "Put a print inside the init function: how often, and on which modules, does it run?",
    ),
    mutate=mutate,
    detect=checks.same_final_params,
    family="initialisation and state",
)
