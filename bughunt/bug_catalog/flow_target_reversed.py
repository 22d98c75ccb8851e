"""flow-target-reversed: flow matching regresses the velocity of the path walked backwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.rewrite import is_one, same_code, unparenthesized

_PRODUCT = m.BinaryOperation(operator=m.Multiply())
_COMPLEMENT = m.BinaryOperation(operator=m.Subtract(), left=m.Integer() | m.Float())  # 1 - t


@dataclass(frozen=True)
class Term:
    """One weighted endpoint of the path: ``weight * point`` (or ``point * weight``)."""

    product: cst.BinaryOperation
    side: str  # the attribute of ``product`` that holds the point: "left" or "right"
    time: cst.BaseExpression  # t, for both the weight t and the weight 1 - t
    complement: bool  # the weight is 1 - t

    @property
    def point(self) -> cst.BaseExpression:
        return getattr(self.product, self.side)


def _terms(product: cst.CSTNode) -> list[Term]:
    """Both readings of a product as (weight, point), the weight's complement noted."""
    if not m.matches(product, _PRODUCT):
        return []
    found = []
    for weight_side, point_side in (("left", "right"), ("right", "left")):
        weight = unparenthesized(getattr(product, weight_side))
        if m.matches(weight, _COMPLEMENT) and is_one(weight.left):
            found.append(Term(product, point_side, weight.right, complement=True))
        else:
            found.append(Term(product, point_side, weight, complement=False))
    return found


def _interpolation(add: cst.BinaryOperation) -> Optional[tuple[Term, Term]]:
    """``(1 - t) * x0 + t * x1`` in any order: the (start, end) terms, else None."""
    for a in _terms(add.left):
        for b in _terms(add.right):
            start, end = (a, b) if a.complement else (b, a)
            if start.complement and not end.complement and same_code(start.time, end.time) \
                    and not same_code(start.point, end.point):
                return start, end
    return None


def _swap_points(add: cst.BinaryOperation, start: Term, end: Term) -> cst.BinaryOperation:
    """The same weights on exchanged endpoints: (1 - t) * x1 + t * x0."""
    new_start = start.product.with_changes(**{start.side: end.point})
    new_end = end.product.with_changes(**{end.side: start.point})
    left, right = (new_start, new_end) if add.left is start.product else (new_end, new_start)
    return add.with_changes(left=left, right=right)


def _updates_a_point(tree: Tree, add: cst.BinaryOperation, start: Term, end: Term) -> bool:
    """The statement assigns the interpolation back to one of its endpoints."""
    statement = tree.statement(add)
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
            [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else []
        if any(same_code(t, start.point) or same_code(t, end.point) for t in targets):
            return True
    return False


def mutate(tree: Tree) -> Iterator[Edit]:
    for add in tree.find(m.BinaryOperation(operator=m.Add())):
        found = _interpolation(add)
        if found is None:
            continue
        start, end = found
        if _updates_a_point(tree, add, start, end):
            continue  # avg = (1 - a) * avg + a * reward: a moving average, not a path between two points
        yield Edit(add, add, _swap_points(add, start, end), "interpolation weights swapped")
        # the velocity target x1 - x0, written in the same function, reversed to x0 - x1
        function = tree.enclosing(add, cst.FunctionDef)
        if function is None:
            continue
        for difference in m.findall(function, m.BinaryOperation(operator=m.Subtract())):
            if same_code(difference.left, end.point) and same_code(difference.right, start.point):
                reversed_target = difference.with_changes(left=difference.right, right=difference.left)
                yield Edit(difference, difference, reversed_target, "target x0 - x1")


BUG = BugClass(
    id="flow-target-reversed",
    title="Flow matching target pointing the wrong way along the path",
    symptom="No error and a loss that goes down, but sampling from noise produces points far from "
            "the data: the learned velocity field carries samples away from it, or the path and "
            "its velocity disagree.",
    why="Flow matching trains v(x_t, t) on the straight path x_t = (1 - t) * x0 + t * x1 from "
        "noise x0 (t = 0) to data x1 (t = 1). The target is that path's derivative, x1 - x0. "
        "Writing x0 - x1, or putting the weight t on the noise and 1 - t on the data, describes "
        "a different path (or none): the model learns a field that does not carry noise to data "
        "when the sampler integrates it from t = 0 to t = 1.",
    fix="Keep the path and its derivative consistent: x_t = (1 - t) * x0 + t * x1 with the noise "
        "at t = 0, and target = x1 - x0 (data minus noise).",
    guide="folder 10 (flow matching: interpolation path and velocity target)",
    family="diffusion",
    hints=(
        "Differentiate your x_t with respect to t by hand. Is that what the model is trained on?",
        "At t = 0 what does x_t equal, and where does the sampler start?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
