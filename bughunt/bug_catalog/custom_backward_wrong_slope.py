"""custom-backward-wrong-slope: a hand-written LeakyReLU backward applies the slope on the wrong side."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted

_FUNCTION_BASES = ("torch.autograd.Function", "torch.autograd.function.Function")
_FLIPPED = {  # the comparison that selects the other side of zero
    cst.LessThan: cst.GreaterThanEqual, cst.LessThanEqual: cst.GreaterThan,
    cst.GreaterThan: cst.LessThanEqual, cst.GreaterThanEqual: cst.LessThan,
}


def autograd_functions(tree: Tree) -> list[dict[str, cst.FunctionDef]]:
    """The methods (``forward``, ``backward``...) of every ``torch.autograd.Function`` subclass."""
    found = []
    for cls in tree.find(m.ClassDef()):
        if any(tree.refers_to(base.value, *_FUNCTION_BASES) for base in cls.bases):
            found.append({s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)})
    return found


def _text(node: cst.BaseExpression) -> str:
    return code_of(node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node)


def _scales(scaled: cst.BaseExpression, plain: cst.BaseExpression) -> bool:
    """``scaled`` is ``plain * s`` or ``s * plain``, or ``plain`` is 1 and ``scaled`` anything else."""
    if m.matches(plain, m.Integer("1") | m.Float("1.0")):
        return not m.matches(scaled, m.Integer() | m.Float())
    if not m.matches(scaled, m.BinaryOperation(operator=m.Multiply())):
        return False
    return _text(plain) in (_text(scaled.left), _text(scaled.right))


def flipped(comparison: cst.BaseExpression) -> Optional[cst.Comparison]:
    """``x >= 0`` -> ``x < 0``: the same test for the other side."""
    if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    other = _FLIPPED.get(type(target.operator))
    if other is None:
        return None
    operator = other(whitespace_before=target.operator.whitespace_before,
                     whitespace_after=target.operator.whitespace_after)
    return comparison.with_changes(comparisons=[target.with_changes(operator=operator)])


def _where_edits(call: cst.Call) -> Iterator[Edit]:
    """``torch.where(x >= 0, g, g * slope)``: the slope dropped, moved to the positive side,
    or the test turned around."""
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) != 3:
        return
    test, first, second = positional
    if _scales(second.value, first.value):
        plain, scaled = first, second
    elif _scales(first.value, second.value):
        plain, scaled = second, first
    else:
        return
    yield Edit(call, scaled, scaled.with_changes(value=plain.value), "slope dropped: gradient 1 on both sides")
    swapped = [test, first.with_changes(value=second.value), second.with_changes(value=first.value)]
    yield Edit(call, call, call.with_changes(args=swapped), "slope on the positive side")
    other = flipped(test.value)
    if other is not None:
        yield Edit(call, test.value, other, "test of the side turned around")


def _mask_edits(backward: cst.FunctionDef) -> Iterator[Edit]:
    """``grad[x < 0] *= slope``: removed (slope 1), or with the mask turned around."""
    target = m.Subscript(slice=[m.SubscriptElement(m.Index())])
    product = m.SimpleStatementLine(body=[m.AugAssign(target=target, operator=m.MultiplyAssign())])
    for statement in m.findall(backward, product):
        yield Edit(statement, statement, cst.RemoveFromParent(),
                   "slope multiplication removed: gradient 1 on both sides")
        mask = statement.body[0].target.slice[0].slice.value
        other = flipped(mask)
        if other is not None:
            yield Edit(statement, mask, other, "mask turned around: slope on the positive side")


def mutate(tree: Tree) -> Iterator[Edit]:
    for methods in autograd_functions(tree):
        backward = methods.get("backward")
        if backward is None:
            continue
        for call in m.findall(backward, m.Call()):
            if dotted(call.func) == "torch.where":
                yield from _where_edits(call)
        yield from _mask_edits(backward)


BUG = BugClass(
    id="custom-backward-wrong-slope",
    title="A custom backward() applies the slope on the wrong side",
    symptom="No error, and the forward pass is right. torch.autograd.gradcheck returns False, the "
            "gradient of negative inputs is 1 (or positive inputs get the slope), and training "
            "behaves unlike the built-in F.leaky_relu.",
    why="backward() is the derivative of forward(), written by hand: autograd trusts it and never "
        "checks it against forward(). LeakyReLU's derivative is 1 where x >= 0 and slope where "
        "x < 0; dropping the slope or putting it on the other side gives a wrong gradient with no "
        "error at all.",
    fix="Return grad_output where the saved input is >= 0 and grad_output * slope where it is < 0 "
        "(torch.where(x >= 0, grad_output, grad_output * slope)), and check it with gradcheck on "
        "float64 inputs.",
    guide="Expert (folder 09): custom autograd.Function; Industry patterns: custom backward",
    family="autograd",
    hints=(
        "Run torch.autograd.gradcheck on the Function with float64 inputs. What does it say?",
        "Write the derivative of forward() for a negative and for a positive input. Does backward() return those?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
