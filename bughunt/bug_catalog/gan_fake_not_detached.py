"""gan-fake-not-detached: the discriminator's step reaches back into the generator's graph."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector.checks import Obs, Place, placed
from bughunt.mutator import Edit, Tree
from bughunt.mutator.graphs import (DETACH, NO_GRAD, backward_after, bindings_before, model_called,
                                    module_level_names, reads_after, under_no_grad)


@placed(Place.RESULTS - 1)  # after every number that moved: this one is the graph alone
def gradients_elsewhere(ref: Obs, cand: Obs) -> Optional[str]:
    """At each optimizer step, backward() has put gradients into as many parameters that the
    step does not update and another optimizer does (another model's) as in the reference."""
    for i, (r, c) in enumerate(zip(ref["steps"], cand["steps"]), start=1):
        theirs, ours = r.get("others", []), c.get("others", [])
        if len(ours) != len(theirs):
            named = f" ({ours[0]}{' and more' if len(ours) > 1 else ''})" if ours else ""
            return (f"before optimizer step {i} (in {c['phase']}) backward() has put gradients into "
                    f"{len(ours)} parameter tensors that this step does not update{named}, where the "
                    f"reference's has put them into {len(theirs)}: a loss reaches a model it is not meant to train")
    return None


def _direct_argument(tree: Tree, node: cst.CSTNode, known: set[str]) -> Optional[str]:
    """The model whose call takes ``node`` as an argument as it is (``critic(x)``), if any."""
    arg = tree.parent(node)
    call = tree.parent(arg) if isinstance(arg, cst.Arg) else None
    return model_called(call, known) if call is not None else None


def _made_by(tree: Tree, value: cst.BaseExpression, function: cst.FunctionDef, known: set[str]) -> Optional[str]:
    """The model that makes ``value``: ``generator`` for ``generator(z)``, or for a name last bound
    to such a call (outside any no_grad block) earlier in ``function``."""
    if isinstance(value, cst.Name):
        bound = bindings_before(tree, value.value, value, function)
        if not bound or under_no_grad(tree, bound[-1]):
            return None
        value = bound[-1].value
    return model_called(value, known)


def _detach_edits(tree: Tree, known: set[str]) -> Iterator[Edit]:
    """``critic(fake.detach())``, or ``fake_d = fake.detach()`` fed to the critic later."""
    for detach in tree.find(DETACH):
        function = tree.enclosing(detach, cst.FunctionDef)
        if function is None or under_no_grad(tree, detach) or not backward_after(tree, detach, function):
            continue
        maker = _made_by(tree, detach.func.value, function, known)
        if maker is None:
            continue
        critics = {_direct_argument(tree, detach, known)}
        assign = tree.parent(detach)
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            name = assign.targets[0].target.value
            critics |= {_direct_argument(tree, n, known) for n in reads_after(tree, name, detach, function)}
        if critics - {None, maker}:
            yield Edit(detach, detach, detach.func.value, ".detach() dropped before the second model")


def _no_grad_edits(tree: Tree, known: set[str]) -> Iterator[Edit]:
    """``with torch.no_grad(): fake = generator(z)`` before a step that feeds ``fake`` to the critic."""
    for block in tree.find(m.With()):
        if not any(isinstance(i.item, cst.Call) and tree.refers_to(i.item.func, *NO_GRAD) for i in block.items):
            continue
        function = tree.enclosing(block, cst.FunctionDef)
        if function is None or len(block.items) != 1 or not backward_after(tree, block, function):
            continue
        feeds = False
        for assign in m.findall(block.body, m.Assign(targets=[m.AssignTarget(m.Name())])):
            maker, name = model_called(assign.value, known), assign.targets[0].target.value
            if maker is None:
                continue
            later = [n for n in reads_after(tree, name, block, function) if block not in tree.ancestors(n)]
            first_store = next((tree.line(n) for n in later if isinstance(tree.parent(n), cst.AssignTarget)), None)
            critics = {_direct_argument(tree, n, known) for n in later
                       if first_store is None or tree.line(n) < first_store}
            feeds = feeds or bool(critics - {None, maker})
        if feeds:
            body = list(block.body.body)
            body[0] = body[0].with_changes(leading_lines=[*block.leading_lines, *body[0].leading_lines])
            yield Edit(block, block, cst.FlattenSentinel(body), "torch.no_grad() removed around the fakes")


def _losses(tree: Tree) -> set[str]:
    """Names bound to a loss module (``criterion = nn.MSELoss()``): calling one runs no model."""
    return {t.target.value for a in tree.find(m.Assign(value=m.Call())) for t in a.targets
            if isinstance(t.target, cst.Name) and any(q.endswith("Loss") for q in tree.qualified(a.value.func))}


def mutate(tree: Tree) -> Iterator[Edit]:
    known = module_level_names(tree) | _losses(tree)  # a loss given a detached target is another story
    yield from _detach_edits(tree, known)
    yield from _no_grad_edits(tree, known)


BUG = BugClass(
    id="gan-fake-not-detached",
    title="The discriminator's loss reaches into the generator (fakes not detached)",
    symptom="RuntimeError: Trying to backward through the graph a second time, at the generator's "
            "backward(); or, with fakes made afresh, no error but wasted work: every discriminator "
            "step also computes gradients for the generator (and, if they are not cleared, trains it "
            "against its own goal).",
    why="The fakes carry the generator's autograd graph. The discriminator's loss only needs them "
        "as inputs: backward() through them walks on into the generator, fills its .grad, and "
        "frees that graph, so the generator step that reuses the same fakes has nothing left to "
        "walk through.",
    fix="Give the discriminator fake.detach() (or make its fakes under torch.no_grad()), and keep "
        "the fakes with their graph for the generator's step. retain_graph=True only hides the error.",
    guide="fault studies: graphs kept alive (a GAN's discriminator step)",
    hints=(
        "Which parameters get a .grad from the discriminator's backward()? Which should?",
        "Follow the fakes the discriminator sees back to where they were made. What graph do they bring along?",
    ),
    mutate=mutate,
    detect=gradients_elsewhere,
    family="graphs kept alive",
)
