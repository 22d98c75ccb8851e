"""Optimizers: the statements that build one, the names they are bound to.

An optimizer is a class of ``torch.optim`` (not one of its learning-rate schedulers), however
the program imports it: ``torch.optim.Adam``, ``optim.SGD``, ``from torch.optim import AdamW``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, code_of, dotted
from bughunt.mutator.statements import method_call_statements, receiver

_PARAMETERS = m.Call(func=m.Attribute(attr=m.Name("parameters")), args=[])


def is_optimizer_class(tree: Tree, func: cst.BaseExpression) -> bool:
    """``func`` is a ``torch.optim`` optimizer class, not a scheduler."""
    return tree.refers_within(func, "torch.optim") and not tree.refers_within(func, "torch.optim.lr_scheduler")


@dataclass(frozen=True)
class OptimizerBuild:
    """``optimizer = torch.optim.Adam(<params>, lr=...)``."""

    statement: cst.SimpleStatementLine
    params: cst.Arg  # the first positional argument

    @property
    def filtered(self) -> bool:
        """The parameters are chosen by ``requires_grad`` when the optimizer is built."""
        return "requires_grad" in code_of(self.params.value)

    def covers(self, target: str) -> bool:
        """The argument names ``target``'s parameters: ``model.parameters()`` covers ``model.backbone``."""
        owners = [dotted(call.func.value) for call in m.findall(self.params.value, _PARAMETERS)]
        return any(owner and (target == owner or target.startswith(owner + ".")) for owner in owners)


def optimizer_builds(tree: Tree) -> list[OptimizerBuild]:
    """Statements that build an optimizer from positional parameters, in source order."""
    found = []
    for statement in tree.find(m.SimpleStatementLine(body=[m.Assign(value=m.Call())])):
        call = statement.body[0].value
        positional = [a for a in call.args if a.keyword is None]
        if is_optimizer_class(tree, call.func) and positional:
            found.append(OptimizerBuild(statement, positional[0]))
    return sorted(found, key=lambda o: tree.line(o.statement))


def optimizer_names(tree: Tree) -> set[str]:
    """Names bound to an optimizer, or whose ``zero_grad()`` is called."""
    names = {receiver(s) for s in method_call_statements(tree, "zero_grad")}
    for assign in tree.find(m.Assign(value=m.Call())):
        if is_optimizer_class(tree, assign.value.func):
            names.update(dotted(t.target) for t in assign.targets)
    return names - {""}
