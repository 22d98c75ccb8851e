"""attention-missing-scale: attention scores Q K^T are not divided by sqrt(d_k)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.rewrite import grouped

_MATMUL_FUNCTIONS = {"torch.matmul", "torch.bmm"}
_SQRT_FUNCTIONS = {"math.sqrt", "torch.sqrt", "np.sqrt", "numpy.sqrt"}
_SCALE_NAME = re.compile(r"scale|temperature|inv_sqrt|norm_factor", re.IGNORECASE)
# K transposed: k.transpose(-2, -1), k.mT, k.T, k.t(), k.permute(...)
_TRANSPOSED = (m.Call(func=m.Attribute(attr=m.Name("transpose") | m.Name("t") | m.Name("permute")))
               | m.Attribute(attr=m.Name("mT") | m.Name("T")))


def _is_scores(node: cst.BaseExpression) -> bool:
    """``q @ k.transpose(-2, -1)`` or ``torch.matmul(q, k.mT)``: queries against transposed keys."""
    if m.matches(node, m.BinaryOperation(operator=m.MatrixMultiply())):
        return m.matches(node.right, _TRANSPOSED)
    if isinstance(node, cst.Call) and dotted(node.func) in _MATMUL_FUNCTIONS and len(node.args) == 2:
        return m.matches(node.args[1].value, _TRANSPOSED)
    return False


def _scores_names(function: cst.CSTNode) -> set[str]:
    """Names bound to raw scores in ``function`` (``scores = q @ k.T`` then ``scores / s``)."""
    names = set()
    for assign in m.findall(function, m.Assign(targets=[m.AssignTarget(m.Name())])):
        if _is_scores(assign.value):
            names.add(assign.targets[0].target.value)
    return names


def _sqrt_argument(node: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``d`` for ``math.sqrt(d)``, ``torch.sqrt(d)``, ``d ** 0.5``."""
    if isinstance(node, cst.Call) and dotted(node.func) in _SQRT_FUNCTIONS and len(node.args) == 1:
        return node.args[0].value
    if m.matches(node, m.BinaryOperation(operator=m.Power(), right=m.Float("0.5"))):
        return node.left
    return None


def _is_scale(node: cst.BaseExpression) -> bool:
    """A multiplier that is a scale: ``self.scale``, ``d ** -0.5``, ``1 / math.sqrt(d)``."""
    if _SCALE_NAME.search(dotted(node).rsplit(".", 1)[-1] or "-"):
        return True
    if m.matches(node, m.BinaryOperation(operator=m.Power(), right=m.UnaryOperation(operator=m.Minus()))):
        return True
    return m.matches(node, m.BinaryOperation(operator=m.Divide())) and _sqrt_argument(node.right) is not None


def _scaled(tree: Tree, node: cst.BinaryOperation) -> Optional[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """For ``scores / s`` or ``scores * scale`` (either order): (scores, the scale); else None."""
    function = tree.enclosing(node, cst.FunctionDef)
    names = _scores_names(function) if function is not None else set()

    def scores(e: cst.BaseExpression) -> bool:
        return _is_scores(e) or (isinstance(e, cst.Name) and e.value in names)

    if isinstance(node.operator, cst.Divide) and scores(node.left):
        return node.left, node.right
    if isinstance(node.operator, cst.Multiply):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if scores(a) and _is_scale(b):
                return a, b
    return None


def _rescales_itself(line: cst.CSTNode, node: cst.BinaryOperation, scores: cst.BaseExpression) -> bool:
    """``line`` is ``scores = scores / s``: without the scale it would do nothing."""
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(scores, cst.Name)):
        return False
    statement = line.body[0]
    return m.matches(statement, m.Assign(targets=[m.AssignTarget(m.Name(scores.value))])) and statement.value is node


def mutate(tree: Tree) -> Iterator[Edit]:
    for node in tree.find(m.BinaryOperation(operator=m.Divide() | m.Multiply())):
        found = _scaled(tree, node)
        if found is None:
            continue
        scores, scale = found
        line = tree.statement(node)
        if _rescales_itself(line, node, scores):  # scores = scores / s: the whole line goes
            yield Edit(node, line, cst.RemoveFromParent(), "scale dropped")
        else:
            yield Edit(node, node, scores, "scale dropped")
        root = _sqrt_argument(scale)
        if isinstance(node.operator, cst.Divide) and root is not None:
            yield Edit(node, scale, grouped(root), "divided by d_k, not sqrt(d_k)")
        elif isinstance(node.operator, cst.Multiply):
            divided = node.with_changes(operator=cst.Divide(), left=scores, right=scale)
            yield Edit(node, node, divided, "divided by the scale instead of multiplied")


BUG = BugClass(
    id="attention-missing-scale",
    title="Attention scores not scaled by 1/sqrt(d_k)",
    symptom="No error. The attention weights are far too peaked (close to one-hot): training is "
            "slow or unstable, and the outputs differ from F.scaled_dot_product_attention.",
    why="A dot product of two d_k-dimensional vectors with unit-variance entries has variance d_k. "
        "Unscaled, the scores grow with the head size and the softmax saturates, so its gradients "
        "vanish. Dividing Q K^T by sqrt(d_k) brings the scores back to unit variance; dividing by "
        "d_k, or multiplying by sqrt(d_k), gets the scale wrong the other way.",
    fix="scores = q @ k.transpose(-2, -1) / math.sqrt(d_k), with d_k the size of ONE head "
        "(equivalently multiply by d_k ** -0.5), before masking and the softmax.",
    guide="folder 11 (scaled dot-product attention)",
    family="model structure",
    hints=(
        "Compare your attention weights with those of F.scaled_dot_product_attention on the same inputs.",
        "How large is q . k for random unit-variance vectors of size d_k? What does the softmax do with that?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
