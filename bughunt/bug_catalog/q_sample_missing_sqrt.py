"""q-sample-missing-sqrt: a noise-schedule variance is used where its square root (a std) belongs."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr
from bughunt.mutator.rewrite import grouped, is_one, mentions_schedule, postfix

_SQRT_FUNCTIONS = {"torch.sqrt", "math.sqrt", "np.sqrt", "numpy.sqrt"}


def _rooted(node: cst.CSTNode) -> Optional[tuple[cst.BaseExpression, str]]:
    """For a square root of something, that something and how the root is spelled."""
    if isinstance(node, cst.Call):
        if m.matches(node.func, m.Attribute(attr=m.Name("sqrt"))) and not node.args:
            return node.func.value, "method"
        if dotted(node.func) in _SQRT_FUNCTIONS and len(node.args) == 1:
            return node.args[0].value, dotted(node.func)
    if m.matches(node, m.BinaryOperation(operator=m.Power(), right=m.Float("0.5"))):
        return node.left, "power"
    return None


def _root(operand: cst.BaseExpression, spelling: str) -> str:
    """Source of the square root of ``operand`` in the program's own spelling."""
    if spelling == "method":
        return f"{postfix(operand)}.sqrt()"
    if spelling == "power":
        return f"{postfix(operand)} ** 0.5"
    return f"{spelling}({code_of(operand)})"


def mutate(tree: Tree) -> Iterator[Edit]:
    for node in tree.find(m.Call() | m.BinaryOperation(operator=m.Power())):
        found = _rooted(node)
        if found is None or not mentions_schedule(found[0]):
            continue
        operand, spelling = found
        # abar.sqrt() * x0 -> abar * x0: a variance fraction used as a standard deviation
        yield Edit(node, node, grouped(operand), "square root dropped")
        # (1 - abar).sqrt() -> (1 - abar.sqrt()): the root of the wrong term
        if m.matches(operand, m.BinaryOperation(operator=m.Subtract())) and is_one(operand.left):
            moved = f"({code_of(operand.left)} - {_root(operand.right, spelling)})"
            yield Edit(node, node, expr(moved), "1 - sqrt(x) instead of sqrt(1 - x)")


BUG = BugClass(
    id="q-sample-missing-sqrt",
    title="Noise schedule variances used as standard deviations (a missing square root)",
    symptom="No error. Losses look plausible, but the noised x_t have the wrong scale: too much "
            "signal or too little noise at every step, and sampling drifts away from the data.",
    why="The schedule stores VARIANCE fractions: abar_t of the signal and 1 - abar_t of the noise "
        "add up to 1. Tensors are scaled by standard deviations, so q_sample is "
        "sqrt(abar_t) * x0 + sqrt(1 - abar_t) * eps, and the sampler's noise has std sqrt(beta_t). "
        "Without the roots (or with 1 - sqrt(abar_t), which is a different number) x_t no longer "
        "has unit variance and does not match the process the model is meant to invert.",
    fix="Take the square root of the whole variance term: sqrt(abar_t) for the signal, "
        "sqrt(1 - abar_t) for the noise, sqrt(beta_t) for the sampler's noise.",
    guide="folder 10 (diffusion models: the closed-form forward process q(x_t | x_0))",
    family="diffusion",
    hints=(
        "Noise a batch of unit-variance points to a middle step. What is the variance of x_t?",
        "Write q(x_t | x_0) as a Gaussian: which of its numbers are variances, and which multiply tensors?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
