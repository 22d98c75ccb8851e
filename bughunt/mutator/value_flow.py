"""Where a value goes: from the statement that makes it to what ``main()`` returns.

A mutator proposes a bug only where its effect can be observed; :func:`reaches_result`
follows the names a statement stores through assignments, appends and returns of the
module's top-level functions.
"""

from __future__ import annotations

from typing import Iterable

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted

_APPENDERS = m.Name("append") | m.Name("extend") | m.Name("insert") | m.Name("add") | m.Name("update")
#: calls that turn a tensor into a plain Python number: a value behind them is no longer a tensor
_TO_NUMBER = (m.Call(func=m.Name("float") | m.Name("int"))
              | m.Call(func=m.Attribute(attr=m.Name("item") | m.Name("tolist"))))
def _carries(node: cst.CSTNode, names: set[str], functions: set[str], numbers_stop: bool) -> bool:
    """``node`` mentions one of ``names`` or calls one of ``functions`` (not behind a
    conversion to a Python number when ``numbers_stop``)."""
    if numbers_stop and m.matches(node, _TO_NUMBER):
        return False
    if isinstance(node, cst.Name) and node.value in names:
        return True
    if isinstance(node, cst.Call) and dotted(node.func) in functions:
        return True
    return any(_carries(child, names, functions, numbers_stop) for child in node.children)


def bound_names(statement: cst.CSTNode) -> set[str]:
    """Names an assignment or an ``xs.append(...)``-like call stores a value into."""
    names: set[str] = set()
    for assign in m.findall(statement, m.Assign() | m.AugAssign() | m.AnnAssign()):
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        for target in targets:
            names.update(n.value for n in m.findall(target, m.Name()))
    for call in m.findall(statement, m.Call(func=m.Attribute(attr=_APPENDERS))):
        base = call.func.value
        while isinstance(base, (cst.Attribute, cst.Subscript)):
            base = base.value
        if isinstance(base, cst.Name):
            names.add(base.value)
    return names


def _returns(function: cst.FunctionDef, names: set[str], functions: set[str], numbers_stop: bool) -> bool:
    """Whether what ``function`` returns depends on ``names`` (grown through assignments and
    appends until nothing changes) or on a call to one of ``functions``."""
    names = set(names)
    statements = list(m.findall(function, m.SimpleStatementLine()))
    changed = True
    while changed:
        changed = False
        for statement in statements:
            sources = [s.value for s in statement.body
                       if isinstance(s, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and s.value is not None]
            appends = m.findall(statement, m.Call(func=m.Attribute(attr=_APPENDERS)))
            sources += [a.value for call in appends for a in call.args]
            if any(_carries(s, names, functions, numbers_stop) for s in sources):
                new = bound_names(statement) - names
                if new:
                    names |= new
                    changed = True
    return any(r.value is not None and _carries(r.value, names, functions, numbers_stop)
               for r in m.findall(function, m.Return()))


def reaches_result(tree: Tree, statement: cst.CSTNode, names: Iterable[str], *, numbers_stop: bool = False) -> bool:
    """True when the values ``statement`` stores in ``names`` flow into what ``main()``
    returns: through assignments, appends and returns of the module's top-level functions (in a
    module without ``main()``: into what its function returns).
    With ``numbers_stop``, a conversion to a Python number (``.item()``, ``float()``) ends
    the flow: what is observed then is a number, whatever it was made from."""
    function = tree.enclosing(statement, cst.FunctionDef)
    top_level = {f.name.value: f for f in tree.module.body if isinstance(f, cst.FunctionDef)}
    # a module without main() (a project's library code, for ``bughunt mutate``): what any of its
    # functions or methods returns is what a test of it observes
    library = "main" not in top_level
    if function is None or (top_level.get(function.name.value) is not function and not library):
        return False
    if m.findall(statement, m.Return()) or tree.enclosing(statement, cst.Return) is not None:
        returning = {function.name.value}
    elif _returns(function, set(names), set(), numbers_stop):
        returning = {function.name.value}
    else:
        return False
    if library:
        return True
    while "main" not in returning:
        new = {name for name, f in top_level.items()
               if name not in returning and _returns(f, set(), returning, numbers_stop)}
        if not new:
            return False
        returning |= new
    return True
