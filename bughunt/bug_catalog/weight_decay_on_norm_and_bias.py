"""weight-decay-on-norm-and-bias: the param group meant to be free of weight decay is decayed."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.optimizers import is_optimizer_class

_ADAMW_DEFAULT = ("torch.optim.AdamW",)  # the one optimizer whose weight_decay defaults to non-zero (0.01)


def _key(element: cst.BaseDictElement, name: str) -> bool:
    return isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
        and element.key.evaluated_value == name


def _entry(group: cst.Dict, name: str) -> Optional[cst.DictElement]:
    return next((e for e in group.elements if _key(e, name)), None)


def _zero(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 0.0


def _optimizer_of(tree: Tree, groups: cst.List) -> Optional[cst.Call]:
    """The optimizer built from ``groups``: given as its first argument, or returned by a
    function whose call is."""
    for call in tree.find(m.Call()):
        if not is_optimizer_class(tree, call.func):
            continue
        first = next((a.value for a in call.args if a.keyword is None), None)
        if first is groups:
            return call
        if isinstance(first, cst.Call) and isinstance(first.func, cst.Name):
            for function in tree.find(m.FunctionDef(name=m.Name(first.func.value))):
                if any(r.value is groups for r in m.findall(function, m.Return())):
                    return call
    return None


def _without(group: cst.Dict, entry: cst.DictElement) -> cst.Dict:
    elements = [e for e in group.elements if e is not entry]
    if elements and group.elements[-1] is entry:
        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return group.with_changes(elements=elements)


def mutate(tree: Tree) -> Iterator[Edit]:
    for groups in tree.find(m.List()):
        dicts = [e.value for e in groups.elements if isinstance(e.value, cst.Dict) and _entry(e.value, "params")]
        if len(dicts) < 2:
            continue
        optimizer = _optimizer_of(tree, groups)
        if optimizer is None:
            continue
        default = next((a.value for a in optimizer.args if a.keyword is not None and a.keyword.value == "weight_decay"), None)
        for group in dicts:
            entry = _entry(group, "weight_decay")
            if entry is None or not _zero(entry.value):
                continue
            decayed = [_entry(d, "weight_decay") for d in dicts if d is not group]
            values = [e.value for e in decayed if e is not None and not _zero(e.value)]
            if not values and default is not None and isinstance(default, (cst.Integer, cst.Float)) and not _zero(default):
                values = [default]
            if values:
                yield Edit(entry, entry.value, values[0].deep_clone(),
                           "the no-decay group given the decay value too")
            inherits = (default is not None and not (isinstance(default, (cst.Integer, cst.Float)) and _zero(default))) \
                or (default is None and tree.refers_to(optimizer.func, *_ADAMW_DEFAULT))
            if inherits:
                yield Edit(entry, group, _without(group, entry), "'weight_decay': 0 left out of the no-decay group")


BUG = BugClass(
    id="weight-decay-on-norm-and-bias",
    title="Weight decay applied to the biases and normalisation parameters",
    symptom="No error. The biases and the normalisation layers' scales are pulled towards zero "
            "every step: the layers lose their offsets and gains and training is a little worse.",
    why="Weight decay is meant to shrink the weight matrices. A param group built to exclude "
        "biases and norm parameters only works if its weight_decay is 0: a group without the "
        "key inherits the optimizer's default (AdamW's is 0.01), and copying the decay value "
        "into it undoes the split.",
    fix="Give the group of biases and normalisation parameters \"weight_decay\": 0.0 explicitly, "
        "and the weight matrices the decay.",
    guide="Level 4 industry patterns (optimizer); fault family: hyperparameters",
    hints=(
        "Print each param group's weight_decay and the names of the parameters it holds.",
        "Which weight decay does a param group get when its dict does not say?",
    ),
    mutate=mutate,
    detect=checks.weight_decay,
    family="hyperparameters",
)
