"""save-best-inverted: the "did it improve?" comparison points the wrong way."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted

_FLIPPED = {cst.GreaterThan: cst.LessThan, cst.LessThan: cst.GreaterThan,
            cst.GreaterThanEqual: cst.LessThanEqual, cst.LessThanEqual: cst.GreaterThanEqual}


def _best_names(node: cst.CSTNode) -> set[str]:
    """``best_acc``, ``self.best_loss``, ``best``: the record a new value is compared with."""
    found = {dotted(n) for n in m.findall(node, m.Name() | m.Attribute())}
    return {name for name in found if name.split(".")[-1].startswith("best")}


def _updates(block: cst.CSTNode, names: set[str]) -> bool:
    """The block assigns a new value to one of ``names``: it records the improvement."""
    targets = m.findall(block, m.AssignTarget())
    return any(dotted(n) in names for t in targets for n in m.findall(t, m.Name() | m.Attribute()))


def mutate(tree: Tree) -> Iterator[Edit]:
    for branch in tree.find(m.If(test=m.Comparison())):
        test = branch.test
        if len(test.comparisons) != 1 or type(test.comparisons[0].operator) not in _FLIPPED:
            continue
        left, right = _best_names(test.left), _best_names(test.comparisons[0].comparator)
        if bool(left) == bool(right) or not _updates(branch.body, left | right):
            continue  # not "new value vs. the best so far, then update the best"
        target = test.comparisons[0]
        flipped = target.with_changes(operator=_FLIPPED[type(target.operator)]())
        yield Edit(test, target, flipped, "comparison flipped")
        swapped = test.with_changes(left=target.comparator, comparisons=[target.with_changes(comparator=test.left)])
        yield Edit(test, test, swapped, "operands swapped")


BUG = BugClass(
    id="save-best-inverted",
    title="Save-best comparison inverted",
    symptom="No error, or the checkpoint file is missing when it is reloaded. The 'best' model "
            "is the worst epoch (or the first one), and the recorded best score is wrong.",
    why="Keeping the best model means comparing each new score with the best so far in the "
        "direction that means 'better': higher for accuracy, lower for a loss. Flipping the "
        "comparison, or reusing the loss direction for an accuracy, records the epochs that got "
        "worse, or none at all when the starting value can never be beaten that way.",
    fix="Compare in the metric's direction: `if val_acc > best_acc:` for accuracy, `if val_loss < "
        "best_loss:` for a loss, with best_acc starting below any real accuracy (best_loss at inf).",
    guide="industry patterns table (save best), Level 2 checkpoints, Level 4 full pipeline",
    family="the training loop",
    hints=(
        "Print the validation score of every epoch and the epoch that was saved as the best.",
        "Read the improvement test aloud with the metric's name in it. Does 'better' mean higher or lower?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
