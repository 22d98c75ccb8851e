"""The GradScaler of mixed precision and the calls made on it (``scaler.scale(loss)``,
``scaler.step(optimizer)``, ``scaler.unscale_(optimizer)``, ``scaler.update()``)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree
from bughunt.mutator.statements import method_call_statements, names_bound_to, receiver

SCALERS = ("torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "torch.cpu.amp.GradScaler")


def scaler_names(tree: Tree) -> set[str]:
    """Names of GradScalers: bound to ``GradScaler(...)``, or a parameter called like one."""
    names = names_bound_to(tree, *SCALERS)
    names.update(p.name.value for p in tree.find(m.Param()) if "scaler" in p.name.value)
    return names


def scaler_calls(tree: Tree, method: str) -> list[cst.SimpleStatementLine]:
    """Statements ``scaler.<method>(...)`` on a GradScaler."""
    scalers = scaler_names(tree)
    return [s for s in method_call_statements(tree, method) if receiver(s) in scalers]
