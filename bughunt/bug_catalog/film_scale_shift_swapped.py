"""film-scale-shift-swapped: FiLM multiplies by the shift (beta) and adds the scale (gamma)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree

_SCALE = re.compile(r"^(gamma|scale)s?$|_(gamma|scale)$|^(gamma|scale)_")
_SHIFT = re.compile(r"^(beta|shift)s?$|_(beta|shift)$|^(beta|shift)_")
_FILM = m.BinaryOperation(operator=m.Add(), left=m.BinaryOperation(operator=m.Multiply()))


def _identifiers(node: cst.CSTNode) -> set[str]:
    """Names and attribute names in ``node`` (``self.gamma(cond) * h`` gives self, gamma, cond, h)."""
    return {n.value for n in m.findall(node, m.Name())}


def _one(names: set[str], pattern: re.Pattern[str]) -> Optional[str]:
    found = [n for n in names if pattern.search(n)]
    return found[0] if len(found) == 1 else None


def _pair(film: cst.BinaryOperation) -> Optional[tuple[str, str]]:
    """(scale, shift) identifiers of ``scale * h + shift``: one scale-like name in the product,
    one shift-like name in the addend, and neither on the other side."""
    product, addend = _identifiers(film.left), _identifiers(film.right)
    scale, shift = _one(product, _SCALE), _one(addend, _SHIFT)
    if scale is None or shift is None or scale in addend or shift in product:
        return None
    return scale, shift


def _swap_names(node: cst.CSTNode, a: str, b: str) -> cst.CSTNode:
    class _Swap(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return updated.with_changes(value={a: b, b: a}.get(updated.value, updated.value))

    return node.visit(_Swap())


def _unpacking(function: cst.FunctionDef, scale: str, shift: str) -> list[cst.Tuple]:
    """``gamma, beta = film(cond).chunk(2, dim=1)``: the targets that name the two halves."""
    pair = m.Tuple(elements=[m.Element(m.Name(scale)), m.Element(m.Name(shift))])
    return [t.target for a in m.findall(function, m.Assign(targets=[m.AssignTarget(pair)])) for t in a.targets]


def mutate(tree: Tree) -> Iterator[Edit]:
    for film in tree.find(_FILM):
        pair = _pair(film)
        if pair is None:
            continue
        scale, shift = pair
        yield Edit(film, film, _swap_names(film, scale, shift), f"{shift} scales, {scale} shifts")
        function = tree.enclosing(film, cst.FunctionDef)
        for target in _unpacking(function, scale, shift) if function else []:
            first, second = target.elements
            swapped = target.with_changes(elements=[second.with_changes(comma=first.comma),
                                                    first.with_changes(comma=second.comma)])
            yield Edit(film, target, swapped, f"unpacked as {shift}, {scale}")


BUG = BugClass(
    id="film-scale-shift-swapped",
    title="FiLM scale (gamma) and shift (beta) swapped",
    symptom="No error and the shapes are right, but the conditioning works badly: the features "
            "are multiplied by what should be added and shifted by what should scale them, so "
            "outputs and losses differ from a correct FiLM layer.",
    why="FiLM modulates features as gamma * h + beta: gamma rescales each feature, beta moves it. "
        "Both come out of the condition with the same shape, so swapping them (in the formula, or "
        "when unpacking the two halves of one projection) raises no error; the layer just "
        "computes a different function, and a '1 + gamma' parametrisation no longer starts "
        "as the identity.",
    fix="Multiply by the scale and add the shift: gamma * h + beta (or (1 + gamma) * h + beta), "
        "and unpack the halves in the order the projection produces them.",
    guide="section 4.3 (conditioning with FiLM), Challenge 3",
    family="model structure",
    hints=(
        "Follow gamma and beta from where they are produced to where they are used.",
        "Which of the two multiplies the features, and which is added to them?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
