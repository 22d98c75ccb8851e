"""loss-accumulated-as-tensor: a running loss sums tensors instead of Python numbers."""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.value_flow import reaches_result

_LOSS = re.compile(r"loss|criterion", re.IGNORECASE)
_ITEM = m.Call(func=m.Attribute(attr=m.Name("item")), args=[])
_APPEND = m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("append")), args=[m.Arg()])


def _is_loss(node: cst.BaseExpression, criteria: set[str]) -> bool:
    """``loss``, ``val_loss``, ``criterion(logits, y)``, ``F.cross_entropy(...)``."""
    for name in m.findall(node, m.Name()):
        if _LOSS.search(name.value) or name.value in criteria:
            return True
    return any(_LOSS.search(dotted(c.func)) or "cross_entropy" in dotted(c.func) for c in m.findall(node, m.Call()))


def _loss_items(value: cst.BaseExpression, criteria: set[str]) -> list[cst.Call]:
    return [c for c in m.findall(value, _ITEM) if _is_loss(c.func.value, criteria)]


def _sites(tree: Tree) -> Iterator[tuple[cst.Call, str]]:
    """``.item()`` calls on a loss whose number is summed (``total += loss.item()``) or
    collected (``losses.append(loss.item())``), with the name that keeps it."""
    criteria = {t.target.value for a in tree.find(m.Assign(value=m.Call())) for t in a.targets  # nn.XxxLoss()
                if isinstance(t.target, cst.Name) and dotted(a.value.func).endswith("Loss")}
    for statement in tree.find(m.AugAssign(operator=m.AddAssign(), target=m.Name())):
        for item in _loss_items(statement.value, criteria):
            yield item, statement.target.value
    for call in tree.find(_APPEND):
        for item in _loss_items(call.args[0].value, criteria):
            yield item, call.func.value.value


def mutate(tree: Tree) -> Iterator[Edit]:
    for item, keeper in _sites(tree):
        if not reaches_result(tree, tree.statement(item), [keeper], numbers_stop=True):
            continue  # only ever printed or compared: a tensor there would change nothing observable
        loss = item.func.value
        yield Edit(item, item, loss, ".item() dropped", subject=keeper)
        yield Edit(item, item.func.attr, cst.Name("detach"), ".detach() instead of .item()", subject=keeper)


BUG = BugClass(
    id="loss-accumulated-as-tensor",
    title="Running loss accumulated as a tensor instead of a number",
    symptom="No error at first. Memory grows epoch after epoch (on a GPU, until out of memory), "
            "and the logged 'loss' is a tensor (tensor(0.81, grad_fn=<...>)) instead of a float.",
    why="The loss is a 0-d tensor attached to the autograd graph of its batch. `total += loss` "
        "keeps every batch's graph alive through the sum, and makes the total a tensor. "
        ".item() copies the value out as a Python number and lets the graph go.",
    fix="Accumulate Python numbers: total += loss.item() (times the batch size for a "
        "per-sample mean), and likewise losses.append(loss.item()).",
    guide="section 6 (single-element tensor as scalar; CUDA out of memory), Level 2 validation loop",
    family="graphs kept alive",
    hints=(
        "At the end of an epoch, print {subject} and its type. What did you expect?",
        "What else does a loss tensor carry besides its value, and what keeps it alive?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
