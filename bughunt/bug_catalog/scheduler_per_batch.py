"""scheduler-per-batch: the LR scheduler steps once per batch instead of once per epoch."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of
from bughunt.mutator.move import moved
from bughunt.mutator.statements import method_call_statements, receiver


def _schedulers(tree: Tree) -> set[str]:
    """Names of LR schedulers: bound to a ``torch.optim.lr_scheduler`` class, or named like one."""
    names = set()
    for statement in method_call_statements(tree, "step"):
        name = receiver(statement)
        if "sched" in name.lower():
            names.add(name)
    for assign in tree.find(m.Assign(value=m.Call())):
        if tree.refers_within(assign.value.func, "torch.optim.lr_scheduler"):
            names.update(t.target.value for t in assign.targets if isinstance(t.target, cst.Name))
    return names


_LOADER_WORDS = ("loader", "batches", "data", "dl")


def _wrapped_optimizer(tree: Tree, scheduler: str) -> str | None:
    """``opt`` for ``scheduler = StepLR(opt, ...)`` in this file."""
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(m.Name(scheduler))], value=m.Call())):
        if assign.value.args and isinstance(assign.value.args[0].value, cst.Name):
            return assign.value.args[0].value.value
    return None


def _epoch_call(tree: Tree, before: list[cst.BaseStatement], optimizer: str | None) -> str | None:
    """In the statements of an epoch loop before ``scheduler.step()``: a call of a function
    (defined in this file or imported) that is handed the optimizer and a loader; the loader's name."""
    defined = {f.name.value: f for f in tree.find(m.FunctionDef())}
    for statement in before:
        for call in m.findall(statement, m.Call(func=m.Name())):
            name = call.func.value
            if name in defined:
                if not m.findall(defined[name], m.For()):
                    continue  # no batch loop in it
            elif not any("." in q and not q.startswith("builtins.") for q in tree.qualified(call.func)):
                continue  # a builtin (print, len), not an imported training function
            args = [a.value.value for a in call.args if isinstance(a.value, cst.Name)]
            if optimizer is not None and optimizer not in args:
                continue
            loaders = [a for a in args if any(word in a.lower() for word in _LOADER_WORDS)]
            if loaders:
                return loaders[0]
    return None


def mutate(tree: Tree) -> Iterator[Edit]:
    schedulers = _schedulers(tree)
    steps = method_call_statements(tree, "step")
    for statement in steps:
        if receiver(statement) not in schedulers:
            continue
        # what moves: the step, or the ``if scheduler is not None:`` that holds it alone
        held = tree.parent(tree.parent(statement))
        moving = held if isinstance(held, cst.If) and len(held.body.body) == 1 and held.orelse is None else statement
        block = tree.parent(moving)
        owner = tree.parent(block) if block is not None else None
        if not isinstance(owner, (cst.For, cst.FunctionDef)):  # an epoch loop, or a function run per epoch
            continue
        body = list(owner.body.body)
        batch_loops = [s for s in body[: body.index(moving)] if isinstance(s, cst.For)]
        if not batch_loops and isinstance(owner, cst.For) and moving is statement:
            # the batch loop is in a function called here with the loader (train() in this file
            # or in another module): the schedule then advances once per batch of that loader.
            # For mutate only: in an exercise, a loop of scheduler steps would point at itself.
            loader = None if statement.body[0].value.args else _epoch_call(
                tree, body[: body.index(statement)], _wrapped_optimizer(tree, receiver(statement)))
            if loader is not None:
                code = code_of(statement.body[0])
                per_batch = cst.parse_statement(f"for _ in range(len({loader})):\n    {code}\n")
                yield Edit(statement, statement, per_batch.with_changes(leading_lines=statement.leading_lines),
                           "scheduler.step() once per batch of the called epoch", exercise=False)
            continue
        if not batch_loops:
            continue
        batch_loop = batch_loops[-1]
        inner = list(batch_loop.body.body)
        placements = [("scheduler.step() at the end of the batch loop", inner[-1])]
        optimizer_steps = [i for i, s in enumerate(inner) if s in steps and receiver(s) not in schedulers]
        if optimizer_steps and optimizer_steps[-1] + 1 < len(inner):
            placements.append(("scheduler.step() right after optimizer.step()", inner[optimizer_steps[-1]]))
        for form, anchor in placements:
            yield Edit(statement, *moved(tree, moving, anchor, after=True), form)


BUG = BugClass(
    id="scheduler-per-batch",
    title="LR scheduler stepped every batch instead of every epoch",
    symptom="No error. The learning rate collapses after the first epoch (or cycles far too fast) "
            "and training stalls early.",
    why="Epoch-based schedulers (StepLR, ExponentialLR, CosineAnnealingLR with T_max in epochs) "
        "count their own step() calls as epochs. Calling step() inside the batch loop advances "
        "the schedule by one 'epoch' per batch.",
    fix="Call scheduler.step() once per epoch, after the batch loop (after optimizer.step(), "
        "never before it).",
    guide="Bug 10 (LR scheduler step), Level 4 pipeline",
    family="the training loop",
    hints=(
        "Print optimizer.param_groups[0]['lr'] at every step. How fast does it fall?",
        "Count how often scheduler.step() runs per epoch.",
    ),
    mutate=mutate,
    detect=checks.lr_schedule,
    canonical=True,
)
