"""missing-eval-dropout: validation runs with Dropout still active."""

from __future__ import annotations

from typing import Iterator

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.modes import BATCHNORM, DROPOUT, builds_model, constructs, eval_edits


def mutate(tree: Tree) -> Iterator[Edit]:
    # A model with BatchNorm too is missing-eval-batchnorm's: that effect is the louder one.
    if constructs(tree, *DROPOUT) and not constructs(tree, *BATCHNORM):
        yield from eval_edits(tree)
    elif not builds_model(tree):
        # the model is built in another module or by a library: it may hold Dropout, BatchNorm
        # or both. This class takes the removed eval(), missing-eval-batchnorm the train() form.
        yield from (edit for edit in eval_edits(tree) if edit.form == "eval() removed")


BUG = BugClass(
    id="missing-eval-dropout",
    title="Validation with Dropout still on (model.eval() missing)",
    symptom="No error. Validation loss and accuracy are noisy and worse than they should be, and "
            "change from run to run on the same weights.",
    why="In training mode Dropout zeroes a random part of the activations and scales the rest up. "
        "model.train() and model.eval() switch that on and off for every submodule; without "
        "eval(), validation measures a randomly thinned network.",
    fix="Call model.eval() at the start of validation (and model.train() again before training).",
    guide="section 5.2 (evaluation mode), Bug 5, Quiz Q5",
    family="train and eval modes",
    hints=(
        "Validate the same weights twice. Do you get the same numbers?",
        "Which layers behave differently in training and in evaluation, and what mode is the model in when it validates?",
    ),
    mutate=mutate,
    detect=checks.layer_mode("Dropout"),
    canonical=True,
)
