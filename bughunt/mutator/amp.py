"""Recognisers for mixed-precision code: the GradScaler and its calls."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted
from bughunt.mutator.idioms import method_call_statements, names_bound_to, receiver
from bughunt.mutator.training_loop import CLIP_FUNCTIONS

_SCALERS = {"torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "amp.GradScaler", "GradScaler"}


def scaler_names(tree: Tree) -> set[str]:
    """Names of GradScalers: bound to ``GradScaler(...)``, or a parameter called like one."""
    names = names_bound_to(tree, _SCALERS)
    names.update(p.name.value for p in tree.find(m.Param()) if "scaler" in p.name.value)
    return names


def scaler_calls(tree: Tree, method: str) -> list[cst.SimpleStatementLine]:
    """Statements ``scaler.<method>(...)`` on a GradScaler."""
    scalers = scaler_names(tree)
    return [s for s in method_call_statements(tree, method) if receiver(s) in scalers]


def clips_later(tree: Tree, statement: cst.SimpleStatementLine) -> bool:
    """A gradient-clipping call follows ``statement`` in the same block."""
    block = tree.parent(statement)
    body = list(getattr(block, "body", ()))
    later = body[body.index(statement) + 1:] if statement in body else []
    return any(dotted(call.func).endswith(CLIP_FUNCTIONS)
               for s in later for call in m.findall(s, m.Call()))
