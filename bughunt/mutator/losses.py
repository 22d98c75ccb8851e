"""Cross-entropy losses and the labels they are given.

A loss is recognised by what it calls (``torch.nn.CrossEntropyLoss`` built and bound to a
name, or ``torch.nn.functional.cross_entropy``), however the program imports it; labels by
their names, as people write them: ``y``, ``labels``, ``targets``, ``batch_y``.
"""

from __future__ import annotations

import re

import libcst as cst

from bughunt.mutator import Tree
from bughunt.mutator.activations import loss_calls
from bughunt.mutator.statements import assigned_names

CROSS_ENTROPY_CLASS = "torch.nn.CrossEntropyLoss"
CROSS_ENTROPY_FUNCTION = "torch.nn.functional.cross_entropy"
_LABEL = re.compile(r"^(y|yb|batch_y|labels?|targets?|classes|.*_(y|labels?|targets?))$")


def is_label_name(name: str) -> bool:
    return bool(_LABEL.match(name))


def cross_entropy_calls(tree: Tree) -> list[cst.Call]:
    """Calls that compute a cross-entropy loss with (logits, targets) positional arguments."""
    return [call for call in loss_calls(tree, (CROSS_ENTROPY_CLASS,), (CROSS_ENTROPY_FUNCTION,))
            if len([a for a in call.args if a.keyword is None]) == 2]


def assigns_label(tree: Tree, node: cst.CSTNode) -> bool:
    """True when ``node`` sits in an assignment to a label-like name (``y = ...``)."""
    statement = tree.statement(node)
    return any(is_label_name(name) for name in assigned_names(statement))
