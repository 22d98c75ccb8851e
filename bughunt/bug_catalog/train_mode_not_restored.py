"""train-mode-not-restored: after validating in eval mode, the next epoch trains in eval mode."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.detector.checks import Obs
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.modes import BATCHNORM, DROPOUT, constructs, eval_statements
from bughunt.mutator.move import hoisted
from bughunt.mutator.statements import enclosing_loops, method_call_statements, receiver



def _train_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``model.train()`` and ``model.train(True)``."""
    found = []
    for statement in method_call_statements(tree, "train"):
        args = statement.body[0].value.args
        if not args or m.matches(args, [m.Arg(value=m.Name("True"))]):
            found.append(statement)
    return found


class _Evaluation:
    """Where ``name`` is put in eval mode: directly, or by calling a function that does."""

    def __init__(self, tree: Tree, name: str) -> None:
        self.evals = [s for s in eval_statements(tree) if receiver(s) == name]
        functions = {f.name.value: f for f in tree.module.body if isinstance(f, cst.FunctionDef)}
        self.functions = {n for n, f in functions.items() if any(self._direct(s, f) for s in self.evals)}
        grown = True
        while grown:  # functions that call an evaluating function evaluate too
            callers = {n for n, f in functions.items() if n not in self.functions and self._calls(f)}
            self.functions |= callers
            grown = bool(callers)

    @staticmethod
    def _direct(statement: cst.CSTNode, node: cst.CSTNode) -> bool:
        return any(s is statement for s in m.findall(node, m.SimpleStatementLine()))

    def _calls(self, node: cst.CSTNode) -> bool:
        return any(dotted(call.func) in self.functions for call in m.findall(node, m.Call()))

    def inside(self, node: cst.CSTNode) -> bool:
        """``node`` (a loop body, a statement) puts the model in eval mode."""
        return self._calls(node) or any(self._direct(s, node) for s in self.evals)

    def before(self, tree: Tree, loop: cst.For) -> bool:
        """The model is put in eval mode earlier in the function that runs ``loop``."""
        function = tree.enclosing(loop, cst.FunctionDef)
        if function is None:
            return False
        line = tree.line(loop)
        earlier = [s for s in m.findall(function.body, m.SimpleStatementLine()) if tree.line(s) < line]
        return any(self.inside(s) for s in earlier)


def _epoch_loops(tree: Tree, statement: cst.SimpleStatementLine) -> list[cst.For]:
    """The loops that run ``statement`` once per epoch: the loop around it in its function,
    or, for a statement at the top of ``train_one_epoch()``, the loops that call that function."""
    loops = enclosing_loops(tree, statement)
    if loops:
        return loops[:1]
    function = tree.enclosing(statement, cst.FunctionDef)
    if function is None or tree.parent(function) is not tree.module:
        return []
    calls = tree.find(m.Call(func=m.Name(function.name.value)))
    return [loops[0] for loops in (enclosing_loops(tree, call) for call in calls) if loops]


def _site(tree: Tree, statement: cst.SimpleStatementLine) -> Optional[bool]:
    """None where removing ``statement`` changes nothing; else whether an evaluation runs inside
    the epoch loop itself (then calling train() once, before that loop, is a bug too)."""
    evaluation = _Evaluation(tree, receiver(statement))
    inside, before = False, False
    for loop in _epoch_loops(tree, statement):
        inside |= evaluation.inside(loop.body)
        before |= evaluation.before(tree, loop)
    return inside if inside or before else None


def mutate(tree: Tree) -> Iterator[Edit]:
    if not constructs(tree, *DROPOUT, *BATCHNORM):
        return  # without Dropout or BatchNorm the mode changes nothing
    for statement in _train_statements(tree):
        evaluated_inside = _site(tree, statement)
        if evaluated_inside is None:
            continue
        name = receiver(statement)
        if len(tree.parent(statement).body) > 1:  # a block cannot be left empty
            yield Edit(statement, statement, cst.RemoveFromParent(), f"{name}.train() removed")
        call = statement.body[0].value
        yield Edit(statement, call, call.func, f"{name}.train without the call")
        loops = enclosing_loops(tree, statement)
        if evaluated_inside and loops and tree.parent(statement) is loops[0].body:
            if len(loops[0].body.body) > 1:  # a loop body cannot be left empty
                yield Edit(statement, *hoisted(statement, loops[0]), f"{name}.train() once, before the epoch loop")


_DROPOUT, _BATCHNORM = checks.layer_mode("Dropout"), checks.layer_mode("BatchNorm")


@checks.placed(checks.Place.MODES + 2)
def training_mode(ref: Obs, cand: Obs) -> Optional[str]:
    """Dropout and BatchNorm layers run in the reference's mode in every phase."""
    return _DROPOUT(ref, cand) or _BATCHNORM(ref, cand)


BUG = BugClass(
    id="train-mode-not-restored",
    title="Training resumes in eval mode after validation",
    symptom="No error. The first epoch is fine; from the second one on, Dropout no longer drops and "
            "BatchNorm normalises with its running statistics (and stops updating them) while the "
            "model trains, so training curves and final weights drift from what they should be.",
    why="model.eval() switches every submodule to evaluation mode and it stays there until "
        "model.train() switches it back. A validation at the end of each epoch therefore leaves the "
        "model in eval mode for the next epoch's training, unless training starts with "
        "model.train(), with the parentheses, every epoch.",
    fix="Call model.train() at the start of every training epoch (at the top of train_one_epoch() "
        "or of the epoch loop), not once before the loop.",
    guide="section 5.2 (evaluation mode), Level 2 train + validate loop, Quiz Q5",
    family="train and eval modes",
    hints=(
        "Print model.training at the first batch of every epoch.",
        "Validation switches the model to eval mode. What switches it back, and when?",
    ),
    mutate=mutate,
    detect=training_mode,
)
