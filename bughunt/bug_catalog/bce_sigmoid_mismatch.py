"""bce-sigmoid-mismatch: the sigmoid and the binary cross-entropy loss do not agree on who applies it."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr
from bughunt.mutator.activations import SEQUENTIAL, appended, last_layer, loss_calls, loss_input, origins
from bughunt.mutator.rewrite import without_arg

ON_PROBABILITIES = (("torch.nn.BCELoss",), ("torch.nn.functional.binary_cross_entropy",))
ON_LOGITS = (("torch.nn.BCEWithLogitsLoss",), ("torch.nn.functional.binary_cross_entropy_with_logits",))
_SIGMOID = ("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit")
_SIGMOID_LAYER = "torch.nn.Sigmoid"


def _sigmoid_call(tree: Tree, node: cst.CSTNode) -> bool:
    """``torch.sigmoid(x)``, ``F.sigmoid(x)`` or ``x.sigmoid()``."""
    if not isinstance(node, cst.Call):
        return False
    if tree.refers_to(node.func, *_SIGMOID):
        return bool([a for a in node.args if a.keyword is None])
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "sigmoid" and not node.args \
        and not tree.refers_within(node.func, "torch")


def _sigmoid_input(tree: Tree, call: cst.Call) -> cst.BaseExpression:
    if tree.refers_to(call.func, *_SIGMOID):
        return [a for a in call.args if a.keyword is None][0].value
    return call.func.value


def _sigmoid_removed(tree: Tree, seen: set[int]) -> Iterator[Edit]:
    """BCELoss on logits: the sigmoid that made its probabilities is gone."""
    for loss in loss_calls(tree, *ON_PROBABILITIES):
        for origin in origins(tree, loss_input(loss).value):
            if id(origin) in seen:
                break
            if _sigmoid_call(tree, origin):
                seen.add(id(origin))
                yield Edit(origin, origin, _sigmoid_input(tree, origin), "sigmoid removed before BCELoss")
                break
            if isinstance(origin, cst.Call) and last_layer(tree, origin, _SIGMOID_LAYER):
                seen.add(id(origin))
                yield Edit(origin, origin, without_arg(origin, origin.args[-1]), "nn.Sigmoid removed from the model")
                break


def _sigmoid_added(tree: Tree, seen: set[int]) -> Iterator[Edit]:
    """BCEWithLogitsLoss on probabilities: a sigmoid before the loss that applies one itself."""
    nn = tree.imported_as("torch.nn") or "torch.nn"
    for loss in loss_calls(tree, *ON_LOGITS):
        made = origins(tree, loss_input(loss).value)
        if any(_sigmoid_call(tree, o) or (isinstance(o, cst.Call) and last_layer(tree, o, _SIGMOID_LAYER))
               for o in made):
            continue  # already probabilities: that is another bug
        logits = loss_input(loss)
        yield Edit(loss, logits, logits.with_changes(value=expr(f"torch.sigmoid({code_of(logits.value)})")),
                   "torch.sigmoid before BCEWithLogitsLoss")
        for origin in made:
            if isinstance(origin, cst.Call) and tree.refers_to(origin.func, SEQUENTIAL) and origin.args \
                    and id(origin) not in seen:
                seen.add(id(origin))
                yield Edit(origin, origin, appended(origin, expr(f"{nn}.Sigmoid()")), "nn.Sigmoid() as the last layer")


def mutate(tree: Tree) -> Iterator[Edit]:
    seen: set[int] = set()
    yield from _sigmoid_removed(tree, seen)
    yield from _sigmoid_added(tree, seen)


BUG = BugClass(
    id="bce-sigmoid-mismatch",
    title="Sigmoid and binary cross-entropy mismatched",
    symptom="BCELoss on logits: a RuntimeError that all elements of input should be between 0 and 1 "
            "(or, if the logits happen to stay in range, a meaningless loss). A sigmoid before "
            "BCEWithLogitsLoss: no error, but the loss never gets near 0 and training crawls.",
    why="There are two binary cross-entropy losses. BCELoss (F.binary_cross_entropy) takes "
        "probabilities, so the model must end with a sigmoid; BCEWithLogitsLoss "
        "(F.binary_cross_entropy_with_logits) takes raw logits and applies the sigmoid inside, in "
        "a numerically stable way. Logits into the first are out of its range; probabilities "
        "into the second get squashed twice, into (0.5, 0.73), and their gradients shrink.",
    fix="Pair them: logits with BCEWithLogitsLoss (the usual choice), or a sigmoid at the end of "
        "the model with BCELoss. Never both sigmoids, never neither.",
    guide="fault studies: loss and activation (sigmoid and BCE); section 5.1 (the loss)",
    hints=(
        "What range of values does the loss expect, and what range does the model produce?",
        "Count the sigmoids between the last Linear layer and the loss value. How many should there be?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="loss and activation",
)
