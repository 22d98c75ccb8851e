"""forward-skips-backbone: forward() feeds the raw input to the head."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree

_SELF_CALL = m.Call(func=m.Attribute(value=m.Name("self")), args=[m.Arg(keyword=None)])
_BINDS = m.Assign() | m.AugAssign() | m.AnnAssign() | m.For() | m.NamedExpr()


def _rebound(tree: Tree, function: cst.FunctionDef, names: set[str], after: int, before: int) -> bool:
    """One of ``names`` is bound again between the lines ``after`` and ``before``: a use at ``before`` then
    reads that value, not the one assigned at ``after``."""
    for node in m.findall(function, _BINDS):
        if after < tree.line(node) < before:
            targets = [node.target] if not isinstance(node, cst.Assign) else [t.target for t in node.targets]
            if any(n.value in names for t in targets for n in m.findall(t, m.Name())):
                return True
    return False


def mutate(tree: Tree) -> Iterator[Edit]:
    for forward in tree.find(m.FunctionDef(name=m.Name("forward"))):
        # self.head(self.backbone(x)) -> self.head(x)
        for outer in m.findall(forward, _SELF_CALL):
            arg = outer.args[0]
            if m.matches(arg.value, _SELF_CALL):
                skipped = arg.value.func.attr.value
                yield Edit(outer, arg, arg.with_changes(value=arg.value.args[0].value), f"skips self.{skipped}")
        # z = self.encoder(x); return self.decoder(z) -> return self.decoder(x)
        for assign in m.findall(forward, m.Assign(targets=[m.AssignTarget(m.Name())], value=_SELF_CALL)):
            name, source = assign.targets[0].target.value, assign.value.args[0].value
            for outer in m.findall(forward, _SELF_CALL):
                arg = outer.args[0]
                same = m.matches(source, m.Name(name))  # x = self.features(x): nothing to skip to
                if not m.matches(arg.value, m.Name(name)) or tree.line(outer) <= tree.line(assign) or same:
                    continue
                # the skipped layer's input must still hold the value it had: a rebound `name`
                # only makes the skip longer, a rebound input would feed the head something else.
                # (In `x = self.layers(x)` the input is `name` itself; when x is rebound later the
                # mutant still comes, as before: existing resnet_block exercises are made of it.)
                read = {n.value for n in m.findall(source, m.Name())} - {name}
                if not _rebound(tree, forward, read, tree.line(assign), tree.line(outer)):
                    skipped = assign.value.func.attr.value
                    yield Edit(outer, arg, arg.with_changes(value=source), f"skips self.{skipped}")


BUG = BugClass(
    id="forward-skips-backbone",
    title="forward() passes the input to the head, skipping the backbone",
    symptom="Usually a shape error in the head's Linear (mat1 and mat2 shapes cannot be multiplied); "
            "if the sizes happen to match, no error, but the backbone never trains: its weights "
            "get no gradient.",
    why="Composed models are wired by hand in forward(). Writing head(x) instead of "
        "head(backbone(x)), or passing x where the features z were meant, silently cuts the "
        "backbone (or any layer in the chain) out of the computation.",
    fix="Chain the modules explicitly: features = self.backbone(x), then return self.head(features).",
    guide="section 4.4 (connecting two modules), Bug 6 (shape in forward), Level 2 backbone + head",
    family="model structure",
    hints=(
        "Check which submodules actually run in forward(): which parameters receive a gradient?",
        "Read forward() line by line and write the shape of every intermediate tensor next to it.",
    ),
    mutate=mutate,
    detect=checks.grad_flow,
    canonical=True,
)
