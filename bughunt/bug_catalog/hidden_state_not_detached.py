"""hidden-state-not-detached: a recurrent state carried across batches with its whole graph."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, names_read
from bughunt.mutator.graphs import under_no_grad
from bughunt.mutator.statements import block_owner

_DETACHING = m.Call(func=m.Attribute(attr=m.Name("detach") | m.Name("detach_")))


def _detaches(tree: Tree, value: cst.CSTNode) -> bool:
    """``value`` detaches what it reads: a ``.detach()`` in it, or a call of one of the module's
    functions that detaches (``repackage(hidden)``)."""
    if m.findall(value, _DETACHING):
        return True
    helpers = {f.name.value: f for f in tree.module.body if isinstance(f, cst.FunctionDef)}
    return any(isinstance(c.func, cst.Name) and c.func.value in helpers and m.findall(helpers[c.func.value], _DETACHING)
               for c in m.findall(value, m.Call()))


def _state_names(tree: Tree, statement: cst.SimpleStatementLine) -> list[str]:
    """The names a statement detaches in place of themselves: ``h = h.detach()``,
    ``state = tuple(s.detach() for s in state)``, ``h, c = h.detach(), c.detach()``, ``h.detach_()``."""
    small = statement.body[0] if len(statement.body) == 1 else None
    if isinstance(small, cst.Expr) and m.matches(small.value, m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("detach_")))):
        return [small.value.func.value.value]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and _detaches(tree, small.value):
        target = small.targets[0].target
        names = [n.value for n in m.findall(target, m.Name())] if isinstance(target, (cst.Name, cst.Tuple)) else []
        read = names_read([small.value])
        if names and all(n in read for n in names):
            return names
    return []


def _carried(tree: Tree, statement: cst.CSTNode, names: list[str], loop: cst.CSTNode) -> bool:
    """Later in the same loop body a call that reads the state gives the next state back
    (``out, hidden = model(x, hidden)``), and a backward() follows."""
    line = tree.line(statement)
    for assign in m.findall(loop.body, m.Assign(value=m.Call())):
        if tree.line(assign) <= line:
            continue
        stored = {n.value for t in assign.targets for n in m.findall(t.target, m.Name())}
        if set(names) & stored and set(names) & names_read(assign.value.args):
            backward = m.findall(loop.body, m.Call(func=m.Attribute(attr=m.Name("backward"))))
            return any(tree.line(b) > tree.line(assign) for b in backward)
    return False


def _loop(tree: Tree, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            return None
        if isinstance(ancestor, (cst.For, cst.While)):
            return ancestor
    return None


def mutate(tree: Tree) -> Iterator[Edit]:
    for statement in tree.find(m.SimpleStatementLine()):
        names = _state_names(tree, statement)
        loop = _loop(tree, statement) if names else None
        if loop is None or under_no_grad(tree, statement) or not _carried(tree, statement, names, loop):
            continue
        owner = block_owner(tree, statement)
        if len(tree.parent(statement).body) > 1:
            yield Edit(statement, statement, cst.RemoveFromParent(), "state detach removed")
        elif isinstance(owner, cst.If) and owner.orelse is None and owner is not loop:
            yield Edit(statement, owner, cst.RemoveFromParent(), "state detach removed")
        value = statement.body[0].value if isinstance(statement.body[0], cst.Assign) else None
        if isinstance(value, cst.Tuple) and len(value.elements) > 1 and all(
                m.matches(e.value, m.Call(func=m.Attribute(attr=m.Name("detach")), args=[])) for e in value.elements):
            last = value.elements[-1].value  # (h.detach(), c.detach()) -> (h.detach(), c): the LSTM's cell state kept
            yield Edit(statement, last, last.func.value, "only part of the state detached")


BUG = BugClass(
    id="hidden-state-not-detached",
    title="A recurrent hidden state carried across batches without detach()",
    symptom="RuntimeError: Trying to backward through the graph a second time, at the second "
            "chunk's backward(); or, with retain_graph=True, every step slower than the last and "
            "memory that grows until it runs out.",
    why="The state a recurrent layer returns is attached to the graph of the chunk that made it. "
        "Feeding it to the next chunk links the graphs: backward() then walks back through every "
        "earlier chunk, whose graph the previous backward() has already freed. Truncated "
        "backpropagation through time keeps the state's values and cuts the graph at each boundary.",
    fix="Detach the state before each chunk: hidden = hidden.detach() (for an LSTM, both h and c: "
        "hidden = tuple(h.detach() for h in hidden)).",
    guide="fault studies: graphs kept alive (truncated backpropagation through time)",
    hints=(
        "How far back does the second chunk's backward() try to go?",
        "The state passed from one chunk to the next carries more than its values. What else, and who needs it?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="graphs kept alive",
)
