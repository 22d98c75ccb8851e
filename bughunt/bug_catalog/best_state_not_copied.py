"""best-state-not-copied: the "best" weights kept in memory are the live tensors, not a copy."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr

_STATE_DICT = m.Call(func=m.Attribute(attr=m.Name("state_dict")), args=[])


def _copied_state(tree: Tree, value: cst.BaseExpression) -> Optional[cst.Call]:
    """The ``model.state_dict()`` call that ``value`` copies: ``copy.deepcopy(model.state_dict())``
    or ``{k: v.clone() for k, v in model.state_dict().items()}``."""
    if isinstance(value, cst.Call) and tree.refers_to(value.func, "copy.deepcopy") and value.args \
            and m.matches(value.args[0].value, _STATE_DICT):
        return value.args[0].value
    if isinstance(value, cst.DictComp) and m.findall(value.value, m.Call(func=m.Attribute(attr=m.Name("clone")))):
        source = value.for_in.iter
        if m.matches(source, m.Call(func=m.Attribute(value=_STATE_DICT, attr=m.Name("items")))):
            return source.func.value
    return None


def mutate(tree: Tree) -> Iterator[Edit]:
    loads = tree.find(m.Call(func=m.Attribute(attr=m.Name("load_state_dict")), args=[m.Arg(value=m.Name())]))
    restored = {call.args[0].value.value: call for call in loads}
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(target=m.Name())])):
        state = _copied_state(tree, assign.value)
        name = assign.targets[0].target.value
        if state is None or name not in restored:
            continue
        if tree.enclosing(restored[name], cst.FunctionDef) is not tree.enclosing(assign, cst.FunctionDef):
            continue  # the kept state must be restored by the same run that keeps it
        live = code_of(state)
        yield Edit(assign, assign.value, expr(live), "the live state_dict() kept, not a copy")
        yield Edit(assign, assign.value, expr(f"{live}.copy()"), "a shallow copy of state_dict()")


BUG = BugClass(
    id="best-state-not-copied",
    title="The best weights are kept without copying them",
    symptom="No error. The 'best' model restored at the end scores exactly like the last epoch's "
            "model, not like the best epoch's.",
    why="state_dict() returns a dict of references to the model's own tensors, not a snapshot. "
        "Training updates those tensors in place, so a kept state_dict() (or a shallow dict "
        "copy of it) follows the model and always holds the latest weights.",
    fix="Keep a real copy: copy.deepcopy(model.state_dict()), or "
        "{k: v.detach().clone() for k, v in model.state_dict().items()}, or save it to a file.",
    guide="Industry patterns (save best, checkpoint); fault family: initialisation and state",
    hints=(
        "Compare the restored model's validation score with the best epoch's. Are they the same?",
        "Does the kept state hold its own tensors, or the model's?",
    ),
    mutate=mutate,
    detect=checks.same_results,
    family="initialisation and state",
)
