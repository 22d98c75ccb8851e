"""noise-schedule-wrong-index: the noise schedule is read at the wrong step, or built wrongly."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr
from bughunt.mutator.statements import assigned_names
from bughunt.mutator.rewrite import is_schedule, mentions_schedule

# schedule[t] with a variable step: t, step, self.t ... (never a literal or a slice)
_STEP_INDEX = m.Subscript(slice=[m.SubscriptElement(slice=m.Index(value=m.Name() | m.Attribute()))])


def _index_edits(tree: Tree) -> Iterator[Edit]:
    """``alphas_cumprod[t]`` read at ``t - 1`` or ``t + 1``: an off-by-one between 0- and 1-based steps."""
    for subscript in tree.find(_STEP_INDEX):
        if not is_schedule(subscript.value):
            continue
        index = subscript.slice[0].slice
        step = code_of(index.value)
        for shifted in (f"{step} - 1", f"{step} + 1"):
            yield Edit(subscript, index, index.with_changes(value=expr(shifted)), f"index {shifted}")


def _cumprod_edits(tree: Tree) -> Iterator[Edit]:
    """``torch.cumprod(alphas, dim=0)`` as a running sum, or over the betas instead of the alphas."""
    for call in tree.find(m.Call()):
        name = dotted(call.func)
        if name == "torch.cumprod" and call.args:
            source = call.args[0].value
            summed = call.with_changes(func=expr("torch.cumsum"))
        elif m.matches(call.func, m.Attribute(attr=m.Name("cumprod"))):
            source = call.func.value
            summed = call.with_changes(func=call.func.with_changes(attr=cst.Name("cumsum")))
        else:
            continue
        if not mentions_schedule(source):
            continue
        yield Edit(call, call, summed, "cumsum instead of cumprod")
        # alphas_cumprod from the betas: the product of the noise, not of the signal kept
        if isinstance(source, cst.Name) and "alpha" in source.value:
            betas = source.value.replace("alpha", "beta")
            function = tree.enclosing(call, cst.FunctionDef) or tree.module
            if betas in assigned_names(function) or betas in _parameters(function):
                yield Edit(call, source, cst.Name(betas), f"cumprod of {betas}")


def _parameters(node: cst.CSTNode) -> set[str]:
    if isinstance(node, cst.FunctionDef):
        return {p.name.value for p in node.params.params}
    return set()


def mutate(tree: Tree) -> Iterator[Edit]:
    yield from _index_edits(tree)
    yield from _cumprod_edits(tree)


BUG = BugClass(
    id="noise-schedule-wrong-index",
    title="Noise schedule read at the wrong step, or accumulated wrongly",
    symptom="No error, or an IndexError at the last timestep. Training runs, but the model learns "
            "to denoise a different noise level than the one it was shown (or NaN losses when "
            "the schedule goes above 1), and samples come out wrong.",
    why="Each diffusion step t has its own beta_t, alpha_t = 1 - beta_t and abar_t, the running "
        "PRODUCT of the alphas up to t. Steps are 0-based tensor indices here: reading the "
        "schedule at t - 1 or t + 1 pairs every x_t with its neighbour's noise level (and t - 1 "
        "at t = 0 silently wraps round to the last step). A cumulative sum of the alphas grows "
        "past 1, so 1 - abar turns negative and its square root NaN.",
    fix="Index every schedule tensor with the same step t that produced x_t, consistently "
        "0-based, and build abar_t with torch.cumprod over alphas = 1 - betas.",
    guide="folder 10 (diffusion models: the forward process and its noise schedule)",
    family="diffusion",
    hints=(
        "Print the schedule values your code uses for t = 0 and t = T - 1. Are they the first and last?",
        "How is abar_t defined: a sum or a product, and of which quantity?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
