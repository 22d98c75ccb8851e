"""clip-grad-wrong-norm: gradient clipping that bounds another quantity than the total L2 norm."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import argument, keyword, with_keywords
from bughunt.mutator.step_calls import clip_statements

_NORM = ("torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad.clip_grad_norm_")


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in clip_statements(tree):
        call = statement.body[0].value
        if not tree.refers_to(call.func, *_NORM) or argument(call, "norm_type", 2) is not None:
            continue  # an explicit norm type is the program's own choice
        if any(arg.star for arg in call.args) or argument(call, "max_norm", 1) is None:
            continue
        yield Edit(call, call, with_keywords(call, keyword("norm_type", 'float("inf")')), "norm_type=inf: the largest entry, not the L2 norm")
        if isinstance(statement.body[0], cst.Expr) and isinstance(call.func, cst.Attribute):  # nn.utils.<name>
            limit = argument(call, "max_norm", 1)
            args = [call.args[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT), limit.with_changes(
                keyword=cst.Name("clip_value") if limit.keyword else None, comma=cst.MaybeSentinel.DEFAULT)]
            yield Edit(call, call, call.with_changes(func=call.func.with_changes(attr=cst.Name("clip_grad_value_")), args=args),
                       "clip_grad_value_ with the max norm as the value bound")


BUG = BugClass(
    id="clip-grad-wrong-norm",
    title="Gradient clipping bounds the wrong quantity",
    symptom="No error. Training is less stable than intended (or slower): the large gradients the "
            "clipping should tame get through, or every gradient is bent out of its direction.",
    why="clip_grad_norm_ rescales all gradients together so that their total L2 norm is at most "
        "max_norm, keeping their direction. norm_type=inf bounds only the largest entry, which "
        "is far smaller than the L2 norm of many parameters; clip_grad_value_ clamps every entry "
        "on its own, which changes the gradient's direction.",
    fix="Clip with clip_grad_norm_(model.parameters(), max_norm) and the default norm_type=2.0 "
        "(after backward(), and after unscale_ with a GradScaler).",
    guide="Industry patterns (gradient clipping), Level 3; fault family: hyperparameters",
    hints=(
        "Print the total L2 norm of the gradients right before optimizer.step(). Is it ever above max_norm?",
        "Read the clipping call's name and every argument it gets.",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="hyperparameters",
)
