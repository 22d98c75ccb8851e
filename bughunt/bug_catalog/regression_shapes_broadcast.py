"""regression-shapes-broadcast: (N, 1) predictions against (N,) targets in an elementwise loss."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of
from bughunt.mutator.activations import loss_calls, origins
from bughunt.mutator.rewrite import int_literal

# the elementwise losses that broadcast their two inputs, with only a warning when shapes differ
_CLASSES = ("torch.nn.MSELoss", "torch.nn.L1Loss", "torch.nn.SmoothL1Loss", "torch.nn.HuberLoss")
_FUNCTIONS = ("torch.nn.functional.mse_loss", "torch.nn.functional.l1_loss",
              "torch.nn.functional.smooth_l1_loss", "torch.nn.functional.huber_loss")


def _aligns(call: cst.Call) -> bool:
    """A reshape between one value per sample, (N,), and a column of them, (N, 1):
    ``squeeze(1)``, ``squeeze(-1)``, ``squeeze()``, ``unsqueeze(1)``, ``view(-1)``, ``flatten()``,
    ``reshape(-1, 1)``..."""
    method = call.func.attr.value
    values = [int_literal(a.value) for a in call.args if a.keyword is None or a.keyword.value == "dim"]
    if method == "squeeze":
        return values in ([], [1], [-1])
    if method == "unsqueeze":
        return values in ([1], [-1])
    if method in ("view", "reshape"):
        return values in ([-1], [-1, 1])
    if method == "flatten":
        return values == []
    return False


def mutate(tree: Tree) -> Iterator[Edit]:
    seen: set[int] = set()
    for loss in loss_calls(tree, _CLASSES, _FUNCTIONS):
        positional = [a for a in loss.args if a.keyword is None]
        if len(positional) != 2:
            continue
        for arg in positional:
            for origin in origins(tree, arg.value, reshapes=True):
                if (isinstance(origin, cst.Call) and isinstance(origin.func, cst.Attribute) and _aligns(origin)
                        and id(origin) not in seen):
                    seen.add(id(origin))
                    method = code_of(origin.with_changes(func=origin.func.attr))  # squeeze(1), as written
                    yield Edit(origin, origin, origin.func.value, f".{method} removed before the loss")
                    break


BUG = BugClass(
    id="regression-shapes-broadcast",
    title="Regression loss on (N, 1) predictions against (N,) targets",
    symptom="Only a UserWarning (\"Using a target size that is different to the input size\"). The "
            "loss is a number, training runs, but it learns to predict the batch mean: the loss "
            "stays near the targets' variance and the predictions hardly depend on the input.",
    why="MSELoss (and L1, SmoothL1, Huber) compare elementwise after broadcasting. A Linear head "
        "with one output gives (N, 1); targets made from a 1-D tensor are (N,). Broadcasting turns "
        "the pair into (N, N): every prediction is compared with every target, and the mean of "
        "those N*N differences is minimised by the mean target.",
    fix="Make the shapes equal before the loss: pred.squeeze(1) (or target.unsqueeze(1), or "
        "view(-1) on both). Treat that warning as an error.",
    guide="fault studies: loss and activation (MSELoss broadcasting); Bug 8 (loss / target shape)",
    hints=(
        "Print pred.shape and target.shape right before the loss. Are they the same?",
        "What shape does (N, 1) minus (N,) have, and what does the mean over it compute?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="loss and activation",
)
