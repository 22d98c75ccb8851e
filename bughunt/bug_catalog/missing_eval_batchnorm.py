"""missing-eval-batchnorm: evaluation runs with BatchNorm in training mode."""

from __future__ import annotations

from typing import Iterator

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.modes import BATCHNORM, builds_model, constructs, eval_edits


def mutate(tree: Tree) -> Iterator[Edit]:
    if constructs(tree, *BATCHNORM):
        yield from eval_edits(tree)
    elif not builds_model(tree):  # a model from elsewhere: see missing-eval-dropout
        yield from (edit for edit in eval_edits(tree) if edit.form == "train() instead of eval()")


BUG = BugClass(
    id="missing-eval-batchnorm",
    title="Evaluation with BatchNorm in training mode (model.eval() missing)",
    symptom="No error, or 'Expected more than 1 value per channel when training' for a batch of "
            "one. Evaluation scores depend on the batch size and on which samples share a batch, "
            "and evaluating changes the model's running statistics.",
    why="In training mode BatchNorm normalises with the statistics of the current batch and "
        "updates its running averages; in eval mode it uses the running averages and leaves them "
        "alone. Without model.eval(), evaluation uses batch statistics and corrupts the averages.",
    fix="Call model.eval() before evaluating (and model.train() before training again).",
    guide="Bug 9, section 5.2, Quiz Q5",
    family="train and eval modes",
    hints=(
        "Evaluate with batch size 1 and with a large batch size. Should the accuracy change?",
        "What does BatchNorm do differently in training and evaluation, and what mode is the model in when it is evaluated?",
    ),
    mutate=mutate,
    detect=checks.layer_mode("BatchNorm"),
    canonical=True,
)
