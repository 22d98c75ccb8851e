"""wrong-cat-dim: torch.cat joins along the wrong dimension."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import int_literal

_CAT = ("torch.cat", "torch.concat", "torch.concatenate")


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        if not tree.refers_to(call.func, *_CAT) or len(call.args) != 2:
            continue
        tensors, dim = call.args
        value = int_literal(dim.value)
        if value is None:
            continue
        if value == 0:  # batch-wise concatenation turned feature-wise
            yield Edit(call, dim.value, cst.Integer("1"), "dim=1")
            continue
        yield Edit(call, dim.value, cst.Integer("0"), "dim=0")
        # forgetting dim altogether: torch.cat defaults to dim 0
        yield Edit(call, call, call.with_changes(args=[tensors.with_changes(comma=cst.MaybeSentinel.DEFAULT)]),
                   "dim omitted")


BUG = BugClass(
    id="wrong-cat-dim",
    title="torch.cat along the wrong dimension",
    symptom="RuntimeError: Sizes of tensors must match except in dimension 0 ... or, when the "
            "sizes happen to agree, a tensor of the wrong shape further on (twice the batch, "
            "half the features).",
    why="torch.cat keeps every dim but one and adds up the sizes along that one. Features live "
        "on dim 1 ((N, F) vectors, (N, C, H, W) channels), samples on dim 0; joining features "
        "along dim 0 stacks the samples instead. Leaving out dim means dim=0.",
    fix="Concatenate features along the feature/channel dim (dim=1 for (N, F) and (N, C, H, W)), "
        "and check that the layer after it expects the summed width.",
    guide="section 2.2 (cat and stack), section 4.2, section 6 (shape mismatch in cat)",
    family="shapes and dims",
    hints=(
        "Print the shapes going into and coming out of each torch.cat.",
        "Which dim holds the batch and which holds the features? Which one should grow?",
    ),
    mutate=mutate,
    detect=checks.same_results,
    canonical=True,
)
