"""softmax-before-cross-entropy: probabilities instead of logits go into CrossEntropyLoss."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr
from bughunt.mutator.activations import SEQUENTIAL, appended, construction, forward_return, sequential_attr
from bughunt.mutator.losses import cross_entropy_calls
from bughunt.mutator.rewrite import postfix


def _logits_source(tree: Tree, loss: cst.Call) -> Optional[cst.Call]:
    """The model call whose output the loss reads: ``criterion(model(x), y)``, or
    ``logits = model(x)`` earlier in the same function. Only a plain call: once the logits
    are reshaped, a softmax over dim 1 inside the model would normalise something else."""
    logits = [a for a in loss.args if a.keyword is None][0].value
    if isinstance(logits, cst.Name):
        function = tree.enclosing(loss, cst.FunctionDef)
        bound = m.Assign(targets=[m.AssignTarget(m.Name(logits.value))], value=m.Call())
        earlier = [a for a in m.findall(function, bound) if tree.line(a) < tree.line(loss)] if function else []
        logits = earlier[-1].value if earlier else logits
    if isinstance(logits, cst.Call) and isinstance(logits.func, cst.Name):
        return logits
    return None


def _class(tree: Tree, name: str) -> Optional[cst.ClassDef]:
    found = tree.find(m.ClassDef(name=m.Name(name)))
    return found[0] if len(found) == 1 else None


def _model_edits(tree: Tree, model_call: cst.Call, seen: set[int]) -> Iterator[Edit]:
    """A softmax at the output of the model itself: appended to its nn.Sequential, or applied at
    the end of its forward()."""
    built = construction(tree, model_call.func.value)
    if built is None:
        return
    softmax_layer = expr(f"{tree.imported_as('torch.nn') or 'torch.nn'}.Softmax(dim=1)")
    sequential = built if tree.refers_to(built.func, SEQUENTIAL) and built.args else None
    cls = _class(tree, dotted(built.func)) if sequential is None else None
    ret = forward_return(cls) if cls is not None else None
    if ret is not None:
        if id(ret) not in seen:
            seen.add(id(ret))
            yield Edit(ret, ret.value, expr(f"torch.softmax({code_of(ret.value)}, dim=1)"),
                       "softmax at the end of forward()")
        head = ret.value
        if m.matches(head, m.Call(func=m.Attribute(value=m.Name("self")))):
            sequential = sequential_attr(tree, cls, head.func.attr.value)
    if sequential is not None and sequential.args and id(sequential) not in seen:
        seen.add(id(sequential))
        yield Edit(sequential, sequential, appended(sequential, softmax_layer), "nn.Softmax(dim=1) as the last layer")


def mutate(tree: Tree) -> Iterator[Edit]:
    functional = tree.imported_as("torch.nn.functional")  # F, as the program calls it
    seen: set[int] = set()
    for loss in cross_entropy_calls(tree):
        logits = [a for a in loss.args if a.keyword is None][0]
        code = code_of(logits.value)
        forms = [(f"torch.softmax({code}, dim=1)", "torch.softmax before the loss")]
        if functional:
            forms.append((f"{functional}.softmax({code}, dim=1)", f"{functional}.softmax before the loss"))
        else:
            forms.append((f"{postfix(logits.value)}.softmax(dim=1)", ".softmax(dim=1) before the loss"))
        for form, label in forms:
            yield Edit(loss, logits, logits.with_changes(value=expr(form)), label)
        model_call = _logits_source(tree, loss)
        if model_call is not None:
            yield from _model_edits(tree, model_call, seen)


BUG = BugClass(
    id="softmax-before-cross-entropy",
    title="Softmax applied before CrossEntropyLoss",
    symptom="No error. The loss starts near log(num_classes) and barely moves; gradients are "
            "much smaller than they should be, so training is slow or stalls, though argmax "
            "predictions still look sensible at first.",
    why="nn.CrossEntropyLoss (and F.cross_entropy) expects raw logits and applies log-softmax "
        "itself. Feeding it probabilities applies softmax twice: the inputs are squeezed into "
        "[0, 1], the second softmax is almost flat, and the loss and its gradient shrink.",
    fix="Return raw logits from the model and pass them straight to the loss. Apply softmax only "
        "where probabilities are needed (reporting, sampling), outside the loss.",
    guide="section 5.1 (the standard loop), Quiz Q6 (what CrossEntropyLoss expects)",
    family="loss and activation",
    hints=(
        "What range of values reaches the loss: any real number, or only numbers in [0, 1]?",
        "Read what CrossEntropyLoss computes internally. Is anything done twice?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
