"""residual-missing: the skip connection's addition of a block's input is dropped."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, names_read
from bughunt.mutator.rewrite import grouped

# self.shortcut(x), self.downsample(x): a module applied to the input on the skip path
_SHORTCUT_ATTR = re.compile(r"shortcut|downsample|skip|residual", re.IGNORECASE)
# n, length, d = x.shape or x.size(0): sizes of x, not values computed from it
_SIZE = (m.Attribute(attr=m.Name("shape")) | m.Subscript(value=m.Attribute(attr=m.Name("shape")))
         | m.Call(func=m.Attribute(attr=m.Name("size") | m.Name("dim"))) | m.Call(func=m.Name("len")))


def _value_reads(node: cst.BaseExpression) -> set[str]:
    """The names whose values ``node`` reads: ``self.pe[:, : x.size(1)]`` reads only the
    size of ``x`` (a positional encoding added to ``x``, not a branch computed from it)."""
    sizes = {id(n) for query in m.findall(node, _SIZE) for n in m.findall(query, m.Name())}
    return {n.value for n in m.findall(node, m.Name()) if id(n) not in sizes}


def _methods(tree: Tree) -> Iterator[cst.FunctionDef]:
    """The methods of classes, other than __init__: forward() and its helpers."""
    for cls in tree.find(m.ClassDef()):
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value != "__init__":
                yield statement


class Flow:
    """Which names of a method carry its inputs, unchanged (skips) or transformed (dependants)."""

    def __init__(self, method: cst.FunctionDef) -> None:
        self.params = [p.name.value for p in method.params.params][1:]  # without self
        assigns = list(m.findall(method, m.Assign(targets=[m.AssignTarget(m.Name())]) | m.AugAssign(target=m.Name())))
        self.aliases: dict[str, str] = {}  # identity = x; identity = self.shortcut(x)
        bound: dict[str, list[cst.BaseExpression]] = {}
        for assign in assigns:
            target = assign.targets[0].target if isinstance(assign, cst.Assign) else assign.target
            bound.setdefault(target.value, []).append(assign.value)
        for name, values in bound.items():
            roots = {self.skip_root(v) for v in values}
            if name not in self.params and len(roots) == 1 and None not in roots:
                self.aliases[name] = roots.pop()
        self.depends = {p: self._dependants(p, bound) for p in self.params}

    def skip_root(self, node: cst.BaseExpression) -> Optional[str]:
        """The input that ``node`` is, unchanged or through a shortcut module; else None."""
        if isinstance(node, cst.Name):
            return node.value if node.value in self.params else self.aliases.get(node.value)
        if (isinstance(node, cst.Call) and len(node.args) == 1 and isinstance(node.args[0].value, cst.Name)
                and m.matches(node.func, m.Attribute(value=m.Name("self")))
                and _SHORTCUT_ATTR.search(node.func.attr.value)):
            return self.skip_root(node.args[0].value)
        return None

    def _dependants(self, param: str, bound: dict[str, list[cst.BaseExpression]]) -> set[str]:
        found = {param, *(a for a, root in self.aliases.items() if root == param)}
        changed = True
        while changed:
            changed = False
            for name, values in bound.items():
                if name not in found and any(not m.matches(v, _SIZE) and names_read([v]) & found for v in values):
                    found.add(name)
                    changed = True
        return found

    def is_branch(self, node: cst.BaseExpression, root: str) -> bool:
        """``node`` is computed from input ``root`` by some layer: f(x), or a name bound to one."""
        if self.skip_root(node) is not None or not _value_reads(node) & self.depends[root]:
            return False
        return isinstance(node, cst.Name) or bool(m.findall(node, m.Call()))


def _residual(flow: Flow, left: cst.BaseExpression, right: cst.BaseExpression
              ) -> Optional[cst.BaseExpression]:
    """For ``skip + branch`` (either order), the branch; else None."""
    for skip, branch in ((left, right), (right, left)):
        root = flow.skip_root(skip)
        if root is not None and flow.is_branch(branch, root):
            return branch
    return None


def _adds_to_itself(line: cst.CSTNode, add: cst.BinaryOperation, branch: cst.BaseExpression) -> bool:
    """``line`` is ``out = out + skip``: without the skip it would do nothing."""
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(branch, cst.Name)):
        return False
    statement = line.body[0]
    return m.matches(statement, m.Assign(targets=[m.AssignTarget(m.Name(branch.value))])) and statement.value is add


def mutate(tree: Tree) -> Iterator[Edit]:
    for method in _methods(tree):
        flow = Flow(method)
        # out += identity: the whole statement goes;  x += self.block(x) -> x = self.block(x)
        for line in m.findall(method, m.SimpleStatementLine(body=[m.AugAssign(operator=m.AddAssign())])):
            aug = line.body[0]
            branch = _residual(flow, aug.target, aug.value) if isinstance(aug.target, cst.Name) else None
            if branch is aug.target:
                yield Edit(aug, line, cst.RemoveFromParent(), "residual addition removed")
            elif branch is not None:
                assign = cst.Assign(targets=[cst.AssignTarget(aug.target)], value=branch)
                yield Edit(aug, aug, assign, "skip term dropped")
        for add in m.findall(method, m.BinaryOperation(operator=m.Add())):
            branch = _residual(flow, add.left, add.right)
            if branch is None:
                continue
            line = tree.statement(add)
            if _adds_to_itself(line, add, branch):  # out = out + self.shortcut(x): the line goes
                yield Edit(add, line, cst.RemoveFromParent(), "residual addition removed")
            else:  # x = x + self.attn(x) -> x = self.attn(x)
                yield Edit(add, add, grouped(branch), "skip term dropped")


BUG = BugClass(
    id="residual-missing",
    title="Residual (skip) connection dropped",
    symptom="No error, but a deeper model that trains worse than a shallower one: the loss falls "
            "slowly or stalls, and the block's output no longer contains its input.",
    why="A residual block computes out = x + F(x): the layers only learn a correction F, and "
        "the identity path carries both the signal forward and the gradient backward unchanged. "
        "Without the addition the block must relearn its input from scratch, and gradients "
        "have to pass through every layer, where they shrink.",
    fix="Add the block's input (or its projection shortcut) back to the branch's output before "
        "the final activation or normalisation: out = relu(bn2(conv2(...)) + shortcut(x)), "
        "x = norm(x + attn(x)).",
    guide="folder 12 (ResNet-style residual block), folder 11 (encoder block), section 4.2 (skip connections)",
    family="model structure",
    hints=(
        "Set the block's layers to output zeros. What should the block return then, and what does it return?",
        "Follow the block's input x through forward(): where is it used, besides as the input of the first layer?",
    ),
    mutate=mutate,
    detect=checks.same_results,
)
