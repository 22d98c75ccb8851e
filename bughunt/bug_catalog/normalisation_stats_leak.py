"""normalisation-stats-leak: the standardisation statistics are measured on more than the training split."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree

_STATISTICS = ("mean", "std", "var")


class _Rename(cst.CSTTransformer):
    """The given Name nodes (by identity) renamed."""

    def __init__(self, nodes: list[cst.Name], name: str) -> None:
        super().__init__()
        self.ids, self.name = {id(n) for n in nodes}, name

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.name) if id(original) in self.ids else updated


def _statistic(call: cst.Call) -> Optional[cst.Name]:
    """The tensor whose statistic ``call`` measures: ``x_train`` in ``x_train.mean(dim=0)``."""
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in _STATISTICS and isinstance(call.func.value, cst.Name):
        return call.func.value
    return None


def _normalised(tree: Tree, function: cst.FunctionDef, stats: set[str]) -> list[str]:
    """Names standardised with the statistics ``stats``: ``a`` in ``(a - mean) / std``."""
    found = []
    for op in m.findall(function, m.BinaryOperation(operator=m.Subtract(), left=m.Name(), right=m.Name())):
        if op.right.value in stats and op.left.value not in found:
            found.append(op.left.value)
    return found


def _origin(function: cst.FunctionDef, name: str, before: int, tree: Tree) -> Optional[str]:
    """The data set a split ``name`` was taken from: ``x`` for ``x_train = x[idx]`` or for
    ``(x_train, y_train), ... = split(x, y, ...)`` (its first positional argument)."""
    for assign in m.findall(function, m.Assign()):
        if tree.line(assign) >= before:
            continue
        if not any(name in {n.value for n in m.findall(t.target, m.Name())} for t in assign.targets):
            continue
        value, target = assign.value, assign.targets[0].target
        if isinstance(target, cst.Tuple) and isinstance(value, cst.Tuple) and len(target.elements) == len(value.elements):
            value = next(v.value for t, v in zip(target.elements, value.elements)  # a, b = x[:n], x[n:]
                         if name in {n.value for n in m.findall(t.value, m.Name())})
        if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name):
            return value.value.value
        if isinstance(value, cst.Call):
            positional = [a.value for a in value.args if a.keyword is None and not a.star]
            if positional and isinstance(positional[0], cst.Name):
                return positional[0].value
    return None


def mutate(tree: Tree) -> Iterator[Edit]:
    for function in tree.find(m.FunctionDef()):
        calls = [c for c in m.findall(function.body, m.Call()) if _statistic(c) is not None]
        by_split: dict[str, list[cst.Call]] = {}
        for call in calls:
            by_split.setdefault(_statistic(call).value, []).append(call)
        for split, measured in by_split.items():
            statements = [tree.statement(c) for c in measured]
            stats = {n for s in statements for t in m.findall(s, m.AssignTarget()) for n in
                     (x.value for x in m.findall(t, m.Name()))}
            normalised = _normalised(tree, function, stats)
            if split not in normalised:
                continue  # not a standardisation of the split by its own statistics
            block = tree.parent(statements[0])
            if any(tree.parent(s) is not block for s in statements):
                continue
            node = block if len(set(map(id, statements))) > 1 else statements[0]
            receivers = [_statistic(c) for c in measured]
            whole = _origin(function, split, tree.line(statements[0]), tree)
            if whole and whole != split:
                yield Edit(statements[0], node, node.visit(_Rename(receivers, whole)), "statistics of the whole data set")
            for other in normalised:
                if other != split:
                    yield Edit(statements[0], node, node.visit(_Rename(receivers, other)),
                               "statistics of the validation split")
                    break


BUG = BugClass(
    id="normalisation-stats-leak",
    title="Normalisation statistics measured on more than the training split",
    symptom="No error. Validation scores look better than the model will do on new data, and "
            "the training inputs are no longer centred and scaled as intended.",
    why="Standardising with a mean and std measured on the whole data set (or on the validation "
        "split) lets the validation data shape the training inputs: the model is tuned with "
        "knowledge of data it is supposed never to have seen, so validation overestimates it.",
    fix="Measure the mean and std on the training split only, after splitting, and apply those "
        "same statistics to the training, validation and test data.",
    guide="Level 4 industry patterns (train/val); fault family: data pipeline",
    hints=(
        "Print the mean and std of the training inputs after normalisation. Are they 0 and 1?",
        "Which rows are the normalisation statistics measured on?",
    ),
    mutate=mutate,
    detect=checks.same_final_params,
    family="data pipeline",
)
