"""mask-inverted: an attention/padding mask with the opposite meaning (blocks what it should keep)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted, expr
from bughunt.mutator.rewrite import postfix

# keyword arguments of torch's attention APIs that take a mask
_MASK_KEYWORDS = {"attn_mask", "key_padding_mask", "src_key_padding_mask", "tgt_key_padding_mask",
                  "memory_key_padding_mask", "src_mask", "tgt_mask", "memory_mask"}
_MASK_NAME = re.compile(r"mask", re.IGNORECASE)
_FLIPPED = {cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal, cst.LessThan: cst.GreaterThanEqual,
            cst.GreaterThanEqual: cst.LessThan, cst.GreaterThan: cst.LessThanEqual,
            cst.LessThanEqual: cst.GreaterThan}
_NOT = m.UnaryOperation(operator=m.BitInvert())
_LOGICAL_NOT = m.Call(func=m.Attribute(attr=m.Name("logical_not")), args=[])
_TRIANGLE = {"torch.tril": "torch.triu", "torch.triu": "torch.tril"}


def _flipped_comparison(node: cst.BaseExpression) -> Optional[cst.Comparison]:
    """``a == b`` -> ``a != b``, ``a < b`` -> ``a >= b``: exactly the complement."""
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        target = node.comparisons[0]
        flipped = _FLIPPED.get(type(target.operator))
        if flipped is not None:
            operator = flipped(whitespace_before=target.operator.whitespace_before,
                               whitespace_after=target.operator.whitespace_after)
            return node.with_changes(comparisons=[target.with_changes(operator=operator)])
    return None


def _inverted(node: cst.BaseExpression) -> cst.BaseExpression:
    """The complement of a boolean mask expression, written the way people write it."""
    flipped = _flipped_comparison(node)
    if flipped is not None:
        return flipped
    if m.matches(node, _NOT):
        return node.expression
    if m.matches(node, _LOGICAL_NOT):
        return node.func.value
    return expr(f"~{postfix(node)}")


def _boolean(node: cst.BaseExpression, bool_names: set[str]) -> bool:
    """Syntactically a boolean tensor: a comparison, ~x, x & y, x | y, or a name bound to one."""
    if isinstance(node, cst.Comparison) or m.matches(node, _NOT | _LOGICAL_NOT):
        return True
    if m.matches(node, m.BinaryOperation(operator=m.BitAnd() | m.BitOr())):
        return _boolean(node.left, bool_names) or _boolean(node.right, bool_names)
    if isinstance(node, cst.Subscript):
        return _boolean(node.value, bool_names)
    return isinstance(node, cst.Name) and node.value in bool_names


def _bool_names(tree: Tree) -> set[str]:
    """Names bound to masks: from a comparison, ~, &, |, or tril/triu of a bool tensor."""
    assigns = tree.find(m.Assign(targets=[m.AssignTarget(m.Name())]))
    names: set[str] = set()
    while True:  # masks are built from masks: repeat until nothing new is found
        found = {a.targets[0].target.value for a in assigns if _boolean(a.value, names) or _is_triangle(a.value)}
        if found <= names:
            return names
        names |= found


def _is_triangle(node: cst.BaseExpression) -> bool:
    """``torch.tril(torch.ones(L, L, dtype=torch.bool))``: a causal mask."""
    return (isinstance(node, cst.Call) and dotted(node.func) in _TRIANGLE
            and "torch.bool" in {dotted(a.value) for c in m.findall(node, m.Call()) for a in c.args})


def _fill_masks(tree: Tree) -> Iterator[tuple[cst.Call, cst.Arg]]:
    """``scores.masked_fill(mask, -inf)``, ``torch.masked_fill(x, mask, v)``: the mask argument."""
    for call in tree.find(m.Call()):
        if m.matches(call.func, m.Attribute(attr=m.Name("masked_fill") | m.Name("masked_fill_"))):
            position = 1 if dotted(call.func) == "torch.masked_fill" else 0
            if len(call.args) > position:
                yield call, call.args[position]


def mutate(tree: Tree) -> Iterator[Edit]:
    bool_names = _bool_names(tree)
    # where a mask is used: masked_fill, and the mask keywords of torch's attention APIs
    for call, arg in _fill_masks(tree):
        yield Edit(call, arg, arg.with_changes(value=_inverted(arg.value)), "masked_fill mask inverted")
    for arg in tree.find(m.Arg(keyword=m.Name())):
        if arg.keyword.value in _MASK_KEYWORDS and _boolean(arg.value, bool_names):
            yield Edit(arg, arg, arg.with_changes(value=_inverted(arg.value)), f"{arg.keyword.value} inverted")
    # where a mask is made: `pad_mask = tokens == PAD`, `causal_mask = torch.tril(...)`
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(m.Name())])):
        if not _MASK_NAME.search(assign.targets[0].target.value):
            continue
        value = assign.value
        flipped = _flipped_comparison(value)
        if flipped is not None:
            yield Edit(assign, value, flipped, "mask built with the opposite comparison")
        elif _is_triangle(value):
            other = expr(_TRIANGLE[dotted(value.func)])
            yield Edit(assign, value.func, other, f"causal mask from {_TRIANGLE[dotted(value.func)]}")


BUG = BugClass(
    id="mask-inverted",
    title="Attention or padding mask inverted",
    symptom="NaN outputs or losses when a row of scores is masked entirely (softmax of all -inf), "
            "or no error but a model that attends to padding or to future tokens and ignores the "
            "real ones.",
    why="Mask conventions differ: some masks say True = keep (F.scaled_dot_product_attention's "
        "boolean attn_mask), others True = block (masked_fill's mask, the key_padding_mask and "
        "attn_mask of nn.MultiheadAttention). Building a mask with == where != was meant, using "
        "the wrong triangle for a causal mask, or passing a keep-mask where a block-mask is "
        "expected flips which positions take part in attention.",
    fix="Decide what True means for each mask, write it next to the mask, and convert with ~mask "
        "where an API expects the other convention: masked_fill(~keep, -inf), key_padding_mask=~keep.",
    guide="folder 11 (attention masks: padding and causal)",
    family="model structure",
    hints=(
        "Print the mask for one short, padded sequence. Which positions does it let through?",
        "Read the docs of each function the mask goes into: does True mean 'attend' or 'ignore' there?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
