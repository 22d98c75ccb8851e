"""argmax-wrong-dim: predictions are taken over the batch, or over the flattened tensor."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.rewrite import int_literal
from bughunt.mutator.value_flow import bound_names, reaches_result

_METHOD = m.Call(func=m.Attribute(attr=m.Name("argmax")))  # x.argmax(...) and torch.argmax(x, ...)


def _dim(call: cst.Call) -> Optional[cst.Arg]:
    """The dim argument: ``x.argmax(1)``, ``x.argmax(dim=1)``, ``torch.argmax(x, dim=1)``."""
    keyword = next((a for a in call.args if a.keyword is not None and a.keyword.value == "dim"), None)
    positional = [a for a in call.args if a.keyword is None]
    skip = 1 if dotted(call.func) == "torch.argmax" else 0
    return keyword or (positional[skip] if len(positional) > skip else None)


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        if not m.matches(call, _METHOD):
            continue
        dim = _dim(call)
        value = int_literal(dim.value) if dim is not None else None
        if value is None or value == 0:
            continue  # no dim (already flat), a computed one, or the batch dim on purpose
        statement = tree.statement(call)
        if not reaches_result(tree, statement, bound_names(statement)):
            continue  # predictions nobody observes: a wrong dim there changes nothing
        yield Edit(call, dim.value, cst.Integer("0"), "argmax(dim=0)")
        kept = [a for a in call.args if a is not dim]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        yield Edit(call, call, call.with_changes(args=kept), "argmax() without dim")


BUG = BugClass(
    id="argmax-wrong-dim",
    title="argmax over the wrong dim when computing predictions",
    symptom="Usually no error: accuracy is stuck near chance or jumps around; sometimes a "
            "broadcasting error in the comparison with the labels.",
    why="Logits are (N, num_classes): the predicted class of each sample is the argmax over "
        "dim=1. argmax over dim 0 picks, for every class, the sample with the largest score; "
        "argmax() without dim returns one index into the flattened tensor. Comparing either "
        "with the (N,) labels broadcasts silently.",
    fix="Take the argmax over the class dim: logits.argmax(dim=1) (or dim=-1), which gives one "
        "prediction per sample, shape (N,).",
    guide="Level 2 validation loop, section 5.2, section 2 (dims of a batch)",
    family="shapes and dims",
    hints=(
        "Print the shape of the predictions next to the shape of the labels.",
        "Which dim of the logits holds the classes, and which one the samples?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
