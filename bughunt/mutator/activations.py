"""What a loss is given, traced back to where it is made, and the loss calls themselves.

A loss call's input is followed back through calls that only reshape (``view``, ``flatten``,
a slice...), through the assignment earlier in the same function that bound the name it reads
(the matching element of a tuple unpacking), into the model: the class a model name is built
from, what its ``forward()`` returns (the matching element of a returned tuple), and the
``nn.Sequential`` whose output that is. Each step is an expression that makes the input; a bug
class looks among them for the activation it is about (``log_softmax`` before ``NLLLoss``, a
sigmoid before the binary cross-entropy losses).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import Tree, dotted
from bughunt.mutator.statements import names_bound_to

SEQUENTIAL = "torch.nn.Sequential"
#: calls that change a tensor's shape or layout, never its values
_SHAPE_ONLY = {"view", "reshape", "flatten", "squeeze", "unsqueeze", "contiguous", "permute", "transpose",
               "view_as", "reshape_as", "t"}
_MOVES = {"to", "cuda", "cpu", "float", "double", "train"}  # model = Net().to(device) is still a Net


def loss_calls(tree: Tree, classes: tuple[str, ...], functions: tuple[str, ...]) -> list[cst.Call]:
    """Calls of a loss with its input as the first positional argument: a name bound to one of
    the loss ``classes`` (``criterion = nn.NLLLoss()``; by name, as ``names_bound_to``), a loss
    built inline (``nn.NLLLoss()(x, y)``) or one of the loss ``functions`` (``F.nll_loss``)."""
    criteria = names_bound_to(tree, *classes)
    calls = []
    for call in tree.find(m.Call()):
        func = call.func
        if not [a for a in call.args if a.keyword is None]:
            continue
        if (dotted(func) in criteria or tree.refers_to(func, *functions)
                or (isinstance(func, cst.Call) and tree.refers_to(func.func, *classes))):
            calls.append(call)
    return calls


def loss_input(call: cst.Call) -> cst.Arg:
    return [a for a in call.args if a.keyword is None][0]


def _shape_free(node: cst.BaseExpression, reshapes: Optional[list] = None) -> cst.BaseExpression:
    """``node`` without the calls that only reshape it (collected into ``reshapes``, outermost first)."""
    while True:
        if m.matches(node, m.Call(func=m.Attribute())) and node.func.attr.value in _SHAPE_ONLY:
            if reshapes is not None:
                reshapes.append(node)
            node = node.func.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return node


def _binding(tree: Tree, name: cst.Name) -> Optional[tuple[cst.BaseExpression, Optional[int]]]:
    """What ``name`` was last bound to before it is read, in the same function: the value, and
    the name's position when a tuple unpacking bound it from a value that is not a tuple."""
    function = tree.enclosing(name, cst.FunctionDef)
    if function is None:
        return None
    found = None
    for assign in m.findall(function, m.Assign()):
        if tree.line(assign) >= tree.line(name):
            continue
        for target in assign.targets:
            if isinstance(target.target, cst.Name) and target.target.value == name.value:
                found = (assign.value, None)
            elif isinstance(target.target, (cst.Tuple, cst.List)):
                elements = [e.value for e in target.target.elements]
                for i, element in enumerate(elements):
                    if isinstance(element, cst.Name) and element.value == name.value:
                        value = assign.value
                        if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements):
                            found = (value.elements[i].value, None)
                        else:
                            found = (value, i)
    return found


def construction(tree: Tree, name: str) -> Optional[cst.Call]:
    """The call that builds the model bound to ``name`` (``Net(...)`` in ``model = Net(...).to(d)``),
    if every binding of ``name`` in the program builds the same kind of model."""
    built = []
    for assign in tree.find(m.Assign(targets=[m.AssignTarget(m.Name(name))])):
        value = assign.value
        while m.matches(value, m.Call(func=m.Attribute(value=m.Call()))) and value.func.attr.value in _MOVES:
            value = value.func.value
        built.append(value)
    kinds = {dotted(v.func) if isinstance(v, cst.Call) else "" for v in built}
    return built[0] if len(kinds) == 1 and "" not in kinds else None  # type: ignore[return-value]


