"""Camouflage: meaning-preserving rewrites, chosen by a seed, so that no two exercises look alike.

Applied after mutation, identically to the mutant and to the clean program (the exercise's
reference), so the reveal diff still shows the bug alone. Every choice is keyed by *what* it
rewrites (the function and the code of the node), never by position, so a mutation elsewhere
in the file does not change the other choices.

Neutral rewrites keep the behaviour exactly (the kill matrix checks that the camouflaged clean
program passes against the plain one): local names from a table of synonyms, equivalent
spellings (relu, softmax and log_softmax as function or method, ``torch.matmul`` / ``@``,
``unsqueeze`` / indexing with None, ``.float()`` / ``.to(torch.float)``, the two dims of a
transpose either way round, a dim by keyword or by position, ``view`` / ``reshape``, ``size`` /
``shape``), the order of top-level definitions, the defaults of main()'s parameters. Variations
change numbers within safe ranges (learning rate, momentum, decay, dropout): the reference of
such an exercise is the varied clean program, never the plain one.
"""

from __future__ import annotations

import ast
import hashlib
import random
from typing import Any, Mapping, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from bughunt.mutator import code_of, dotted, expr
from bughunt.mutator.rewrite import is_atomic, unparenthesized

# The guide's vocabulary and the names detectors rely on stay as they are.
PROTECTED = frozenset({"main", "model", "loader", "train_loader", "val_loader", "criterion", "optimizer",
                       "scheduler", "device", "scaler", "self", "cls", "loss", "epoch", "epochs"})

SYNONYMS: Mapping[str, Sequence[str]] = {
    "total": ("running_loss", "loss_sum", "epoch_total"),
    "history": ("per_epoch", "log", "curve"),
    "logits": ("scores", "outputs", "out_logits"),
    "correct": ("num_correct", "hits", "n_right"),
    "out": ("result", "output", "res"),
    "h": ("hidden", "feat", "act"),
    "n": ("count", "num", "size_n"),
    "losses": ("loss_log", "loss_values", "trace"),
    "accuracies": ("acc_log", "acc_values", "acc_curve"),
    "features": ("inputs", "samples", "feats"),
    "results": ("summary", "report", "outcome"),
    "x": ("inputs", "xb", "batch"),
    "i": ("step", "idx", "batch_idx"),
    "z": ("code", "latent_z", "emb"),
    "mean": ("avg", "mu", "centre"),
}


