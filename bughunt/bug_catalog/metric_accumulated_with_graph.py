"""metric-accumulated-with-graph: a training metric summed as tensors that keep each batch's graph."""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.activations import origins
from bughunt.mutator.graphs import model_called, module_level_names, under_no_grad
from bughunt.mutator.statements import enclosing_loops
from bughunt.mutator.value_flow import reaches_result

_ITEM = m.Call(func=m.Attribute(attr=m.Name("item")), args=[])
_APPEND = m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("append")), args=[m.Arg()])
_LOSS = re.compile(r"loss|criterion", re.IGNORECASE)  # a running loss is loss-accumulated-as-tensor's
# results that carry no graph: counting correct predictions is not keeping a graph
_NO_GRAPH = m.Comparison() | m.Call(func=m.Attribute(attr=m.OneOf(*(m.Name(n) for n in (
    "argmax", "argmin", "eq", "ne", "lt", "gt", "le", "ge", "round", "floor", "ceil", "sign", "long", "int", "bool")))))


def _from_model(tree: Tree, value: cst.BaseExpression, known: set[str]) -> bool:
    """``value`` reads a model's output: a name bound to ``model(x)`` (reshaped or not) earlier in
    the function, or a model call itself; and no loss."""
    if any(_LOSS.search(n.value) for n in m.findall(value, m.Name())) or m.findall(value, _NO_GRAPH):
        return False
    if any(_LOSS.search(dotted(c.func)) for c in m.findall(value, m.Call())):
        return False
    for name in [*m.findall(value, m.Name()), *m.findall(value, m.Call())]:
        if any(model_called(o, known) for o in origins(tree, name)):
            return True
    return False


def _sites(tree: Tree) -> Iterator[tuple[cst.Call, str]]:
    """``.item()`` of a model-output expression summed (``total += ...``) or collected (``xs.append(...)``)."""
    for statement in tree.find(m.AugAssign(operator=m.AddAssign(), target=m.Name())):
        for item in m.findall(statement.value, _ITEM):
            yield item, statement.target.value
    for call in tree.find(_APPEND):
        for item in m.findall(call.args[0].value, _ITEM):
            yield item, call.func.value.value


def mutate(tree: Tree) -> Iterator[Edit]:
    known = module_level_names(tree)
    for item, keeper in _sites(tree):
        statement = tree.statement(item)
        loops = enclosing_loops(tree, statement)
        if not loops or under_no_grad(tree, statement) or not _from_model(tree, item.func.value, known):
            continue
        if not m.findall(loops[0], m.Call(func=m.Attribute(attr=m.Name("backward")))):
            continue  # no training step here: the outputs may well carry no graph
        if not reaches_result(tree, statement, [keeper], numbers_stop=True):
            continue
        yield Edit(item, item, item.func.value, ".item() dropped from the running metric")


BUG = BugClass(
    id="metric-accumulated-with-graph",
    title="A running training metric kept as a tensor with its graph",
    symptom="No error. Memory grows batch after batch (on a GPU until it runs out), each epoch is "
            "slower, and the logged metric prints as tensor(..., grad_fn=<AddBackward0>).",
    why="A metric computed from the model's outputs during training (an error, an accuracy from "
        "scores) is a tensor attached to that batch's autograd graph. Adding it to a running "
        "total links every batch's graph into the total, so none of them can be freed until the "
        "total is. .item() copies out the number and lets the graph go.",
    fix="Accumulate Python numbers: total += metric.item() (or compute the metric under "
        "torch.no_grad(), or from outputs.detach()).",
    guide="fault studies: graphs kept alive (a running metric); section 6 (CUDA out of memory)",
    hints=(
        "Print type(total_error) at the end of an epoch, and its grad_fn.",
        "What does a tensor computed from the model's outputs carry along besides its value?",
    ),
    mutate=mutate,
    detect=checks.same_results,
    family="graphs kept alive",
)
