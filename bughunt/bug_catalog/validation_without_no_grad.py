"""validation-without-no-grad: evaluation builds an autograd graph that nothing uses."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector.checks import Obs, Place, placed
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.graphs import NO_GRAD, module_level_names


@placed(Place.GRAPH)
def graph_during_evaluation(ref: Obs, cand: Obs) -> Optional[str]:
    """A phase in which the reference runs every module with gradients disabled runs none of
    its layers with gradients enabled. Loss modules are left out: without parameters, a loss
    on outputs made without a graph records nothing either. The message says whether a graph
    was recorded: with gradient mode on but no parameter (and no input) requiring gradients,
    none is, and the symptom is the mode alone."""
    phases: dict[str, bool] = {}
    for phase, _kind, _training, grad in ref["modes"]:
        phases[phase] = phases.get(phase, False) or grad
    for phase, kind, _training, grad in cand["modes"]:
        if grad and phases.get(phase) is False and not kind.endswith("Loss"):
            if "graphs" in cand and phase not in cand["graphs"]:
                return (f"during {phase}() the model runs with gradient mode on (torch.is_grad_enabled() is "
                        f"True), where the reference turns it off; no tensor there requires gradients, so no "
                        f"autograd graph is recorded")
            return (f"during {phase}() the model runs with gradient tracking on: every forward pass "
                    f"builds an autograd graph that nothing uses")
    return None


def _runs_a_model(node: cst.CSTNode, known: set[str], methods: set[str]) -> bool:
    """A call of a local name (``model(x)``, ``net(x)``) or of an attribute of ``self`` that is not
    one of its class's ``methods`` (``self.model(x)``): a module's forward, not a function."""
    return (any(call.func.value not in known for call in m.findall(node, m.Call(func=m.Name())))
            or any(call.func.attr.value not in methods
                   for call in m.findall(node, m.Call(func=m.Attribute(value=m.Name("self"))))))


def _evaluates_only(tree: Tree, function: cst.FunctionDef, region: cst.CSTNode) -> bool:
    """``function`` is a top-level function or a method that trains nothing, and runs models only
    inside ``region``: without the region's no_grad its whole phase would record a graph."""
    cls = None if function in tree.module.body else tree.enclosing(function, cst.ClassDef)
    if function.name.value == "main" or (function not in tree.module.body and (
            cls is None or tree.enclosing(function, cst.FunctionDef) is not None)):
        return False
    if m.findall(function, m.Call(func=m.Attribute(attr=m.Name("backward") | m.Name("step")))):
        return False
    known = module_level_names(tree)
    methods = {f.name.value for f in cls.body.body if isinstance(f, cst.FunctionDef)} if cls is not None else set()
    if not _runs_a_model(region, known, methods):
        return False
    outside = [s for s in m.findall(function.body, m.SimpleStatementLine())
               if not any(a is region for a in tree.ancestors(s))]
    return not any(_runs_a_model(s, known, methods) for s in outside)


def mutate(tree: Tree) -> Iterator[Edit]:
    # a method's phase is not one verify's recorder follows (it wraps the program's top-level
    # functions): its forms are for ``bughunt mutate``, whose judge is the project's own tests
    for block in tree.find(m.With(items=[m.WithItem(item=m.Call(), asname=None)])):
        call = block.items[0].item
        function = tree.enclosing(block, cst.FunctionDef)
        if dotted(call.func) not in NO_GRAD or function is None or not _evaluates_only(tree, function, block):
            continue
        top = function in tree.module.body
        body = list(block.body.body)
        body[0] = body[0].with_changes(leading_lines=[*block.leading_lines, *body[0].leading_lines])
        yield Edit(block, block, cst.FlattenSentinel(body), f"with {dotted(call.func)}() removed", exercise=top)
        # a bare call creates the context manager and throws it away: gradients stay on
        bare_call = cst.SimpleStatementLine([cst.Expr(call)], leading_lines=block.leading_lines)
        body[0] = body[0].with_changes(leading_lines=block.body.body[0].leading_lines)
        yield Edit(block, block, cst.FlattenSentinel([bare_call, *body]), f"{dotted(call.func)}() without with",
                   exercise=top)
    for function in tree.find(m.FunctionDef()):
        for decorator in function.decorators:
            callee = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if dotted(callee) in NO_GRAD and _evaluates_only(tree, function, function.body):
                yield Edit(decorator, decorator, cst.RemoveFromParent(), f"@{dotted(callee)}() removed",
                           exercise=function in tree.module.body)


BUG = BugClass(
    id="validation-without-no-grad",
    title="Validation without torch.no_grad()",
    symptom="No error and the same numbers, but validation is slow and memory-hungry: on a GPU "
            "it can run out of memory in validation although training fits.",
    why="Outside torch.no_grad(), every forward pass through layers with trainable parameters "
        "records the autograd graph and keeps the activations backward() would need. "
        "Validation never calls backward(), so all of that is wasted time and memory. "
        "model.eval() does not switch it off: it only changes Dropout and BatchNorm.",
    fix="Run validation inside `with torch.no_grad():` (or torch.inference_mode(), or decorate "
        "the validation function with @torch.no_grad()).",
    guide="section 5.2 (evaluation mode), industry patterns table (train/val), section 6 (CUDA out of memory)",
    family="train and eval modes",
    hints=(
        "Check whether the validation outputs have requires_grad=True or a grad_fn.",
        "model.eval() and torch.no_grad() do different jobs. Which one is in place during validation?",
    ),
    mutate=mutate,
    detect=graph_during_evaluation,
)
