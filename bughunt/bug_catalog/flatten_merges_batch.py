"""flatten-merges-batch: a flatten before the classifier also flattens the batch dimension."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted, expr
from bughunt.mutator.rewrite import int_literal, postfix, same_code

_FLATTEN_MODULES = {"nn.Flatten", "torch.nn.Flatten", "Flatten"}


def _start_dim(call: cst.Call, position: int) -> Optional[cst.Arg]:
    """The start_dim argument (keyword or at ``position``) when it is 1 and no end_dim is given."""
    args = list(call.args)
    if any(a.keyword is not None and a.keyword.value != "start_dim" for a in args):
        return None
    keyword = [a for a in args if a.keyword is not None]
    positional = [a for a in args if a.keyword is None]
    if len(positional) > position + 1:
        return None
    arg = keyword[0] if keyword else (positional[position] if len(positional) > position else None)
    return arg if arg is not None and int_literal(arg.value) == 1 else None


def _batch_size_of(node: cst.BaseExpression, tensor: cst.BaseExpression) -> bool:
    """``x.size(0)``, ``x.shape[0]`` or ``len(x)`` for the tensor ``x``."""
    if m.matches(node, m.Call(func=m.Attribute(attr=m.Name("size")), args=[m.Arg(m.Integer("0"))])):
        return same_code(node.func.value, tensor)
    if m.matches(node, m.Subscript(value=m.Attribute(attr=m.Name("shape")),
                                   slice=[m.SubscriptElement(m.Index(m.Integer("0")))])):
        return same_code(node.value.value, tensor)
    if m.matches(node, m.Call(func=m.Name("len"), args=[m.Arg()])):
        return same_code(node.args[0].value, tensor)
    return False


def _forms(call: cst.Call) -> list[tuple[cst.BaseExpression, str]]:
    """The batch-merging rewrites of one flatten call, or [] when ``call`` is not a flatten."""
    name = dotted(call.func)
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    if name == "torch.flatten" and _start_dim(call, 1) is not None:  # torch.flatten(x, 1)
        tensor = postfix(call.args[0].value)
        return [(expr(f"torch.flatten({tensor})"), "flatten() without start_dim"),
                (expr(f"{tensor}.reshape(-1)"), "reshape(-1)")]
    if method == "flatten" and name != "torch.flatten" and _start_dim(call, 0) is not None:  # x.flatten(1)
        return [(call.with_changes(args=[]), "flatten() without start_dim"),
                (expr(f"{postfix(call.func.value)}.reshape(-1)"), "reshape(-1)")]
    if (method in ("view", "reshape") and len(call.args) == 2 and all(a.keyword is None for a in call.args)
            and _batch_size_of(call.args[0].value, call.func.value) and int_literal(call.args[1].value) == -1):
        tensor = postfix(call.func.value)  # x.view(x.size(0), -1)
        return [(expr(f"{tensor}.{method}(-1)"), f"{method}(-1)"), (expr(f"{tensor}.flatten()"), "flatten()")]
    if name in _FLATTEN_MODULES and (not call.args or _start_dim(call, 0) is not None):  # nn.Flatten()
        return [(call.with_changes(args=[cst.Arg(cst.Integer("0"))]), "nn.Flatten(0)")]
    return []


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in tree.find(m.Call()):
        for replacement, form in _forms(call):
            yield Edit(call, call, replacement, form)


BUG = BugClass(
    id="flatten-merges-batch",
    title="Flatten that merges the batch dimension into the features",
    symptom="RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x256 and 64x4), or an "
            "'Expected input batch_size ... to match target batch_size' from the loss; with a "
            "batch of one, no error but an output of shape (C,) instead of (1, C).",
    why="x.flatten() and x.view(-1) turn the whole (N, C, H, W) batch into one long vector: the N "
        "images are no longer separate rows. Before a Linear layer only the feature dims may be "
        "merged, giving (N, C*H*W): flatten from dim 1, or view with the batch size kept.",
    fix="Use x.flatten(1) (torch.flatten(x, 1), nn.Flatten()) or x.view(x.size(0), -1), which "
        "keep dim 0 and infer the feature size.",
    guide="folder 12 (simple CNN: flatten before the head), section 4.5 (shape checklist)",
    family="shapes and dims",
    hints=(
        "Print the shape right after the flatten for a batch of 2 and for a batch of 1.",
        "Which dims should the flatten merge, and which one must it leave alone?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
