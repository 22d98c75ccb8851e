"""The comment policy: what happens to the comments of a line a bug edits or moves.

One policy for the whole package; the engine (:func:`~bughunt.mutator.apply`) applies it to every
edited line and the statement mover (:mod:`bughunt.mutator.move`) to every moved one.

* A simple statement's comments (the trailing one, the lines above it) describe that line. When
  the line is edited or moved they may state the very rule the bug breaks ("once per epoch" on a
  step moved into the batch loop), so they are not kept; and a line that alone lost its comment
  would point at the bug. So each is replaced, in the exercise only, by a *neutral* comment of the
  same shape: a trailing comment by a trailing one, comment lines above by one comment line
  above. A neutral comment says in general words what the line does as it now stands ("reshape",
  "take a step"), never a dim, a dtype, a device or an order, and names no variable (the
  camouflage renames variables, not comments).
* A line without comments gets none.
* A block (a loop, an ``if``) keeps the comment lines above it wherever it goes: they describe the
  block. Comment lines that head a place stay at the head of it (see :mod:`bughunt.mutator.move`).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

# The last name of the line's outermost call -> what the line does, in general words.
_CALLS = {
    "join the parts": ("cat", "concat", "concatenate", "stack", "hstack", "vstack"),
    "reshape": ("view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "expand", "expand_as",
                "repeat"),
    "reorder the dims": ("permute", "transpose", "movedim", "contiguous"),
    "normalise the scores": ("softmax", "log_softmax"),
    "apply the mask": ("masked_fill", "where"),
    "make the tensor": ("tensor", "as_tensor", "randint", "rand", "randn", "zeros", "ones", "full", "arange",
                        "linspace", "empty", "randperm", "zeros_like", "ones_like", "randn_like", "rand_like"),
    "convert": ("long", "float", "int", "double", "half", "bool", "to", "type", "cuda", "cpu"),
    "split": ("chunk", "split", "unbind"),
    "accumulate": ("cumprod", "cumsum"),
    "matrix product": ("matmul", "bmm", "mm", "einsum"),
    "reset the gradients": ("zero_grad",),
    "backpropagate": ("backward",),
    "take a step": ("step",),
    "update": ("update",),
    "unscale": ("unscale_",),
    "set the mode": ("eval", "train", "requires_grad_"),
    "pass the epoch on": ("set_epoch",),
    "keep it for backward": ("save_for_backward",),
    "a Python number": ("item", "tolist"),
    "keep it": ("append", "extend"),
    "save it": ("save", "state_dict", "load_state_dict", "load"),
}
PHRASES = {name: phrase for phrase, names in _CALLS.items() for name in names}
# what a line does when its outermost operation is not a known call, by the kind of expression
_EXPRESSIONS = {cst.BinaryOperation: "combine the terms", cst.Comparison: "compare", cst.Subscript: "pick entries",
                cst.UnaryOperation: "negate", cst.BooleanOperation: "combine the conditions"}


def _callee(call: cst.Call) -> str:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""


def _phrase(value: Optional[cst.BaseExpression], fallback: str) -> str:
    if isinstance(value, cst.Call):
        name = _callee(value)
        if name in PHRASES:
            return PHRASES[name]
        if name[:1].isupper():
            return "build it"
        if isinstance(value.func, cst.Attribute) and isinstance(value.func.value, cst.Call):
            return _phrase(value.func.value, fallback)  # a().b(): what a() does, when b is unknown
        return fallback
    if isinstance(value, cst.Await):
        return _phrase(value.expression, fallback)
    return next((phrase for kind, phrase in _EXPRESSIONS.items() if isinstance(value, kind)), fallback)


def neutral(statement: cst.BaseStatement) -> str:
    """A neutral comment for ``statement`` as it now stands: ``# reshape``."""
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
    if isinstance(small, cst.Expr):  # a call runs something; a bare name or attribute does nothing
        return "# " + _phrase(small.value, "run it" if isinstance(small.value, cst.Call) else "as it stands")
    if isinstance(small, cst.AugAssign):
        return "# accumulate"
    if isinstance(small, (cst.Assign, cst.AnnAssign)):
        return "# " + _phrase(small.value, "compute it")
    if isinstance(small, cst.Return):
        return "# " + _phrase(small.value, "the result")
    return "# as it stands"


def reworded(statement: cst.BaseStatement, *, moved: bool = False) -> cst.BaseStatement:
    """``statement`` with its comments replaced by neutral ones of the same shape: the trailing
    one, and (when it ``moved``) the comment lines above it, by one line. A block as it is."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return statement
    text = neutral(statement)
    trailing = statement.trailing_whitespace
    if trailing.comment is not None:
        statement = statement.with_changes(trailing_whitespace=trailing.with_changes(comment=cst.Comment(text)))
    if moved:
        above = [line for line in statement.leading_lines if line.comment is not None]
        lines = [cst.EmptyLine(comment=cst.Comment(text))] if above else []
        statement = statement.with_changes(leading_lines=lines)
    return statement
