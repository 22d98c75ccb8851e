"""Statements by their shape, and where they sit: the structure every recogniser walks.

``<receiver>.<method>(...)`` alone on a line (``optimizer.zero_grad()``), the names an
assignment binds, the names bound to a call of some library class, the loops and the block
around a statement, and whether two statements run in the same iteration.
"""

from __future__ import annotations

from typing import Iterator, Optional, Union

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted


def method_call_statements(tree: Tree, method: str) -> list[cst.SimpleStatementLine]:
    """Statements that are just ``<something>.<method>(...)``, e.g. ``optimizer.zero_grad()``."""
    pattern = m.SimpleStatementLine(body=[m.Expr(m.Call(func=m.Attribute(attr=m.Name(method))))])
    return tree.find(pattern)


def receiver(statement: cst.SimpleStatementLine) -> str:
    """``optimizer`` for the statement ``optimizer.zero_grad()``."""
    call = statement.body[0].value
    return dotted(call.func.value)


def assigned_names(node: cst.CSTNode) -> list[str]:
    """Plain names an assignment statement binds (``a, b = ...`` gives ``a``, ``b``)."""
    names = []
    for assign in m.findall(node, m.Assign()):
        for target in assign.targets:
            names.extend(n.value for n in m.findall(target.target, m.Name()))
    return names


def names_bound_to(tree: Tree, *callees: str) -> set[str]:
    """Names that hold what a call to one of the qualified ``callees`` made
    (``criterion = nn.CrossEntropyLoss()`` for ``"torch.nn.CrossEntropyLoss"``): see ``holders``.
    By name, not by scope: the ``criterion`` a training function takes as a parameter is main()'s."""
    wanted = set(callees)

    def made_by_callee(maker: Union[cst.Call, str]) -> bool:
        if isinstance(maker, str):  # another file's call, by its qualified name
            return maker in wanted or any(callee.endswith("." + maker) for callee in wanted)
        return tree.refers_to(maker.func, *callees)

    return {name for name, makers in holders(tree).items() if any(map(made_by_callee, makers))}


Maker = Union[cst.Call, str]  # a call of this file, or the qualified name of another file's callee


def holders(tree: Tree) -> dict[str, list[Maker]]:
    """Each name or attribute (dotted: ``self.loss_fn``) that holds an object a call made, with
    the calls that made it: assigned from the call, a parameter that defaults to it, a parameter
    of a function of this file that a call passes it to (``train(model, criterion)``,
    ``fit(loss_fn=nn.CrossEntropyLoss())``, passed on any number of times), and a parameter that
    calls in other files pass it to (``tree.given``, see ``passed_between``). Made once per tree."""
    found = getattr(tree, "_holders", None)
    if found is None:
        found = tree._holders = _holders(tree)  # type: ignore[attr-defined]
    return found


def _holders(tree: Tree) -> dict[str, list[Maker]]:
    made: dict[str, list[Maker]] = {name: list(makers) for name, makers in tree.given.items()}

    def add(name: str, makers: list[Maker]) -> None:
        known = made.setdefault(name, [])
        known.extend(maker for maker in makers if not any(maker is k or maker == k for k in known))

    for assign in tree.find(m.Assign(value=m.Call())):
        for target in assign.targets:
            if dotted(target.target):
                add(dotted(target.target), [assign.value])
    for param in tree.find(m.Param(default=m.Call())):
        add(param.name.value, [param.default])
    calls = list(_calls_of(tree))
    copies = [a for a in tree.find(m.Assign()) if dotted(a.value)]  # self.loss_fn = loss_fn
    while True:  # until nothing passes one on to a name not holding it yet
        before = sum(map(len, made.values()))
        for call, params in calls:
            for i, arg in enumerate(call.args):
                makers = [] if arg.star else _makers_of(arg.value, made)
                if makers and arg.keyword is not None:
                    add(arg.keyword.value, makers)
                elif makers and i < len(params):
                    add(params[i], makers)
        for assign in copies:
            for target in assign.targets:
                if dotted(target.target) and made.get(dotted(assign.value)):
                    add(dotted(target.target), made[dotted(assign.value)])
        if sum(map(len, made.values())) == before:
            return made


def _makers_of(value: cst.BaseExpression, made: dict[str, list[Maker]]) -> list[Maker]:
    return [value] if isinstance(value, cst.Call) else made.get(dotted(value), []) if dotted(value) else []


def _calls_of(tree: Tree) -> Iterator[tuple[cst.Call, list[str]]]:
    """Calls of this file's functions and classes, each with the names of the parameters its
    positional arguments fill: ``train(...)``, ``self.fit(...)`` of a method and ``Trainer(...)``
    of a class (its ``__init__``), whose ``self`` the call does not pass."""
    functions = {f.name.value: f for f in tree.find(m.FunctionDef())}
    classes = {c.name.value: c for c in tree.find(m.ClassDef())}
    for call in tree.find(m.Call()):
        func = call.func
        if isinstance(func, cst.Name) and func.value in functions:
            yield call, positional(functions[func.value])
        elif isinstance(func, cst.Name) and func.value in classes:
            init = constructor(classes[func.value])
            if init is not None:
                yield call, positional(init)[1:]
        elif m.matches(func, m.Attribute(value=m.Name("self"))) and func.attr.value in functions:
            yield call, positional(functions[func.attr.value])[1:]


