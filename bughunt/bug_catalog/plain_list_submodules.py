"""plain-list-submodules: layers kept in a plain Python list (or dict) instead of nn.ModuleList."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector.checks import Obs, Place, placed
from bughunt.mutator import Edit, Tree, code_of, dotted, expr

_CONTAINERS = ("ModuleList", "ModuleDict", "Sequential")
# Layers without parameters: hiding them from the model changes nothing the optimizer sees
# (a hidden Dropout would only show where the program switches to eval mode).
_PARAMETER_FREE = ("ReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Identity",
                   "Flatten", "Unflatten", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
                   "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "Upsample", "LeakyReLU", "ELU", "Mish",
                   "Dropout", "Dropout1d", "Dropout2d", "AlphaDropout")
_SELF_ATTR = m.AssignTarget(target=m.Attribute(value=m.Name("self")))


def _container(call: cst.Call) -> Optional[str]:
    name = dotted(call.func)
    kind = name.rsplit(".", 1)[-1]
    return kind if kind in _CONTAINERS and name in {kind, f"nn.{kind}", f"torch.nn.{kind}"} else None


def _parameter_free(container: cst.Call) -> bool:
    """Every layer built inside ``container`` is one without parameters (and at least one is)."""
    calls = [c for a in container.args for c in m.findall(a, m.Call())]
    built = [dotted(c.func).rsplit(".", 1)[-1] for c in calls if dotted(c.func)]
    layers = [b for b in built if b[:1].isupper()]
    return bool(layers) and all(b in _PARAMETER_FREE for b in layers)


def _registered_elsewhere(call: cst.Call) -> bool:
    """The container holds ``self.<attr>`` layers, which are registered on their own already."""
    items = [a.value for a in call.args]
    if len(items) == 1 and isinstance(items[0], (cst.List, cst.Tuple)):
        items = [e.value for e in items[0].elements]
    return any(m.matches(item, m.Attribute(value=m.Name("self"))) for item in items)


def _called(cls: cst.ClassDef, attr: str) -> bool:
    """``self.<attr>(...)`` appears in the class: the container is used as a module, not a list."""
    return bool(m.findall(cls, m.Call(func=m.Attribute(value=m.Name("self"), attr=m.Name(attr)))))


def _plain_sequential(call: cst.Call) -> list[tuple[cst.BaseExpression, str]]:
    """``nn.Sequential(a, b)`` -> ``[a, b]``; ``nn.Sequential(*layers)`` -> ``list(layers)``."""
    args = call.args
    label = "plain list instead of nn.Sequential"
    if len(args) == 1 and args[0].star == "*":
        return [(expr(f"list({code_of(args[0].value)})"), label)]
    if not args or any(a.keyword or a.star for a in args):
        return []
    elements = [cst.Element(a.value, comma=a.comma) for a in args]  # keeps the line breaks
    bracket = cst.LeftSquareBracket(whitespace_after=call.whitespace_before_args)
    return [(cst.List(elements, lbracket=bracket), label)]


def _plain(call: cst.Call, kind: str) -> list[tuple[cst.BaseExpression, str]]:
    """The plain Python containers that look like ``call``, each with its form label."""
    if kind == "Sequential":
        return _plain_sequential(call)
    args = call.args
    if len(args) > 1 or (args and (args[0].keyword or args[0].star)):
        return []
    plain = "list" if kind == "ModuleList" else "dict"
    label = f"plain {plain} instead of nn.{kind}"
    if not args:
        return [(expr("[]" if plain == "list" else "{}"), label)]
    value = args[0].value
    if isinstance(value, cst.ListComp):  # [layer for ...] or list(layer for ...)
        generator = cst.GeneratorExp(value.elt, value.for_in, lpar=[], rpar=[])
        return [(value, label), (cst.Call(cst.Name("list"), [cst.Arg(generator)]),
                                 "list(generator) instead of nn.ModuleList")]
    if isinstance(value, (cst.List, cst.Dict, cst.DictComp)):
        return [(value, label)]
    return [(expr(f"{plain}({code_of(value)})"), f"{plain}(...) instead of nn.{kind}")]


def _trains(tree: Tree) -> bool:
    """The program hands parameters to an optimizer or saves a state dict: hidden layers show."""
    wanted = m.Call(func=m.Attribute(attr=m.Name("parameters") | m.Name("named_parameters") | m.Name("state_dict")))
    return bool(tree.find(wanted))


def mutate(tree: Tree) -> Iterator[Edit]:
    if not _trains(tree):
        return
    for init in tree.find(m.FunctionDef(name=m.Name("__init__"))):
        cls = tree.enclosing(init, cst.ClassDef)
        if cls is None:
            continue
        for assign in m.findall(init, m.Assign(targets=[_SELF_ATTR], value=m.Call())):
            kind = _container(assign.value)
            attr = assign.targets[0].target.attr.value
            if kind is None or _parameter_free(assign.value) or _registered_elsewhere(assign.value):
                continue
            if kind == "Sequential" and _called(cls, attr):
                continue  # self.net(x) on a list raises at once: a different, louder mistake
            for replacement, form in _plain(assign.value, kind):
                yield Edit(assign, assign.value, replacement, form)


@placed(Place.OPTIMIZED)
def optimizer_coverage(ref: Obs, cand: Obs) -> Optional[str]:
    """The optimizers update as many parameter tensors as the reference's do."""
    want, got = len(ref["params"]), len(cand["params"])
    if got < want:
        return (f"the optimizer updates {got} parameter tensors instead of {want}: "
                f"some layers are never trained")
    return None


BUG = BugClass(
    id="plain-list-submodules",
    title="Layers kept in a plain Python list instead of nn.ModuleList",
    symptom="No error. The model runs, but part of it never learns: its layers are missing from "
            "model.parameters(), state_dict() and the parameter count, are not moved by "
            ".to(device) (on a GPU: 'Expected all tensors to be on the same device') and do not "
            "follow model.train()/model.eval().",
    why="nn.Module registers a submodule only when it is assigned as an attribute directly or "
        "inside an nn.ModuleList/nn.ModuleDict/nn.Sequential. Layers inside a plain list or dict "
        "are invisible to it, so everything that walks the module tree skips them.",
    fix="Wrap the layers in nn.ModuleList (or nn.ModuleDict for a dict, nn.Sequential for a "
        "chain); iterating and indexing work the same way.",
    guide="section 4.1 (Sequential and Module), section 5.3 (parameters that should train)",
    family="model structure",
    hints=(
        "Compare sum(p.numel() for p in model.parameters()) with what the layers should hold.",
        "How does nn.Module find its submodules? Which container types does it look inside?",
    ),
    mutate=mutate,
    detect=optimizer_coverage,
)
