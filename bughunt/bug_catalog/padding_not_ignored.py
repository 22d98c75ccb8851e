"""padding-not-ignored: a sequence loss that counts the padded positions as real targets."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import without_arg

_CLASSES = ("torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss")
_FUNCTIONS = ("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss")
_DEFAULT = -100  # what the losses ignore when told nothing: dropping an explicit -100 changes nothing


def _is_default(value: cst.BaseExpression) -> bool:
    return m.matches(value, m.UnaryOperation(operator=m.Minus(), expression=m.Integer(str(-_DEFAULT))))


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call(args=[m.ZeroOrMore(), m.Arg(keyword=m.Name("ignore_index")), m.ZeroOrMore()])):
        if not tree.refers_to(call.func, *_CLASSES, *_FUNCTIONS):
            continue
        arg = next(a for a in call.args if a.keyword is not None and a.keyword.value == "ignore_index")
        if _is_default(arg.value):
            continue
        yield Edit(call, call, without_arg(call, arg), "ignore_index dropped")


BUG = BugClass(
    id="padding-not-ignored",
    title="The padding is not ignored by the sequence loss",
    symptom="No error. The loss looks fine, or even better than it should, but part of it comes from "
            "padded positions: the model learns to predict the padding token, and batches with "
            "more padding pull the training their way.",
    why="Padded batches fill the steps after each sequence's end with a padding id. Unless the loss "
        "is told that id (ignore_index), every padded position counts as a real target, and the "
        "mean is taken over them too. Shorter sequences then weigh less, and the padding "
        "becomes a class the model is rewarded for predicting.",
    fix="Pass the padding id to the loss: nn.CrossEntropyLoss(ignore_index=PAD) or "
        "F.nll_loss(..., ignore_index=PAD) (or mask the per-token losses and average over the "
        "real tokens).",
    guide="fault studies: loss and activation (padding in a sequence loss); section 2.1 (masking)",
    hints=(
        "Which positions of a padded batch should the loss be computed over?",
        "Count the targets the loss averages over, and the real tokens in the batch. Are they the same?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="loss and activation",
)
