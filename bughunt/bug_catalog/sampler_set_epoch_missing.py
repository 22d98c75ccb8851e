"""sampler-set-epoch-missing: DistributedSampler gives the same order every epoch."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.statements import enclosing_loops, method_call_statements, receiver

_SAMPLERS = ("torch.utils.data.DistributedSampler", "torch.utils.data.distributed.DistributedSampler")
_NO_SHUFFLE = m.Arg(keyword=m.Name("shuffle"), value=m.Name("False"))


def _unshuffled(tree: Tree) -> set[str]:
    """Samplers built with ``shuffle=False``: for them the epoch changes nothing."""
    names = set()
    for assign in tree.find(m.Assign(value=m.Call())):
        call = assign.value
        if tree.refers_to(call.func, *_SAMPLERS) and any(m.matches(a, _NO_SHUFFLE) for a in call.args):
            names.update(dotted(t.target) for t in assign.targets)
    return names


def mutate(tree: Tree) -> Iterator[Edit]:
    unshuffled = _unshuffled(tree)
    for statement in method_call_statements(tree, "set_epoch"):
        call = statement.body[0].value
        if receiver(statement) in unshuffled or not enclosing_loops(tree, statement) or len(call.args) != 1:
            continue
        yield Edit(statement, statement, cst.RemoveFromParent(), "set_epoch() removed")
        if not m.matches(call.args[0].value, m.Integer("0")):
            constant = call.with_changes(args=[call.args[0].with_changes(value=cst.Integer("0"))])
            yield Edit(statement, statement, statement.deep_replace(call, constant), "set_epoch(0)")


BUG = BugClass(
    id="sampler-set-epoch-missing",
    title="DistributedSampler is never told the epoch",
    symptom="No error. Every epoch visits the samples in exactly the same order, and each rank sees "
            "the same shard every time: training is less random than it looks and ends elsewhere.",
    why="DistributedSampler shuffles with a generator seeded by seed + epoch, so that all ranks agree "
        "on one permutation without talking to each other. The epoch is whatever set_epoch() last "
        "set; without the call (or with a constant) it stays 0 and every epoch reuses the first "
        "permutation.",
    fix="Call sampler.set_epoch(epoch) at the start of every epoch, before iterating over the loader.",
    guide="Expert (folder 09): the distributed-ready pattern",
    family="data pipeline",
    hints=(
        "Print the first few sample indices each rank gets, epoch after epoch.",
        "How does DistributedSampler decide on a new permutation, given that the ranks never exchange it?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