def _rng(seed: int, *key: object) -> random.Random:
    digest = hashlib.sha256(repr((seed, *key)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class _Scoped(cst.CSTTransformer):
    """Tracks the qualified name of the function/class being visited."""

    def __init__(self) -> None:
        super().__init__()
        self.scope: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.append(node.name.value)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.scope.pop()
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.append(node.name.value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.scope.pop()
        return updated

    @property
    def where(self) -> str:
        return ".".join(self.scope)


class _RenameLocals(_Scoped):
    """In each function, rename local variables that have synonyms (never parameters)."""

    def __init__(self, seed: int, module_names: set[str]) -> None:
        super().__init__()
        self.seed, self.module_names = seed, module_names
        self.renames: list[dict[str, str]] = []
        self.by_scope: dict[str, dict[str, str]] = {}  # "Encoder.forward" -> its renames

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        params = {p.name.value for p in m.findall(node.params, m.Param())}
        assigned = {n.value for t in m.findall(node.body, m.AssignTarget() | m.For() | m.CompFor())
                    for n in m.findall(getattr(t, "target", t), m.Name())}
        used = {n.value for n in m.findall(node, m.Name())}
        taken = used | params | self.module_names
        renames: dict[str, str] = {}
        for name in sorted(assigned - params - PROTECTED - self.module_names):
            options = [s for s in SYNONYMS.get(name, ()) if s not in taken and s not in renames.values()]
            choice = _rng(self.seed, "rename", node.name.value, name).choice([name, *options])
            if choice != name:
                renames[name] = choice
        outer = self.renames[-1] if self.renames else {}
        self.renames.append({**outer, **renames})  # a nested function sees the outer renames
        self.by_scope[self.where] = self.renames[-1]

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.renames.pop()
        return super().leave_FunctionDef(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if self.renames and original.value in self.renames[-1]:
            return updated.with_changes(value=self.renames[-1][original.value])
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        # ``obj.x``: the attribute name is not a variable; put it back if leave_Name renamed it
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)  # f(x=...): keywords are not variables


_SOFTMAX = {"torch.softmax": "softmax", "F.softmax": "softmax", "torch.log_softmax": "log_softmax",
            "F.log_softmax": "log_softmax"}
_DIM_FIRST = {"sum", "mean", "argmax", "argmin", "softmax", "log_softmax", "unsqueeze", "squeeze", "cumsum"}
_DIM_SECOND = {"torch.cat", "torch.stack", *_SOFTMAX}  # after the tensors (or the chunk count)
_UNSQUEEZE = {"0": "[None]", "1": "[:, None]", "-1": "[..., None]"}  # x.unsqueeze(d) as indexing with None
_CASTS = {"float": "torch.float", "long": "torch.long"}  # x.float() is x.to(torch.float)
# parents before which ``a @ b`` needs no parentheses: same or lower precedence, on the left
_LEFT_OK = (cst.Multiply, cst.Divide, cst.MatrixMultiply, cst.FloorDivide, cst.Modulo, cst.Add, cst.Subtract)


class _Spellings(_Scoped):
    """Equivalent ways to write the same expression, chosen per site. Each spelling computes
    exactly what the original does, with the same kernels (test_camouflage compares outputs)."""

    def __init__(self, seed: int, functional: bool) -> None:
        super().__init__()
        self.seed, self.functional = seed, functional
        self.seen: dict[tuple[str, str], int] = {}
        self.bracketed: list[cst.BinaryOperation] = []  # ``(a @ b)`` made from torch.matmul(a, b)

    def _pick(self, node: cst.CSTNode, options: Sequence[str]) -> str:
        key = (self.where, code_of(node))
        self.seen[key] = self.seen.get(key, 0) + 1
        return _rng(self.seed, "spell", *key, self.seen[key]).choice(list(options))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        for rule in (self._relu, self._softmax, self._size, self._view, self._zero_grad, self._matmul,
                     self._unsqueeze, self._cast, self._transpose):
            spelled = rule(original, updated)
            if spelled is not None:
                updated = spelled
                break
        return self._dim(original, updated) if isinstance(updated, cst.Call) else updated

    def _relu(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        positional = [a for a in updated.args if a.keyword is None]
        if dotted(updated.func) not in ("torch.relu", "F.relu") or len(updated.args) != 1 or not positional:
            return None
        arg = code_of(positional[0].value)
        options = [f"torch.relu({arg})"] + ([f"F.relu({arg})"] if self.functional else [])
        if isinstance(positional[0].value, cst.Name):
            options.append(f"{arg}.relu()")
        return expr(self._pick(original, options))

    def _softmax(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        """torch.softmax(x, dim=d), F.softmax(x, dim=d), x.softmax(dim=d); log_softmax alike."""
        name = dotted(updated.func)
        if name in _SOFTMAX and len(updated.args) == 2 and updated.args[0].keyword is None:
            function, x, dim = _SOFTMAX[name], updated.args[0].value, updated.args[1]
        elif (m.matches(updated.func, m.Attribute(attr=m.Name("softmax") | m.Name("log_softmax")))
              and len(updated.args) == 1):
            function, x, dim = updated.func.attr.value, updated.func.value, updated.args[0]
        else:
            return None
        if dim.keyword is not None and dim.keyword.value != "dim":
            return None
        code, d = code_of(x), code_of(dim.value)
        options = [f"torch.{function}({code}, dim={d})"] + ([f"F.{function}({code}, dim={d})"] if self.functional else [])
        if is_atomic(x, numbers=False):
            options.append(f"{code}.{function}(dim={d})")
        return expr(self._pick(original, options))

    def _size(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        if not m.matches(updated, m.Call(func=m.Attribute(attr=m.Name("size")), args=[m.Arg(value=m.Integer(), keyword=None)])):
            return None
        base, index = code_of(updated.func.value), updated.args[0].value.value
        return expr(self._pick(original, [f"{base}.size({index})", f"{base}.shape[{index}]"]))

    def _view(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        if not (m.matches(updated, m.Call(func=m.Attribute(attr=m.Name("view")))) and updated.args):
            return None
        if self._pick(original, ["view", "reshape"]) == "reshape":
            return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("reshape")))
        return updated

    def _zero_grad(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        if not m.matches(updated, m.Call(func=m.Attribute(attr=m.Name("zero_grad")), args=[])):
            return None
        if self._pick(original, ["plain", "set_to_none"]) == "set_to_none":
            return expr(code_of(updated.func) + "(set_to_none=True)")
        return updated

    def _matmul(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        """torch.matmul(a, b) -> (a @ b); the parentheses go where the parent does not need them."""
        if dotted(updated.func) != "torch.matmul" or len(updated.args) != 2 or any(a.keyword for a in updated.args):
            return None
        a, b = updated.args[0].value, updated.args[1].value
        if not (is_atomic(a, numbers=False) and is_atomic(b, numbers=False)) or self._pick(original, ["call", "operator"]) == "call":
            return updated
        product = cst.BinaryOperation(a, cst.MatrixMultiply(), b, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.bracketed.append(product)
        return product

    def _unsqueeze(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        """x.unsqueeze(0) / x[None], x.unsqueeze(1) / x[:, None], x.unsqueeze(-1) / x[..., None]."""
        if not m.matches(updated, m.Call(func=m.Attribute(attr=m.Name("unsqueeze")), args=[m.Arg()])):
            return None
        index = _UNSQUEEZE.get(code_of(updated.args[0].value))
        if index is None or self._pick(original, ["call", "index"]) == "call":
            return updated
        return expr(code_of(updated.func.value) + index)

    def _cast(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        """x.float() / x.to(torch.float), x.long() / x.to(torch.long)."""
        if not m.matches(updated, m.Call(func=m.Attribute(attr=m.Name()), args=[])):
            return None
        dtype = _CASTS.get(updated.func.attr.value)
        if dtype is None or self._pick(original, ["method", "to"]) == "method":
            return None
        return expr(f"{code_of(updated.func.value)}.to({dtype})")

    def _transpose(self, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
        """x.transpose(1, 2) / x.transpose(2, 1): swapping two dims either way round."""
        literal = m.Integer() | m.UnaryOperation(operator=m.Minus(), expression=m.Integer())
        if not m.matches(updated, m.Call(func=m.Attribute(attr=m.Name("transpose")),
                                         args=[m.Arg(value=literal, keyword=None), m.Arg(value=literal, keyword=None)])):
            return None
        if self._pick(original, ["as is", "swapped"]) == "as is":
            return updated
        first, second = updated.args
        return updated.with_changes(args=[first.with_changes(value=second.value), second.with_changes(value=first.value)])

    def _dim(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """The dimension by keyword or by position: x.sum(dim=1) / x.sum(1), torch.cat(xs, dim=1) / torch.cat(xs, 1)."""
        name = dotted(updated.func)
        method = updated.func.attr.value if isinstance(updated.func, cst.Attribute) else ""
        if name in _DIM_SECOND or method == "chunk":
            place = 1
        elif method in _DIM_FIRST and name.split(".")[0] not in ("torch", "F"):  # a tensor's method
            place = 0
        else:
            return updated
        args = list(updated.args)
        if len(args) <= place:
            return updated
        arg = args[place]
        before_ok = all(a.keyword is None for a in args[:place])
        if arg.keyword is not None and arg.keyword.value == "dim" and before_ok:
            style = self._pick(original, ["keyword", "position"])
            args[place] = arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) if style == "position" else arg
        elif arg.keyword is None and before_ok and (len(args) == place + 1 or args[place + 1].keyword is not None):
            style = self._pick(original, ["position", "keyword"])
            args[place] = arg.with_changes(keyword=cst.Name("dim"), equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))) \
                if style == "keyword" else arg
        return updated.with_changes(args=args)

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        if isinstance(updated.left, cst.BinaryOperation) and any(updated.left is b for b in self.bracketed) \
                and isinstance(updated.operator, _LEFT_OK):
            updated = updated.with_changes(left=unparenthesized(updated.left))
        if isinstance(original.operator, cst.MatrixMultiply) and not any(updated is b for b in self.bracketed):
            if self._pick(original, ["operator", "call"]) == "call":  # a @ b -> torch.matmul(a, b)
                left, right = code_of(unparenthesized(updated.left)), code_of(unparenthesized(updated.right))
                return expr(f"torch.matmul({left}, {right})")
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        return updated.with_changes(value=self._unbracket(updated.value))

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        return updated.with_changes(value=self._unbracket(updated.value)) if updated.value else updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(value=self._unbracket(updated.value))

    def _unbracket(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """``x = (a @ b)``: a whole statement's or argument's value needs no parentheses."""
        return unparenthesized(value) if any(value is b for b in self.bracketed) else value

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        shape = m.Subscript(value=m.Attribute(attr=m.Name("shape")),
                            slice=[m.SubscriptElement(slice=m.Index(value=m.Integer()))])
        if m.matches(updated, shape):
            base, index = code_of(updated.value.value), updated.slice[0].slice.value.value
            return expr(self._pick(original, [f"{base}.shape[{index}]", f"{base}.size({index})"]))
        index = code_of(updated)[len(code_of(updated.value)):]
        dim = next((d for d, spelled in _UNSQUEEZE.items() if spelled == index), None)
        if dim is not None and self._pick(original, ["index", "call"]) == "call":
            return expr(f"{code_of(updated.value)}.unsqueeze({dim})")
        return updated


class _Variations(_Scoped):
    """Hyperparameters within safe ranges: learning rate, momentum, decay, dropout, main's defaults."""

    FACTORS = {"lr": (0.5, 1.0, 2.0), "momentum": (0.8, 0.85, 0.9, 0.95), "gamma": (0.5, 0.6, 0.7, 0.8, 0.9),
               "p": (0.2, 0.3, 0.4, 0.5)}

    def __init__(self, seed: int, defaults: Mapping[str, Sequence[Any]]) -> None:
        super().__init__()
        self.seed, self.defaults = seed, defaults

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        key = updated.keyword.value if updated.keyword else None
        if key not in self.FACTORS or not isinstance(updated.value, (cst.Float, cst.Integer)):
            return updated
        value = float(updated.value.value)
        rng = _rng(self.seed, "vary", self.where, code_of(original))
        new = value * rng.choice(self.FACTORS[key]) if key == "lr" else rng.choice(self.FACTORS[key])
        return updated.with_changes(value=cst.Float(repr(round(new, 8))))

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if updated.name.value == "main" and not self.scope[:-1]:
            params = []
            for param in updated.params.params:
                space = self.defaults.get(param.name.value)
                if space is not None and param.default is not None:
                    choice = _rng(self.seed, "default", param.name.value).choice(list(space))
                    param = param.with_changes(default=expr(repr(choice)))
                params.append(param)
            updated = updated.with_changes(params=updated.params.with_changes(params=params))
        return super().leave_FunctionDef(original, updated)


class _Defaults(_Variations):
    """Only main()'s defaults: a neutral rewrite (verification passes its own configuration)."""

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated


def _reorder(module: cst.Module, seed: int) -> cst.Module:
    """Shuffle the top-level functions defined before main (classes keep their order)."""
    body = list(module.body)
    slots = [i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value != "main"]
    functions = [body[i] for i in slots]
    shuffled = sorted(functions, key=lambda f: _rng(seed, "order", f.name.value).random())
    for i, function in zip(slots, shuffled):
        body[i] = function
    return module.with_changes(body=body)


def _renamer(module: cst.Module, seed: int) -> _RenameLocals:
    module_names = {n.value for s in module.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))
                    for n in m.findall(s, m.Name())}
    module_names |= {s.name.value for s in module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
    return _RenameLocals(seed, module_names)


def camouflage(source: str, seed: int, defaults: Mapping[str, Sequence[Any]] = {}, *, vary: bool = True) -> str:
    """``source`` rewritten by ``seed``. ``vary=False`` keeps only the neutral rewrites."""
    module = cst.parse_module(source)
    functional = "import torch.nn.functional as F" in source
    module = module.visit(_renamer(module, seed))
    module = module.visit(_Spellings(seed, functional))
    module = _reorder(module, seed)
    module = module.visit((_Variations if vary else _Defaults)(seed, defaults))
    return module.code


def renamed_locals(source: str, seed: int) -> dict[str, dict[str, str]]:
    """The local names :func:`camouflage` gives ``source`` under ``seed``, per function
    (``{"train": {"total": "epoch_total"}}``): hints name variables as the exercise does."""
    module = cst.parse_module(source)
    renamer = _renamer(module, seed)
    module.visit(renamer)
    return renamer.by_scope


def normalised(source: str, numbers: bool = True) -> str:
    """A fingerprint that ignores comments, whitespace and the names of local variables:
    two exercises are the same when their fingerprints are. ``numbers=False`` also ignores
    every number (hyperparameters, main()'s defaults): the stricter count ``stats`` shows."""
    tree = ast.parse(source)
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names: dict[str, str] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.setdefault(node.id, f"v{len(names)}")
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and node.id in names:
                    node.id = names[node.id]
    for node in ast.walk(tree):  # docstrings and other bare strings are comments too
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            node.value.value = ""
        elif not numbers and isinstance(node, ast.Constant) and type(node.value) in (int, float):
            node.value = 0
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()