def forward_return(cls: cst.ClassDef) -> Optional[cst.Return]:
    """The return statement of the class's ``forward()``, if it has one forward() with one return."""
    forwards = m.findall(cls, m.FunctionDef(name=m.Name("forward")))
    returns = [r for f in forwards for r in m.findall(f, m.Return()) if r.value is not None]
    return returns[0] if len(forwards) == 1 and len(returns) == 1 else None


def _forward_return(tree: Tree, class_name: str) -> Optional[cst.BaseExpression]:
    """What the ``forward()`` of the program's class ``class_name`` returns, if it has one return."""
    classes = tree.find(m.ClassDef(name=m.Name(class_name)))
    found = forward_return(classes[0]) if len(classes) == 1 else None
    return found.value if found is not None else None


def sequential_attr(tree: Tree, cls: cst.ClassDef, attr: str) -> Optional[cst.Call]:
    """The ``nn.Sequential(...)`` assigned to ``self.<attr>`` in the class."""
    target = m.AssignTarget(m.Attribute(value=m.Name("self"), attr=m.Name(attr)))
    found = [a.value for a in m.findall(cls, m.Assign(targets=[target], value=m.Call()))]
    if len(found) == 1 and tree.refers_to(found[0].func, SEQUENTIAL):
        return found[0]
    return None


def origins(tree: Tree, node: cst.BaseExpression, reshapes: bool = False) -> list[cst.BaseExpression]:
    """The expressions that make ``node``, nearest first (see the module's text). An
    ``nn.Sequential(...)`` among them is the model whose last layer makes the value. With
    ``reshapes``, the calls that only reshape the value on the way are among them too."""
    found: list[cst.BaseExpression] = []
    index: Optional[int] = None  # the element of a tuple the value is
    for _ in range(16):  # a chain of bindings is short; a cycle (x = f(x)) ends here
        node = _shape_free(node, found if reshapes else None)
        if index is not None and isinstance(node, (cst.Tuple, cst.List)):
            if index >= len(node.elements):
                break
            node, index = node.elements[index].value, None
            continue
        found.append(node)
        if isinstance(node, cst.Name):
            bound = _binding(tree, node)
            if bound is None or bound[0] in found:
                break
            node, index = bound
        elif isinstance(node, cst.Call) and tree.refers_to(node.func, SEQUENTIAL):
            break
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name):  # model(x)
            built = construction(tree, node.func.value)
            if built is None:
                break
            if tree.refers_to(built.func, SEQUENTIAL):
                found.append(built)
                break
            returned = _forward_return(tree, dotted(built.func))
            if returned is None:
                break
            node = returned
        elif m.matches(node, m.Call(func=m.Attribute(value=m.Name("self")))):  # self.net(x) in forward()
            cls = tree.enclosing(node, cst.ClassDef)
            sequential = sequential_attr(tree, cls, node.func.attr.value) if cls is not None else None
            if sequential is not None:
                found.append(sequential)
            break
        else:
            break
    return found


def last_layer(tree: Tree, sequential: cst.Call, *layers: str) -> bool:
    """The ``nn.Sequential(...)`` call ends with a layer of one of the qualified ``layers``."""
    if not sequential.args or sequential.args[-1].keyword is not None:
        return False
    last = sequential.args[-1].value
    return isinstance(last, cst.Call) and tree.refers_to(last.func, *layers)


def appended(sequential: cst.Call, layer: cst.BaseExpression) -> cst.Call:
    """``nn.Sequential(a, b)`` -> ``nn.Sequential(a, b, layer)``, keeping one-line or one-per-line style."""
    args = list(sequential.args)
    last = args[-1]
    comma = args[-2].comma if len(args) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = cst.Arg(layer, comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
    return sequential.with_changes(args=[*args[:-1], last, new])
