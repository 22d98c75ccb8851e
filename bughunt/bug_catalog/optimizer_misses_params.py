"""optimizer-misses-params: the stage-2 optimizer does not hold the unfrozen backbone."""

from __future__ import annotations

from typing import Any, Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.detector.checks import Obs, Place, placed
from bughunt.mutator import Edit, Tree, dotted, expr
from bughunt.mutator.freezing import unfreezes
from bughunt.mutator.move import moved
from bughunt.mutator.optimizers import OptimizerBuild

_SELF_ATTRIBUTE = m.AssignTarget(target=m.Attribute(value=m.Name("self")))
_HEAD_NAMES = ("head", "classifier", "fc", "out", "decoder")


def _submodules(init: cst.FunctionDef) -> list[str]:
    """Attributes ``__init__`` binds to a module: ``self.head = nn.Linear(...)``."""
    names = []
    for assign in m.findall(init, m.Assign(targets=[_SELF_ATTRIBUTE], value=m.Call())):
        if dotted(assign.value.func).split(".")[-1][:1].isupper():  # a class: nn.Linear, Backbone
            names.append(assign.targets[0].target.attr.value)
    return names


def _head(tree: Tree, target: str) -> Optional[str]:
    """The trainable neighbour of the frozen part: ``model.head`` for ``model.backbone``."""
    owner, _, part = target.rpartition(".")
    if not owner:
        return None
    for init in tree.find(m.FunctionDef(name=m.Name("__init__"))):
        names = _submodules(init)
        if part not in names:
            continue
        others = [n for n in names if n != part]
        named = [n for n in others if n in _HEAD_NAMES]
        if len(others) == 1 or len(named) == 1:
            return f"{owner}.{(others if len(others) == 1 else named)[0]}"
    return None


def _filtered(build: OptimizerBuild) -> cst.Arg:
    """The optimizer's parameters, chosen by requires_grad at the moment it is built."""
    if build.filtered:
        return build.params
    owner = dotted(m.findall(build.params.value, m.Call(func=m.Attribute(attr=m.Name("parameters"))))[0].func.value)
    return build.params.with_changes(value=expr(f"[p for p in {owner}.parameters() if p.requires_grad]"))


def mutate(tree: Tree) -> Iterator[Edit]:
    for toggle, build in unfreezes(tree):
        head = _head(tree, toggle.target)
        if head is not None:
            yield Edit(build.statement, build.params, build.params.with_changes(value=expr(f"{head}.parameters()")),
                       "the head's parameters only")
        early = build.statement.deep_replace(build.params, _filtered(build))
        if tree.parent(build.statement) is tree.parent(toggle.statement):
            yield Edit(build.statement, *moved(tree, build.statement, toggle.statement, replacement=early), "built from the trainable parameters before the unfreeze")


def _optimized(obs: Obs) -> dict[str, Any]:
    """The parameters some optimizer holds, each once (``1:backbone.fc.weight`` -> ``backbone.fc.weight``)."""
    found: dict[str, Any] = {}
    for key, tensor in obs["params"].items():
        index, _, name = key.partition(":")
        name = name if index.isdigit() and name else key
        # a parameter no module call named ("#3": its module's forward() was called directly) still
        # counts when it is known by the order it was made, which is how parameters pair
        made = isinstance(tensor, dict) and tensor.get("created") is not None
        if not name.startswith("#") or made:
            found.setdefault(name, tensor)
    return found


@placed(Place.OPTIMIZED + 1)
def optimized_parameters(ref: Obs, cand: Obs) -> Optional[str]:
    """Every parameter that an optimizer of the reference updates is held by some optimizer. The
    parameters are matched by what they are (``checks.pair``), so the same modules registered
    under other names pass; the message names the candidate's own parameters that no optimizer holds."""
    theirs, mine = _optimized(ref), _optimized(cand)
    _pairs, lost, _extra = checks.pair(theirs, mine)
    if not lost:
        return None
    idle = cand.get("unoptimized", {})
    kinds = {_kind(theirs[name]) for name in lost}
    named = [name for name, tensor in idle.items() if _kind(tensor) in kinds] or list(idle)
    if named:
        more = f" and {len(named) - 1} more" if len(named) > 1 else ""
        return f"no optimizer updates {named[0]}{more}"
    return f"the optimizers update {len(mine)} parameter tensors; the reference's update {len(theirs)}"


def _kind(tensor: Any) -> tuple:
    return (tensor.get("role"), tuple(tensor.get("shape") or ())) if isinstance(tensor, dict) else (None, ())


BUG = BugClass(
    id="optimizer-misses-params",
    title="The stage-2 optimizer leaves out the unfrozen backbone",
    symptom="No error. The backbone is unfrozen and receives gradients in stage 2, yet its weights "
            "never change; only the head keeps training.",
    why="An optimizer updates exactly the parameters it was given when it was built. Handing it "
        "the head's parameters, or filtering by requires_grad before the backbone is unfrozen, "
        "leaves the backbone out for good: later changes to requires_grad do not add parameters.",
    fix="Build the stage-2 optimizer after unfreezing, over all of the model's parameters "
        "(model.parameters()), or add the backbone with optimizer.add_param_group(...).",
    guide="Cumulative (folder 08), two-stage training",
    family="freezing and finetuning",
    hints=(
        "Count the parameters in each optimizer's param_groups. Does the stage-2 one hold them all?",
        "When exactly is the stage-2 optimizer built, and from which parameters?",
    ),
    mutate=mutate,
    detect=optimized_parameters,
)
