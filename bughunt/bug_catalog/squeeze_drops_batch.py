"""squeeze-drops-batch: a bare squeeze() where squeeze(dim) was meant."""

from __future__ import annotations

from typing import Iterator

import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr
from bughunt.mutator.rewrite import postfix
from bughunt.mutator.tensor_ops import int_args, shape_call


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        found = shape_call(call, "squeeze")
        dims = int_args(found.args) if found is not None and len(found.args) == 1 else None
        if dims is None or dims == [0]:
            continue  # bare already, a computed dim, or squeeze(0): that one *is* the batch dim
        tensor = found.tensor
        yield Edit(call, call, expr(f"{postfix(tensor)}.squeeze()"), "squeeze() without a dim")
        yield Edit(call, call, expr(f"torch.squeeze({code_of(tensor)})"), "torch.squeeze(x) without a dim")


BUG = BugClass(
    id="squeeze-drops-batch",
    title="A bare squeeze() also removes the batch dim when the batch has one sample",
    symptom="Works for most batches, then fails (or returns a result of the wrong shape) on a "
            "batch of one sample: the last, smaller batch of an epoch, or batch_size=1. Typical: "
            "'Target size (torch.Size([1])) must be the same as input size (torch.Size([]))'.",
    why="squeeze() without a dim removes every dim of size 1. For (N, 1) it is meant to drop the "
        "trailing 1, but when N == 1 the batch dim has size 1 too and disappears: (1, 1) becomes "
        "a 0-d tensor instead of shape (1,).",
    fix="Name the dim to remove: x.squeeze(1) or x.squeeze(-1) (or index it away with x[:, 0]).",
    guide="section 2.3 (squeeze and unsqueeze), Bug 8 (loss / target shape)",
    family="shapes and dims",
    hints=(
        "Run it with batch_size=1 and print the shapes around every squeeze.",
        "Which dims of size 1 does squeeze() remove when you do not tell it which one?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
