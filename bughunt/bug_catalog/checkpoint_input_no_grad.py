"""checkpoint-input-no-grad: a checkpointed block whose gradient is lost."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted, expr
from bughunt.mutator.rewrite import argument

_SELF_ATTRIBUTE = m.Attribute(value=m.Name("self"))


def _imports_checkpoint(tree: Tree) -> bool:
    """``from torch.utils.checkpoint import checkpoint``."""
    for imp in tree.find(m.ImportFrom(module=m.Attribute())):
        if dotted(imp.module) == "torch.utils.checkpoint" and not isinstance(imp.names, cst.ImportStar):
            if any(alias.name.value == "checkpoint" and alias.asname is None for alias in imp.names):
                return True
    return False


def _checkpoint_calls(tree: Tree) -> list[cst.Call]:
    """``checkpoint(fn, *tensors, ...)`` and ``torch.utils.checkpoint.checkpoint(...)``."""
    bare = _imports_checkpoint(tree)
    return [call for call in tree.find(m.Call())
            if dotted(call.func).endswith("checkpoint.checkpoint") or (bare and dotted(call.func) == "checkpoint")]


def _top_level_model(tree: Tree, forward: cst.FunctionDef) -> bool:
    """``forward`` belongs to a model built in plain code (``model = Net().to(device)``),
    never inside another module or container: its inputs are the data, with no gradient."""
    owner = tree.enclosing(forward, cst.ClassDef)
    if owner is None or forward.name.value != "forward":
        return False
    built = tree.find(m.Call(func=m.Name(owner.name.value)))
    return bool(built) and all(tree.enclosing(c, cst.ClassDef) is None and not isinstance(tree.parent(c), cst.Arg)
                               for c in built)


def _raw_input(tree: Tree, call: cst.Call, name: str) -> bool:
    """``name`` is a parameter of the enclosing forward() that nothing rebinds before ``call``."""
    function = tree.enclosing(call, cst.FunctionDef)
    if function is None or not _top_level_model(tree, function):
        return False
    if name not in {p.name.value for p in function.params.params[1:]}:
        return False
    rebinds = m.findall(function, m.AssignTarget(m.Name(name)))
    return all(tree.line(target) >= tree.line(call) for target in rebinds)


def _computed_by_layers(tree: Tree, call: cst.Call, name: str) -> bool:
    """``name`` was last bound, before ``call``, by an expression that runs the model's own layers."""
    function = tree.enclosing(call, cst.FunctionDef)
    if function is None or tree.enclosing(function, cst.ClassDef) is None:
        return False
    earlier = [a for a in m.findall(function, m.Assign(targets=[m.AssignTarget(m.Name(name))]))
               if tree.line(a) < tree.line(call)]
    return bool(earlier) and bool(m.findall(earlier[-1].value, _SELF_ATTRIBUTE))


def mutate(tree: Tree) -> Iterator[Edit]:
    for call in _checkpoint_calls(tree):
        tensors = [a for a in call.args[1:] if a.keyword is None]
        if not tensors or not all(isinstance(a.value, cst.Name) for a in tensors):
            continue
        names = [a.value.value for a in tensors]
        reentrant = argument(call, "use_reentrant")
        non_reentrant = reentrant is not None and m.matches(reentrant.value, m.Name("False"))
        # The reentrant implementation gives no gradient when no input requires grad.
        if non_reentrant and all(_raw_input(tree, call, n) for n in names):
            yield Edit(call, reentrant.value, cst.Name("True"), "use_reentrant=True")
            kept = [a for a in call.args if a is not reentrant]
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            yield Edit(call, call, call.with_changes(args=kept), "use_reentrant omitted")
        # A detached input cuts the gradient to every layer before the block.
        for arg, name in zip(tensors, names):
            if _computed_by_layers(tree, call, name):
                yield Edit(call, arg.value, expr(f"{name}.detach()"), f"{name}.detach() as input")


BUG = BugClass(
    id="checkpoint-input-no-grad",
    title="Gradient checkpointing that loses the gradient",
    symptom="A warning at most ('None of the inputs have requires_grad=True. Gradients will be "
            "None'), then no error: the loss still falls a little, but the layers inside or "
            "before the checkpointed block never change.",
    why="checkpoint() has to rebuild the block's graph during backward. The older reentrant "
        "implementation (use_reentrant=True, also what you get when you leave the argument "
        "out) only does so when one of its tensor inputs requires grad: around the first "
        "layers, whose input is the data, its output has no gradient at all. And an input "
        "that is detached cuts the graph to every layer before the block.",
    fix="Pass use_reentrant=False, and give checkpoint() the block's real input, not a detached copy.",
    guide="Level 3 gradient checkpointing, \"Mixed Precision and Gradient Checkpointing\", Quiz Q3",
    family="autograd",
    hints=(
        "After one backward(), which parameters still have .grad set to None?",
        "Read the warnings, and compare the checkpoint() call with the version PyTorch recommends.",
    ),
    mutate=mutate,
    detect=checks.grad_flow,
)
