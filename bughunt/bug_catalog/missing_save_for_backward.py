"""missing-save-for-backward: backward() works from a tensor that forward() did not save for it."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.bug_catalog.custom_backward_wrong_slope import autograd_functions
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of
from bughunt.mutator.statements import assigned_names


def _param(function: cst.FunctionDef, index: int) -> Optional[str]:
    params = function.params.params
    return params[index].name.value if len(params) > index else None


def _save_statements(forward: cst.FunctionDef, ctx: str) -> list[cst.SimpleStatementLine]:
    save = m.Call(func=m.Attribute(value=m.Name(ctx), attr=m.Name("save_for_backward")))
    return list(m.findall(forward, m.SimpleStatementLine(body=[m.Expr(save)])))


def _modified_in_place(tree: Tree) -> bool:
    """Some module's forward() updates a tensor in place (``out += h``): saving an output is
    then unsafe, since autograd checks that saved tensors are unchanged at backward time."""
    functions = {id(method) for methods in autograd_functions(tree) for method in methods.values()}
    return any(id(forward) not in functions and m.findall(forward, m.AugAssign(target=m.Name()))
               for forward in tree.find(m.FunctionDef(name=m.Name("forward"))))


def _output_saved(forward: cst.FunctionDef, save: cst.SimpleStatementLine) -> Optional[cst.IndentedBlock]:
    """forward()'s body with its output saved instead of its input: ``out = <result>;
    ctx.save_for_backward(out); return out``."""
    body = list(forward.body.body)
    last = body[-1]
    args = save.body[0].value.args
    inputs = {p.name.value for p in forward.params.params[1:]}
    if (len(args) != 1 or not m.matches(args[0].value, m.Name()) or args[0].value.value not in inputs
            or not m.matches(last, m.SimpleStatementLine(body=[m.Return(value=~m.Name())]))):
        return None
    taken = {n.value for n in m.findall(forward, m.Name())}
    out = next((name for name in ("out", "output", "result") if name not in taken), None)
    if out is None:
        return None
    result = code_of(last.body[0].value)
    call = save.body[0].value
    lines = [cst.parse_statement(f"{out} = {result}\n"),
             cst.parse_statement(f"{code_of(call.func)}({out})\n"),
             cst.parse_statement(f"return {out}\n")]
    lines[0] = lines[0].with_changes(leading_lines=last.leading_lines)
    kept = [s for s in body[:-1] if s is not save]
    return forward.body.with_changes(body=[*kept, *lines])


def _saved_names(backward: cst.FunctionDef) -> set[str]:
    """Names ``backward`` binds from ``ctx.saved_tensors``."""
    names: set[str] = set()
    unpacking = m.SimpleStatementLine(body=[m.Assign(value=m.Attribute(attr=m.Name("saved_tensors")))])
    for statement in m.findall(backward, unpacking):
        names.update(assigned_names(statement))
    return names


def mutate(tree: Tree) -> Iterator[Edit]:
    for methods in autograd_functions(tree):
        forward, backward = methods.get("forward"), methods.get("backward")
        if forward is None or backward is None or "saved_tensors" not in code_of(backward):
            continue
        ctx, grad = _param(forward, 0), _param(backward, 1)
        if ctx is None or grad is None:
            continue
        for save in _save_statements(forward, ctx):
            yield Edit(save, save, cst.RemoveFromParent(), "save_for_backward() removed")
            body = _output_saved(forward, save) if _modified_in_place(tree) else None
            if body is not None:
                yield Edit(save, forward.body, body, "the output saved instead of the input")
        saved = _saved_names(backward)
        for comparison in m.findall(backward, m.Comparison(left=m.Name())):
            if comparison.left.value in saved:
                yield Edit(comparison, comparison.left, cst.Name(grad), f"side chosen from {grad}")


BUG = BugClass(
    id="missing-save-for-backward",
    title="backward() works from a tensor that was not saved for it",
    symptom="ValueError: not enough values to unpack in backward(), or RuntimeError: one of the "
            "variables needed for gradient computation has been modified by an inplace operation, "
            "or no error and gradcheck returns False.",
    why="backward() only sees what forward() stored on ctx. Tensors go through "
        "ctx.save_for_backward() and come back as ctx.saved_tensors; forgetting to save leaves that "
        "tuple empty. Saving the output instead of the input breaks as soon as the caller changes the "
        "output in place (autograd checks saved tensors' versions), and choosing the side of zero "
        "from grad_output instead of the saved input computes another derivative.",
    fix="In forward(), call ctx.save_for_backward(x) with the input; in backward(), unpack it from "
        "ctx.saved_tensors and decide from it which side of zero each element was on.",
    guide="Expert (folder 09): custom autograd.Function (ctx.save_for_backward)",
    family="autograd",
    hints=(
        "Which tensors does backward() need, and how does each of them get from forward() to backward()?",
        "Print ctx.saved_tensors at the top of backward(): is it the tensor the derivative depends on?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
