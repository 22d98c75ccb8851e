"""device-mismatch: a tensor or the model is left on the CPU while the rest is on the GPU."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, dotted
from bughunt.mutator.losses import is_label_name

_MOVE = m.Call(func=m.Attribute(attr=m.Name("to")), args=[m.Arg(keyword=None)]) | m.Call(
    func=m.Attribute(attr=m.Name("cuda")), args=[])


def _is_device(node: cst.BaseExpression) -> bool:
    """``device``, ``DEVICE``, ``self.device``, ``x.device``."""
    return dotted(node).lower().endswith("device")


def _moves(tree: Tree) -> Iterator[cst.Call]:
    for call in tree.find(_MOVE):
        if call.func.attr.value == "cuda" or _is_device(call.args[0].value):
            yield call


def _modules(tree: Tree) -> set[str]:
    """Names bound to an instance of a class (``model = Net()``, ``head = nn.Linear(...)``)."""
    names = set()
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())):
        callee = dotted(assign.value.func).split(".")[-1]
        if callee[:1].isupper() and callee != "TensorDataset":
            names.add(assign.targets[0].target.value)
    return names


def _what(tree: Tree, call: cst.Call, modules: set[str]) -> str:
    """``model``, ``labels``, ``batch`` (moved inside a loop) or ``tensor``."""
    receiver = call.func.value
    name = dotted(receiver).split(".")[-1] if dotted(receiver) else ""
    if isinstance(receiver, cst.Call) or name in modules or "model" in name or name.endswith("net"):
        return "model"
    if is_label_name(name):
        return "labels"
    return "batch" if tree.enclosing(call, cst.For) else "tensor"


def _only_indexes(tree: Tree, scope: cst.CSTNode, name: str, depth: int = 1) -> bool:
    """True when ``name`` is read only as a subscript index (``table[name]``), also through one call
    of a module-level function. A CPU index into a GPU tensor is legal, so such a tensor may stay put."""
    functions = {f.name.value: f for f in tree.module.body if isinstance(f, cst.FunctionDef)}
    reads = [n for n in m.findall(scope, m.Name(name)) if not isinstance(tree.parent(n), (cst.AssignTarget, cst.Param))]
    for read in reads:
        parent = tree.parent(read)
        if isinstance(parent, cst.Index):
            continue
        call = tree.parent(parent) if isinstance(parent, cst.Arg) else None
        callee = functions.get(call.func.value) if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) else None
        if callee is None or depth == 0 or parent.keyword is not None:
            return False
        params = callee.params.params
        position = list(call.args).index(parent)
        if position >= len(params) or not _only_indexes(tree, callee, params[position].name.value, depth - 1):
            return False
    return bool(reads)


def _assigned_name(tree: Tree, call: cst.Call) -> str | None:
    statement = tree.statement(call)
    if m.matches(statement, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])):
        return statement.body[0].targets[0].target.value if statement.body[0].value is call else None
    return None


def mutate(tree: Tree) -> Iterator[Edit]:
    modules = _modules(tree)
    for call in _moves(tree):
        what, statement = _what(tree, call, modules), tree.statement(call)
        bare = m.matches(statement, m.SimpleStatementLine(body=[m.Expr(m.Call())]))
        if what == "model" and bare:
            yield Edit(call, statement, cst.RemoveFromParent(), "model.to(device) removed")
            continue
        yield Edit(call, call, call.func.value, f"{what} not moved")
        if what == "model":
            continue  # Module.to moves in place: not keeping its result changes nothing
        receiver = call.func.value
        assign = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())])
        if (isinstance(receiver, cst.Name) and m.matches(statement, assign)
                and statement.body[0].value is call and statement.body[0].targets[0].target.value == receiver.value):
            # x = x.to(device)  ->  x.to(device): the moved copy is thrown away
            yield Edit(call, statement.body[0], cst.Expr(call), f"{what}.to(device) result not kept")
    for call in tree.find(m.Call(args=[m.ZeroOrMore(), m.Arg(keyword=m.Name("device")), m.ZeroOrMore()])):
        if not dotted(call.func).startswith("torch.") or dotted(call.func) == "torch.device":
            continue
        device = next(a for a in call.args if a.keyword and a.keyword.value == "device")
        if not _is_device(device.value):
            continue
        name, scope = _assigned_name(tree, call), tree.enclosing(call, cst.FunctionDef)
        if name and scope is not None and _only_indexes(tree, scope, name):
            continue
        kept = [a for a in call.args if a is not device]
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        where = "in forward" if tree.enclosing(call, cst.FunctionDef) and tree.scope(call).endswith("forward") else ""
        yield Edit(call, call, call.with_changes(args=kept), f"tensor created {where + ' ' if where else ''}without device=")


BUG = BugClass(
    id="device-mismatch",
    title="A tensor or the model left on the wrong device",
    symptom="RuntimeError: Expected all tensors to be on the same device, but got mat1 is on cpu, different "
            "from other tensors on cuda:0 ... on a GPU machine; nothing at all on a CPU-only laptop, which is "
            "why it reaches the GPU server.",
    why="Tensors and parameters live on one device each and an op needs all its inputs on the same one. "
        "The DataLoader yields CPU tensors, factories like torch.zeros default to the CPU, and "
        "tensor.to(device) returns a moved copy rather than moving the tensor in place; model.to(device) "
        "does move the parameters in place.",
    fix="Move the model once (model.to(device)) and every batch, labels included (x, y = x.to(device), "
        "y.to(device)); create new tensors with device=x.device (or *_like); keep the result of .to().",
    guide="section 1.3 (device handling), Bug 4 (device mismatch), Industry patterns: Device",
    family="devices and mixed precision",
    hints=(
        "Print .device of every tensor that goes into the failing line.",
        "Follow each tensor back to where it was created or loaded: was it ever moved, and was the moved copy kept?",
    ),
    where_hints=(
        ("model", "Look at the model itself, not the batches: where are its parameters moved to the device, "
                  "if anywhere?"),
        ("labels", "Follow the labels from the loader to the loss: were they moved along with the inputs, "
                   "and was the moved copy kept?"),
        ("batch", "Follow the batch from the loader to the model: was it moved, and was the moved copy kept?"),
        ("tensor created", "Look at the tensors this code creates itself (torch.zeros, torch.arange, ...): on "
                           "which device does each one start?"),
    ),
    mutate=mutate,
    detect=checks.placement,
    canonical=True,
)
