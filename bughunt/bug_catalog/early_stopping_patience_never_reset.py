"""early-stopping-patience-never-reset: bad epochs are counted in total, not in a row."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr

_RESET = m.SimpleStatementLine(
    body=[m.Assign(targets=[m.AssignTarget(m.Name() | m.Attribute())], value=m.Integer("0"))])
_COUNT_UP = m.AugAssign(operator=m.AddAssign(), value=m.Integer("1"))


def _counters(branch: cst.If) -> set[str]:
    """Names the other branch counts up (``bad_epochs += 1``) and some test compares."""
    return {dotted(a.target) for a in m.findall(branch.orelse, _COUNT_UP)}


def _compared(tree: Tree, name: str) -> bool:
    return any(name in {dotted(n) for n in m.findall(c, m.Name() | m.Attribute())} for c in tree.find(m.Comparison()))


def mutate(tree: Tree) -> Iterator[Edit]:
    for branch in tree.find(m.If(orelse=m.Else())):
        counters = {name for name in _counters(branch) if _compared(tree, name)}
        for reset in branch.body.body:
            if not m.matches(reset, _RESET):
                continue
            target = reset.body[0].targets[0].target
            if dotted(target) not in counters:
                continue
            yield Edit(reset, reset, cst.RemoveFromParent(), "reset removed")
            typo = reset.with_changes(body=[cst.Expr(expr(f"{code_of(target)} == 0"))])
            yield Edit(reset, reset, typo, "== instead of =")


BUG = BugClass(
    id="early-stopping-patience-never-reset",
    title="Early-stopping counter never reset on improvement",
    symptom="No error. Training stops too early: after `patience` bad epochs in total, even when "
            "the model kept improving in between.",
    why="Patience means 'this many epochs IN A ROW without improvement'. The counter must go "
        "back to zero whenever the monitored metric improves; otherwise it counts every bad "
        "epoch since the start, and a few isolated dips are enough to stop.",
    fix="Set the counter back to 0 in the branch that records a new best (and only count up in "
        "the other branch).",
    guide="Level 4 early stopping, industry challenges (full pipeline with early stopping)",
    family="the training loop",
    hints=(
        "Print the counter after every epoch next to the validation loss. What happens to it after an improvement?",
        "What does 'patience' count exactly: bad epochs in total, or in a row?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