def positional(function: cst.FunctionDef) -> list[str]:
    """The names of the parameters positional arguments fill, in order."""
    return [p.name.value for p in (*function.params.posonly_params, *function.params.params)]


def constructor(cls: cst.ClassDef) -> Optional[cst.FunctionDef]:
    """The class's own ``__init__``."""
    return next((f for f in cls.body.body if isinstance(f, cst.FunctionDef) and f.name.value == "__init__"), None)


def passed_between(trees: dict[str, Tree], rounds: int = 3) -> None:
    """Set each tree's ``given``: what calls in the other files pass to its module-level functions'
    parameters (``run_epoch(net, batches, loss_fn)`` in ``run.py``, with ``loss_fn`` made by
    ``torch.nn.CrossEntropyLoss()`` there, gives ``train.py``'s ``run_epoch`` parameter
    ``loss_fn`` the maker ``"torch.nn.CrossEntropyLoss"``). ``trees`` are keyed by module name
    (``pkg.train``); a call names a function by its qualified name, matched on the module's
    trailing parts (``.train.run_epoch`` after ``from .train import run_epoch``). Repeated while
    something new is passed on, at most ``rounds`` times."""
    for _ in range(rounds):
        passed: dict[tuple[str, str], dict[Union[int, str], set[str]]] = {}
        for tree in trees.values():
            made = holders(tree)
            for call in tree.find(m.Call()):
                for qualified in tree.qualified(call.func):
                    module, _, function = qualified.lstrip(".").rpartition(".")
                    if not module:
                        continue
                    for i, arg in enumerate(call.args):
                        makers = [] if arg.star else _makers_of(arg.value, made)
                        names = {q for maker in makers for q in
                                 ([maker] if isinstance(maker, str) else tree.qualified(maker.func))}
                        if names:
                            key = arg.keyword.value if arg.keyword is not None else i
                            passed.setdefault((module, function), {}).setdefault(key, set()).update(names)
        changed = False
        for name, tree in trees.items():
            given: dict[str, list[Maker]] = {}
            for definition in tree.module.body:  # module-level functions, and classes (their __init__)
                if isinstance(definition, cst.ClassDef):
                    function, skip = constructor(definition), 1
                elif isinstance(definition, cst.FunctionDef):
                    function, skip = definition, 0
                else:
                    continue
                if function is None:
                    continue
                filled = positional(function)[skip:]
                every = set(filled) | {p.name.value for p in function.params.kwonly_params}
                for (module, called), args in passed.items():
                    if called != definition.name.value or not (name == module or name.endswith("." + module)):
                        continue
                    for key, names in args.items():
                        param = key if isinstance(key, str) else (filled[key] if key < len(filled) else "")
                        if param in every:
                            given.setdefault(param, []).extend(sorted(names))
            given = {param: sorted(set(names)) for param, names in given.items()}
            if given != tree.given:
                tree.given, changed = given, True
                tree.__dict__.pop("_holders", None)
        if not changed:
            return


def enclosing_loops(tree: Tree, node: cst.CSTNode) -> list[cst.For]:
    """The ``for`` loops around ``node``, innermost first, within its function."""
    loops = []
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(ancestor, cst.For):
            loops.append(ancestor)
    return loops


def with_body(block: cst.For, body: list[cst.BaseStatement]) -> cst.For:
    """``block`` with its indented body replaced."""
    return block.with_changes(body=block.body.with_changes(body=body))


def same_iteration(tree: Tree, a: cst.CSTNode, b: cst.CSTNode) -> bool:
    """``a`` and ``b`` run in the same iteration: same function, same innermost loop."""
    loops_a, loops_b = enclosing_loops(tree, a), enclosing_loops(tree, b)
    return (tree.enclosing(a, cst.FunctionDef) is tree.enclosing(b, cst.FunctionDef)
            and (loops_a[0] if loops_a else None) is (loops_b[0] if loops_b else None))


def block_owner(tree: Tree, statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The compound statement (loop, if, function...) whose body holds ``statement``, or the
    module for a statement at the top level."""
    parent = tree.parent(statement)
    if isinstance(parent, cst.IndentedBlock):
        return tree.parent(parent)
    return parent if isinstance(parent, cst.Module) else None


def unit_in(tree: Tree, node: cst.CSTNode, owner: Optional[cst.CSTNode]) -> Optional[cst.BaseStatement]:
    """The statement directly in ``owner``'s body that contains ``node`` (or is it)."""
    for candidate in (node, *tree.ancestors(node)):
        if owner is not None and block_owner(tree, candidate) is owner:
            return candidate
    return None
