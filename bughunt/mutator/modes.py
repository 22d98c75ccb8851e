"""Train/eval mode switches, and the layers whose behaviour they change.

``model.eval()`` and ``model.train(False)`` put a model in eval mode; the mode only matters
when the program builds a Dropout or BatchNorm layer (:func:`constructs`), resolved by what
the constructor refers to: a class of the program's own that happens to be called
``Dropout`` is not ``torch.nn.Dropout``.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Edit, Tree, dotted, expr
from bughunt.mutator.statements import method_call_statements

DROPOUT = ("torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d",
           "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout")
BATCHNORM = ("torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d")


def constructs(tree: Tree, *classes: str) -> bool:
    """The program calls one of the qualified ``classes`` (builds such a layer)."""
    return any(tree.refers_to(call.func, *classes) for call in tree.find(m.Call()))


def builds_model(tree: Tree) -> bool:
    """The program builds a network itself: it defines an ``nn.Module`` subclass, constructs
    a ``torch.nn`` layer (a loss is not a layer) or constructs a class of its own. Where it builds none, the model it puts in
    eval mode comes from another module or a library, and what it contains cannot be seen here."""
    defined = set()
    for cls in tree.find(m.ClassDef()):
        if any(tree.refers_to(base.value, "torch.nn.Module") for base in cls.bases):
            return True
        defined.add(cls.name.value)
    if any(m.matches(call.func, m.Name()) and call.func.value in defined for call in tree.find(m.Call())):
        return True  # a class of its own, whatever it is, makes what the program runs
    for call in tree.find(m.Call()):
        for name in tree.qualified(call.func):
            last = name.rsplit(".", 1)[-1]
            if name.startswith("torch.nn.") and last[:1].isupper() and not last.endswith("Loss"):
                return True
    return False


def eval_statements(tree: Tree) -> list[cst.SimpleStatementLine]:
    """``model.eval()`` and ``model.train(False)`` statements."""
    found = method_call_statements(tree, "eval") + [
        s for s in method_call_statements(tree, "train")
        if m.matches(s.body[0].value.args, [m.Arg(value=m.Name("False"))])
    ]
    return sorted(found, key=tree.line)


def eval_edits(tree: Tree) -> Iterator[Edit]:
    """Every ``model.eval()``, removed or turned into ``model.train()``."""
    for statement in eval_statements(tree):
        yield Edit(statement, statement, cst.RemoveFromParent(), "eval() removed")
        call = statement.body[0].value
        train = expr(f"{dotted(call.func.value)}.train()")
        yield Edit(statement, call, train, "train() instead of eval()")
