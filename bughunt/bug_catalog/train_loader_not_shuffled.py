"""train-loader-not-shuffled: the training DataLoader reads the samples in the same order every epoch."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.loaders import loader_calls, shuffle_arg, shuffles
from bughunt.mutator.rewrite import without_arg


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in loader_calls(tree):
        if not shuffles(call):
            continue
        arg = shuffle_arg(call)
        if arg.keyword is not None:
            yield Edit(call, call, without_arg(call, arg), "shuffle=True left out")
        yield Edit(call, arg, arg.with_changes(value=cst.Name("False")), "shuffle=False")


BUG = BugClass(
    id="train-loader-not-shuffled",
    title="The training DataLoader is not shuffled",
    symptom="No error. Every epoch sees the batches in the same order; when the data set is "
            "stored sorted or grouped (by class, by time, by file) the loss zigzags and the model "
            "drifts towards whatever came last.",
    why="A DataLoader reads its data set in index order unless shuffle=True (or a random sampler) "
        "asks it to draw a new permutation every epoch. Without it each batch is made of "
        "neighbouring samples and the same batches come back in the same order every epoch.",
    fix="Build the training DataLoader with shuffle=True (or sampler=RandomSampler(dataset)); keep "
        "the validation and test loaders in order.",
    guide="Section 3.2 (DataLoader); fault family: data pipeline",
    hints=(
        "Print the first labels of the first batch in two different epochs. Do they ever change?",
        "Look at how the training DataLoader is built: what decides the order of its samples?",
    ),
    mutate=mutate,
    detect=checks.loader_order,
    family="data pipeline",
)
