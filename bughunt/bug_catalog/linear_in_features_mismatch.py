"""linear-in-features-mismatch: the Linear after a concatenation expects the wrong width."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, expr

_CAT = ("torch.cat", "torch.concat", "torch.concatenate")
_LINEAR = "torch.nn.Linear"


def _in_features(call: cst.Call) -> Optional[cst.Arg]:
    keyword = next((a for a in call.args if a.keyword is not None and a.keyword.value == "in_features"), None)
    return keyword or next((a for a in call.args if a.keyword is None), None)


def _terms(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``a + b + c`` as ``[a, b, c]``."""
    if m.matches(node, m.BinaryOperation(operator=m.Add())) and not node.lpar:
        return [*_terms(node.left), *_terms(node.right)]
    return [node]


def mutate(tree: Tree) -> Iterator[Edit]:
    if not any(tree.refers_to(call.func, *_CAT) for call in tree.find(m.Call())):
        return  # no concatenation: a summed width is something else
    for call in tree.find(m.Call()):
        arg = _in_features(call) if tree.refers_to(call.func, _LINEAR) else None
        terms = _terms(arg.value) if arg is not None else []
        if len(terms) < 2:
            continue
        for form, kept in (("in_features without the last width", terms[:-1]),
                           ("in_features without the first width", terms[1:])):
            yield Edit(call, arg.value, expr(" + ".join(code_of(t) for t in kept)), form)


BUG = BugClass(
    id="linear-in-features-mismatch",
    title="Linear after torch.cat with the wrong in_features",
    symptom="RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x16 and 12x3).",
    why="torch.cat along the feature dim ADDS the widths: (N, A) and (N, B) become (N, A + B). "
        "A Linear on the joined features must be built with in_features = A + B; sizing it for "
        "one branch only makes its weight the wrong shape for its input.",
    fix="Build the layer with the sum of the concatenated widths, written from the same "
        "variables as the branches (in_features=width_a + width_b).",
    guide="section 4.2 (concatenating features), Level 3 multi-input, Quiz Q7",
    family="shapes and dims",
    hints=(
        "Read both sizes in the error message. Which one is the layer's, which one its input's?",
        "Print the shape of each tensor that goes into torch.cat, and of the result.",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
