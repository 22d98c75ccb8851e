"""validation-loader-drops-samples: the validation loader shuffles and drops its incomplete last batch."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.loaders import loader_calls, ordered, shuffle_arg, shuffles
from bughunt.mutator.rewrite import argument, keyword, with_keywords


def mutate(tree: Tree) -> Iterator[Edit]:
    calls = loader_calls(tree)
    if not any(shuffles(call) for call in calls):  # no training loader beside it: nothing marks it as the eval one
        return
    for call in calls:
        if not ordered(call) or argument(call, "drop_last", 6) is not None:
            continue
        if argument(call, "batch_size", 1) is None:  # batches of one: drop_last drops nothing
            continue
        found = shuffle_arg(call)
        if found is None:
            mutated = with_keywords(call, keyword("shuffle", "True"), keyword("drop_last", "True"))
        else:
            mutated = with_keywords(call.deep_replace(found, found.with_changes(value=cst.Name("True"))),
                                    keyword("drop_last", "True"))
        yield Edit(call, call, mutated, "shuffle=True, drop_last=True copied onto the evaluation loader")


BUG = BugClass(
    id="validation-loader-drops-samples",
    title="The validation loader shuffles and drops its last batch",
    symptom="No error. The validation loss and accuracy move from epoch to epoch even when the "
            "model does not change, and are measured on fewer samples than the split holds.",
    why="drop_last=True throws away the incomplete last batch of every pass; with shuffle=True a "
        "different set of samples is thrown away each time. That is harmless for training, but a "
        "validation pass must see every sample once, and its order does not matter.",
    fix="Build the validation (and test) DataLoader without shuffle and without drop_last: it reads "
        "every sample once, in order.",
    guide="Section 3.2 (DataLoader) and the Level 2 validation loop; fault family: data pipeline",
    hints=(
        "Count the samples one validation pass actually sees, and compare with len(val_set).",
        "Compare the arguments of the validation DataLoader with the training one's.",
    ),
    mutate=mutate,
    detect=checks.loader_coverage,
    family="data pipeline",
)
