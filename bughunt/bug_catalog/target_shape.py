"""target-shape: CrossEntropyLoss gets targets of shape (N, 1) instead of (N,)."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr
from bughunt.mutator.losses import assigns_label, cross_entropy_calls
from bughunt.mutator.rewrite import postfix


def mutate(tree: Tree) -> Iterator[Edit]:
    # Where the loss is computed: the targets gain a trailing dim.
    for call in cross_entropy_calls(tree):
        target = [a for a in call.args if a.keyword is None][1]
        for form in (f"{postfix(target.value)}.unsqueeze(1)", f"{postfix(target.value)}.view(-1, 1)"):
            yield Edit(call, target, target.with_changes(value=expr(form)), form)
    # Where labels are made: randint's size (n,) becomes (n, 1).
    for call in tree.find(m.Call()):
        if dotted(call.func) != "torch.randint" or not assigns_label(tree, call):
            continue
        positional = [a for a in call.args if a.keyword is None]
        size = positional[-1].value if positional else None
        if isinstance(size, cst.Tuple) and len(size.elements) == 1:
            wider = expr(f"({code_of(size.elements[0].value)}, 1)")
            yield Edit(call, size, wider, "randint size (n, 1)")
    # A dataset that wraps each label in a list: torch.tensor([label]) has shape (1,).
    for call in tree.find(m.Call(args=[m.Arg(keyword=None), m.Arg(keyword=m.Name("dtype"))])):
        value = call.args[0].value
        if dotted(call.func) == "torch.tensor" and not isinstance(value, cst.List) and assigns_label(tree, call):
            wrapped = call.args[0].with_changes(value=cst.List([cst.Element(value)]))
            yield Edit(call, call.args[0], wrapped, "torch.tensor([label])")


BUG = BugClass(
    id="target-shape",
    title="Targets of shape (N, 1) for CrossEntropyLoss",
    symptom="RuntimeError: 0D or 1D target tensor expected, multi-target not supported.",
    why="For logits of shape (N, C), CrossEntropyLoss wants one class index per sample: a 1-D "
        "target of shape (N,). A trailing dim of size 1, from unsqueeze, view(-1, 1) or a label "
        "wrapped in a list, makes it (N, 1), which the loss reads as several targets per sample.",
    fix="Give the loss targets of shape (N,): create them that way, or squeeze the extra dim "
        "with targets.squeeze(1) (not a bare squeeze(), which also drops N when N == 1).",
    guide="Bug 8 (loss / target shape), Quiz Q6",
    family="shapes and dims",
    hints=(
        "Print the shapes of the logits and of the targets right before the loss.",
        "Look where the targets are built and where they are passed to the criterion: where does the extra dim come from?",
    ),
    mutate=mutate,
    detect=checks.target_rank,
    canonical=True,
)
