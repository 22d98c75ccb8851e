"""Detectors: properties that compare a candidate's run with the reference's run.

Both runs are *observations* (plain Python data made by ``worker.observe``) of
``main(**config)`` with the same config and seeds:

``error``    ``None`` or ``{"type", "message", "line", "function"}``
``result``   what ``main`` returned; tensors become ``{"__tensor__": True, "shape", "dtype", "values"}``
``steps``    one entry per optimizer step: ``{"phase", "lr", "grad", "missing", "cleared", "others"}``
             (parameters without a gradient; those of them whose gradient backward() had made; the
             parameters this step does not update whose gradient backward() made since they last stepped)
``modes``    ``[phase, module kind, training?, grad enabled?]`` for every module call; the kind is
             "Dropout" or "BatchNorm" for those families, else the class name
``targets``  ``[phase, loss, target dtype, target ndim, input ndim, class probabilities?]`` for every
             loss-module call
``params``   final parameters of every optimizer, by name, each with its ``role`` (``Linear.weight``)
             and ``order`` (when the forward pass first used it), so that a parameter registered under
             another name is still the same parameter (see ``pair``)
``unoptimized`` parameters the forward pass used that no optimizer holds, by name: role, order, shape
``placement`` ``[phase, what, device]``: where parameters, buffers, the layers' inputs, the targets
             (and, phase "main", the optimizer state) were
``precision`` ``[phase, module kind, autocast dtype or "off"]`` of the module calls
``graphs``   phases in which some module call recorded an autograd graph
``loaders``  ``[phase, dataset length, sample indices in the order given]`` for every pass over a
             DataLoader; each entry of ``params`` also holds its param group's ``weight_decay``
``kept_graphs`` the most optimizer steps, two or more back, whose forward passes' autograd graphs
             were still alive at one step (something held a tensor of them)

A check returns ``None`` when the candidate behaves like the reference, or a short
description of the symptom. The runner adds the configuration it happened with.
Checks never look at source text, so any correct fix passes them.

When several checks fail on one configuration, the verdict names the first by ``place``: each
check declares its own with ``@placed(Place.X)`` (a bug class's own check without one goes at
``Place.OWN``), so renaming a check never changes which symptom a verdict reports.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

Obs = dict[str, Any]
Check = Callable[[Obs, Obs], Optional[str]]

REL_TOL = 1e-4
ABS_TOL = 1e-5


class Place:
    """Where a check's symptom ranks when several fail at once (lower first): causes before their
    consequences (a wrong target before any number; a wrong learning rate before the gradients it
    skews). Checks of one place are ordered by name."""

    CRASH = 0.0  # nothing after a crash can be compared
    PLACEMENT = 5.0  # the devices and autocast dtypes the work runs on
    TARGETS = 10.0  # what the loss is given
    MODES = 20.0  # train/eval mode of the layers
    GRAPH = 30.0  # whether autograd records
    GRADIENT_FLOW = 40.0  # which parameters get a gradient
    OPTIMIZED = 50.0  # which parameters the optimizers hold
    SCHEDULE = 60.0  # the learning rate of each step
    GRADIENTS = 70.0  # the gradient each step sees
    OWN = 75.0  # a bug class's own property (the default)
    RESULTS = 80.0  # what main() returns
    WEIGHTS = 90.0  # where the parameters end


def placed(place: float) -> Callable[[Check], Check]:
    """Declare a check's place in the order (see ``Place``)."""

    def mark(check: Check) -> Check:
        check.place = place  # type: ignore[attr-defined]
        return check

    return mark


def precedence(check: Check) -> float:
    """The place ``check`` declared, or ``Place.OWN``."""
    return getattr(check, "place", Place.OWN)


def close(a: float, b: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):  # inf - inf is nan: two equal infinities are the same number
        return a == b
    return abs(a - b) <= ABS_TOL + REL_TOL * abs(b)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def _shape(shape: list[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__tensor__") is True


def _is_module(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__module__") is True


def _values(ref: dict[str, Any], cand: dict[str, Any], path: str) -> Optional[str]:
    if len(cand["values"]) != len(ref["values"]):
        return f"{path} holds {len(cand['values'])} values instead of {len(ref['values'])}"
    pairs = list(zip(ref["values"], cand["values"]))
    bad = [(r, c) for r, c in pairs if not close(c, r)]
    if not bad:
        return None
    nan = sum(1 for r, c in bad if isinstance(c, float) and math.isnan(c))
    gaps = [abs(r - c) for r, c in bad if not any(isinstance(v, float) and math.isnan(v) for v in (r, c))]
    parts = [f"{len(bad)} of {len(pairs)} values"]
    if nan:
        parts.append(f"{nan} of them nan where the reference's are not")
    if gaps:
        parts.append(f"by up to {max(gaps):.3g}")
    return f"{path} differs from the reference ({', '.join(parts)})"


def difference(ref: Any, cand: Any, path: str) -> Optional[str]:
    """The first difference between two plain values, described for a learner."""
    if _is_tensor(ref):
        if not _is_tensor(cand):
            return f"{path} is {type(cand).__name__}, not a tensor"
        if cand["shape"] != ref["shape"]:
            return f"{path} has shape {_shape(cand['shape'])} instead of {_shape(ref['shape'])}"
        if cand["dtype"] != ref["dtype"]:
            return f"{path} has dtype {cand['dtype']} instead of {ref['dtype']}"
        if cand.get("device", ref.get("device")) != ref.get("device"):
            return f"{path} is on {cand['device']} instead of {ref['device']}"
        return _values(ref, cand, path)
    if _is_module(ref):
        if not _is_module(cand):
            return f"{path} is {type(cand).__name__} instead of a module"
        return _module_difference(ref["state"], cand["state"], path)
    if isinstance(ref, dict):
        if not isinstance(cand, dict):
            return f"{path} is {type(cand).__name__} instead of a dict"
        for key in ref:
            if key not in cand:
                return f"{path} lacks {key!r}"
            found = difference(ref[key], cand[key], f"{path}[{key!r}]" if path else str(key))
            if found:
                return found
        return None
    if isinstance(ref, list):
        if not isinstance(cand, list):
            return f"{path} is {type(cand).__name__} instead of a sequence"
        if len(cand) != len(ref):
            return f"{path} has {len(cand)} entries instead of {len(ref)}"
        for i, (r, c) in enumerate(zip(ref, cand)):
            found = difference(r, c, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        if isinstance(cand, (int, float)) and not isinstance(cand, bool) and close(cand, ref):
            return None
        if _is_tensor(cand):
            graph = ", still attached to the autograd graph" if cand.get("requires_grad") else ""
            return f"{path} is a tensor{graph} instead of a Python number"
        return f"{path} is {_fmt(cand)} instead of {_fmt(ref)}"
    return None if cand == ref else f"{path} is {_fmt(cand)} instead of {_fmt(ref)}"


def _module_difference(ref: dict[str, Any], cand: dict[str, Any], path: str) -> Optional[str]:
    """A module's state, its tensors matched by what they are (``pair``), not by name."""
    pairs, lost, _extra = pair(ref, cand)
    where = f"{path}'s " if path else ""
    if lost:
        return (f"{where}state holds {len(cand)} tensors where the reference's holds {len(ref)}" if len(cand) != len(ref)
                else f"{where}state holds no {_kind(ref[lost[0]])} like the reference's {lost[0]}")
    for r, c in pairs:
        found = difference(ref[r], cand[c], f"{path}[{_as_named(c, r)!r}]" if path else _as_named(c, r))
        if found:
            return found
    return None


def _as_named(cand_name: str, ref_name: str) -> str:
    """The candidate's name for a tensor, with the reference's where they differ."""
    return cand_name if cand_name == ref_name else f"{cand_name} (the reference's {ref_name})"


def _kind(tensor: Any) -> str:
    role = tensor.get("role") if isinstance(tensor, dict) else None
    shape = tensor.get("shape") if isinstance(tensor, dict) else None
    return " ".join(filter(None, [role or "tensor", f"of shape {_shape(shape)}" if shape is not None else ""]))


def pair(ref: dict[str, Any], cand: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Match the reference's parameters (or a module's tensors) with the candidate's by what they
    are, not by the attribute path they are registered under. When both sides know the order in
    which their parameters were made, a tensor pairs with the candidate's tensor of its kind (role,
    shape, optimizer) made at the same rank: names play no part, so modules registered under other
    names, a Sequential whose indices shifted, or two layers whose names were swapped together with
    their uses all pair up as they are. Otherwise a tensor pairs with the one of the same name when
    both are the same kind, else with the next unpaired one of its kind in the order the forward
    pass first used them. A tensor the candidate lacks stays unpaired. Returns the pairs
    (reference name, candidate name) and the unpaired names of each."""

    def kind(name: str, tensor: Any) -> tuple:
        index, _, rest = name.partition(":")
        optimizer = index if index.isdigit() and rest else "0"
        if not isinstance(tensor, dict):
            return (optimizer,)
        return optimizer, tensor.get("role"), tuple(tensor.get("shape") or ())

    def made(tensors: dict[str, Any]) -> bool:
        return all(isinstance(t, dict) and t.get("created") is not None for t in tensors.values())

    by_creation = made(ref) and made(cand)

    def order(names: list[str], tensors: dict[str, Any]) -> list[str]:
        position = {name: i for i, name in enumerate(tensors)}
        field = "created" if by_creation else "order"

        def key(name: str) -> tuple:
            found = tensors[name].get(field) if isinstance(tensors[name], dict) else None
            return (found is None, found if found is not None else 0, position[name])

        return sorted(names, key=key)

    pairs, rest_ref = [], []
    rest_cand = dict.fromkeys(cand)
    for name, tensor in ref.items():
        if not by_creation and name in rest_cand and kind(name, cand[name]) == kind(name, tensor):
            pairs.append((name, name))
            del rest_cand[name]
        else:
            rest_ref.append(name)
    lost = []
    waiting = order(list(rest_cand), cand)
    for name in order(rest_ref, ref):
        match = next((c for c in waiting if kind(c, cand[c]) == kind(name, ref[name])), None)
        if match is None:
            lost.append(name)
        else:
            pairs.append((name, match))
            waiting.remove(match)
    return pairs, lost, waiting


# --- generic checks: every verification runs them --------------------------------------


@placed(Place.CRASH)
def crash(ref: Obs, cand: Obs) -> Optional[str]:
    """The candidate raises (or exits, runs out of memory, tampers) where the reference does not."""
    error = cand["error"]
    return describe_error(error) if error else None


def describe_error(error: dict[str, Any]) -> str:
    where = f" at line {error['line']}, in {error['function']}()" if error.get("line") else ""
    kind, message = error.get("kind", "exception"), error["message"]
    if kind == "exit":
        return f"the program called {message}{where}"
    if kind == "memory":
        return f"the program ran out of memory{where} (it may use {message} more)"
    if kind == "missing":
        return f"the exercise must define {message}()"
    if kind == "tampered":
        return f"tampered: {message}"
    return f"{error['type']}{where}: {message}"


def unobserved(observed: Obs, alone: Obs) -> Optional[str]:
    """The candidate run without instrumentation (``alone``) fails or returns other values than
    its observed run: it behaves differently when nothing watches it."""
    if alone["error"] and not observed["error"]:
        return f"when not observed by verify, {describe_error(alone['error'])}"
    found = difference(observed["result"], alone["result"], "")
    if found:
        return f"the program behaves differently when verify does not observe it: unobserved, {found}"
    return None


@placed(Place.RESULTS)
def same_results(ref: Obs, cand: Obs) -> Optional[str]:
    """What main() returns matches the reference within tolerance."""
    if not isinstance(cand["result"], type(ref["result"])):
        return f"main() returns {type(cand['result']).__name__} instead of {type(ref['result']).__name__}"
    return difference(ref["result"], cand["result"], "")


@placed(Place.WEIGHTS + 1)  # last: the numbers may all be right, the memory is not
def graphs_freed(ref: Obs, cand: Obs) -> Optional[str]:
    """Each forward pass's autograd graph is let go once its step is taken, as far as the
    reference lets its own go: a running total or a list of tensors that keep their graphs (taken
    .item() of only at the end of an epoch) holds every batch's graph until then."""
    kept, theirs = cand.get("kept_graphs", 0), ref.get("kept_graphs", 0)
    if kept <= theirs + 1:
        return None
    return (f"keeps the autograd graphs of {kept} earlier steps alive at once (the reference "
            f"{f'at most {theirs}' if theirs else 'none'}): a tensor made in training is held, graph and all, "
            f"from one batch to the next")


@placed(Place.WEIGHTS)
def same_final_params(ref: Obs, cand: Obs) -> Optional[str]:
    """The trained parameters end where the reference's end (matched by what they are: ``pair``)."""
    pairs, lost, _extra = pair(ref["params"], cand["params"])
    if lost:
        if len(cand["params"]) != len(ref["params"]):
            return (f"the optimizers hold {len(cand['params'])} parameter tensors instead of "
                    f"{len(ref['params'])}")
        return f"no optimizer holds a {_kind(ref['params'][lost[0]])} like the reference's {lost[0]}"
    for r, c in pairs:
        found = difference(ref["params"][r], cand["params"][c], _as_named(c, r))
        if found:
            return f"after training, parameter {found}"
    return None


@placed(Place.PLACEMENT)
def placement(ref: Obs, cand: Obs) -> Optional[str]:
    """The candidate does the reference's work where the reference does it: parameters, buffers,
    the layers' inputs, the targets and the optimizer state on the same devices, and the module
    calls under the same autocast dtype. A phase the reference has no entry for (a function of
    the candidate's own) is compared with all of the reference's."""
    for what, (noun, verb) in _PLACED.items():  # the model first: the rest follows it
        found = _unlike([r for r in ref.get("placement", ()) if r[1] == what],
                        [c for c in cand.get("placement", ()) if c[1] == what])
        if found:
            phase, _, device, expected = found
            where = "" if what == "optimizer state" else f" during {phase}()"
            theirs = " and ".join(sorted(expected))
            if device == "cpu":
                return f"{noun} {verb[0]} on the CPU{where}; the reference's {verb[1]} on {theirs}"
            return f"{noun} {verb[1]} on {device}{where}; the reference's {verb[1]} on {theirs}"
    layers_only = (ref.get("precision", ()), cand.get("precision", ()))  # autocast computes losses in float32
    found = _unlike(*([row for row in rows if not row[1].endswith("Loss")] for rows in layers_only))
    if found:
        phase, kind, dtype, expected = found
        theirs = " or ".join(sorted(_dtype(d) for d in expected if d != "off"))
        layers = f"the {kind} layers"
        if dtype == "off":
            own = sorted({p.get("dtype", "") for p in cand.get("params", {}).values() if isinstance(p, dict)} - {""})
            computes = f"in {_dtype(own[0])} " if len(own) == 1 else ""
            return f"during {phase}() {layers} compute {computes}without autocast; the reference autocasts them to {theirs}"
        if not theirs:
            return f"during {phase}() {layers} run under autocast to {_dtype(dtype)}; the reference does not autocast them"
        return f"during {phase}() {layers} autocast to {_dtype(dtype)}; the reference autocasts them to {theirs}"
    return None


_PLACED = {  # what: (what the message calls it, its verbs: stay/are or stays/is)
    "parameters": ("the model's parameters", ("stay", "are")),
    "buffers": ("the model's buffers", ("stay", "are")),
    "inputs": ("the batches the model's layers get", ("stay", "are")),
    "targets": ("the targets the loss gets", ("stay", "are")),
    "optimizer state": ("the optimizer's state", ("stays", "is")),
}


def _dtype(name: str) -> str:
    return name.removeprefix("torch.")


def _unlike(ref: Any, cand: Any) -> Optional[tuple[str, str, str, set[str]]]:
    """The first candidate entry ``(phase, what, value)`` whose value the reference never has for
    that ``what`` in that phase (or, for a phase the reference lacks, in any phase)."""
    by_phase: dict[tuple[str, str], set[str]] = {}
    anywhere: dict[str, set[str]] = {}
    for phase, what, value in ref:
        by_phase.setdefault((phase, what), set()).add(value)
        anywhere.setdefault(what, set()).add(value)
    for phase, what, value in cand:
        expected = by_phase.get((phase, what), anywhere.get(what, set()))
        if expected and value not in expected:
            return phase, what, value, expected
    return None


# --- building blocks for the bug classes' own detectors --------------------------------


def _step_count(ref: Obs, cand: Obs) -> Optional[str]:
    """Steps that could change nothing (no parameter had a gradient) are not counted: calling
    step() once more while the gradients are None is harmless, and the message says so."""
    if len(cand["steps"]) != len(ref["steps"]):
        empty = cand.get("empty_steps", 0)
        idle = (f"; {empty} more step() call{'s' if empty > 1 else ''} came when no parameter had a gradient "
                f"(before backward(), or right after zero_grad()) and changed nothing") if empty else ""
        return f"the optimizer steps {len(cand['steps'])} times instead of {len(ref['steps'])}{idle}"
    return None


@placed(Place.GRADIENTS)
def gradients(ref: Obs, cand: Obs) -> Optional[str]:
    """Each optimizer step sees the same gradient as the reference's step."""
    for i, (r, c) in enumerate(zip(ref["steps"], cand["steps"]), start=1):
        if not close(c["grad"], r["grad"]):
            digits = next(d for d in range(4, 17) if f"{c['grad']:.{d}g}" != f"{r['grad']:.{d}g}" or d == 16)
            return (f"at optimizer step {i} (in {c['phase']}) the gradient norm is "
                    f"{c['grad']:.{digits}g}, the reference's is {r['grad']:.{digits}g}")
    return _step_count(ref, cand)


@placed(Place.SCHEDULE)
def lr_schedule(ref: Obs, cand: Obs) -> Optional[str]:
    """Each optimizer step uses the reference's learning rate."""
    for i, (r, c) in enumerate(zip(ref["steps"], cand["steps"]), start=1):
        if not all(close(a, b) for a, b in zip(c["lr"], r["lr"])):
            return f"optimizer step {i} uses learning rate {c['lr'][0]:.4g} instead of {r['lr'][0]:.4g}"
    return _step_count(ref, cand)


@placed(Place.GRADIENT_FLOW)
def grad_flow(ref: Obs, cand: Obs) -> Optional[str]:
    """Every parameter that gets a gradient in the reference gets one in the candidate (the
    candidate's parameters matched with the reference's by what they are: ``pair``)."""
    as_ref = {_bare(c): _bare(r) for r, c in pair(ref.get("params", {}), cand.get("params", {}))[0]}
    for i, (r, c) in enumerate(zip(ref["steps"], cand["steps"]), start=1):
        lost = [name for name in c["missing"] if as_ref.get(name, name) not in r["missing"]]
        if lost:
            cleared = [name for name in lost if name in c.get("cleared", ())]
            if cleared:
                more = f" and {len(cleared) - 1} more" if len(cleared) > 1 else ""
                return (f"the gradients of {cleared[0]}{more} are computed by backward(), then cleared "
                        f"before optimizer step {i} reads them")
            more = f" and {len(lost) - 1} more" if len(lost) > 1 else ""
            return f"{lost[0]}{more} get no gradient at optimizer step {i}"
    return None


_MODE_PLACE = {"Dropout": Place.MODES, "BatchNorm": Place.MODES + 1}


def _bare(name: str) -> str:
    """``1:backbone.fc.weight`` (the second optimizer's) -> ``backbone.fc.weight``."""
    index, _, rest = name.partition(":")
    return rest if index.isdigit() and rest else name


def layer_mode(kind: str) -> Check:
    """``kind`` layers run in the same mode (train/eval) in each phase as in the reference."""

    def check(ref: Obs, cand: Obs) -> Optional[str]:
        expected: dict[str, set[bool]] = {}
        for phase, k, training, _grad in ref["modes"]:
            if k == kind:
                expected.setdefault(phase, set()).add(training)
        for phase, k, training, _grad in cand["modes"]:
            if k == kind and phase in expected and training not in expected[phase]:
                mode = "training" if training else "eval"
                return f"during {phase}() the {kind} layers run in {mode} mode"
        return None

    check.__name__ = f"{kind.lower()}_mode"
    return placed(_MODE_PLACE.get(kind, Place.MODES + 2))(check)


def _loss_targets(ref: Obs, cand: Obs, field: int) -> Optional[tuple[str, str, Any, Any, int]]:
    """The first loss call whose target ``field`` (2: dtype, 3: rank) differs from the reference's.
    The rank is taken relative to the logits': class indices have one dim fewer than the logits
    in every form CrossEntropyLoss documents ((N, C) with (N,), or K-dimensional (N, C, d1...)
    with (N, d1...)). Class probabilities (a float target of the logits' shape, e.g. one-hot) are
    the other documented form: they are left to the loss and the gradients."""

    def value(target: Any) -> Any:
        return target[3] - target[4] if field == 3 else target[field]

    expected = {(t[0], t[1]): value(t) for t in ref["targets"]}
    for target in cand["targets"]:
        if target[1] == "CrossEntropyLoss" and len(target) > 5 and target[5]:
            continue
        want = expected.get((target[0], target[1]))
        if want is not None and value(target) != want:
            return target[0], target[1], target[field], want + target[4] if field == 3 else want, target[4]
    return None


@placed(Place.TARGETS)
def target_dtype(ref: Obs, cand: Obs) -> Optional[str]:
    """Each loss module gets targets of the reference's dtype."""
    found = _loss_targets(ref, cand, 2)
    if found:
        phase, loss, dtype, want, _ = found
        return f"{loss} in {phase}() gets targets of dtype {dtype} instead of {want}"
    return None


@placed(Place.TARGETS + 1)  # a wrong dtype is the likelier cause of both
def target_rank(ref: Obs, cand: Obs) -> Optional[str]:
    """Each loss module gets targets of the reference's rank, relative to its logits'."""
    found = _loss_targets(ref, cand, 3)
    if found:
        phase, loss, ndim, want, in_ndim = found
        return f"{loss} in {phase}() gets {ndim}-D targets for {in_ndim}-D logits instead of {want}-D"
    return None



# --- the data pipeline: what each pass over a DataLoader gave ---------------------------


def _passes(obs: Obs) -> dict[tuple[str, int], list[tuple[int, list[int]]]]:
    """The passes over DataLoaders by phase and data set length (a training and a validation
    loader used in one function stay apart): (dataset length, indices in the order given)."""
    found: dict[tuple[str, int], list[tuple[int, list[int]]]] = {}
    for phase, size, indices in obs.get("loaders", ()):
        found.setdefault((phase, size), []).append((size, indices))
    return found


def _reshuffled(passes: list[tuple[int, list[int]]]) -> Optional[bool]:
    """Whether a phase's loader draws a new order for its passes: some pass is out of order, and
    the passes over all the samples do not all repeat one order. None: too few samples to tell."""
    orders = [indices for _size, indices in passes if len(indices) > 1]
    if not orders:
        return None
    if all(order == sorted(order) for order in orders):
        return False
    full = [tuple(indices) for size, indices in passes if len(indices) == size]
    return not (len(full) > 1 and len(set(full)) == 1)


@placed(Place.TARGETS - 1)  # what the model is fed comes before what it makes of it
def loader_order(ref: Obs, cand: Obs) -> Optional[str]:
    """In each phase the candidate's DataLoaders reshuffle the samples when, and only when, the
    reference's do (each pass's order of sample indices is recorded)."""
    theirs, mine = _passes(ref), _passes(cand)
    for (phase, size), passes in mine.items():
        if (phase, size) not in theirs:
            continue
        want, got = _reshuffled(theirs[phase, size]), _reshuffled(passes)
        if want is None or got is None or want == got:
            continue
        if want:
            stored = all(i == sorted(i) for _s, i in passes)
            how = "in their stored order (0, 1, 2, ...) on every pass" if stored else "in one order that every pass repeats"
            return f"during {phase}() the DataLoader gives the samples {how}; the reference's reshuffles them for every pass"
        return (f"during {phase}() the DataLoader gives the samples in a random order; "
                f"the reference's reads them in order")
    return None


@placed(Place.TARGETS - 2)  # samples left out, before the order of those given
def loader_coverage(ref: Obs, cand: Obs) -> Optional[str]:
    """In each phase a pass over the candidate's DataLoader leaves out no more samples than the
    reference's does (``drop_last`` loses the incomplete last batch)."""
    theirs, mine = _passes(ref), _passes(cand)
    for (phase, size), passes in mine.items():
        if (phase, size) not in theirs:
            continue
        allowed = max(size - len(indices) for size, indices in theirs[phase, size])
        worst = max(passes, key=lambda p: p[0] - len(p[1]))
        size, indices = worst
        if size - len(indices) > allowed:
            what = "every sample" if allowed == 0 else f"all but {allowed}"
            return (f"during {phase}() a pass over the DataLoader gives {len(indices)} of its {size} samples; "
                    f"the reference's gives {what}")
    return None


@placed(Place.SCHEDULE + 1)
def weight_decay(ref: Obs, cand: Obs) -> Optional[str]:
    """Each parameter (matched by what it is: ``pair``) is in a param group with the reference's
    weight decay: no decay where the reference excludes it (biases, normalisation layers)."""
    pairs, _lost, _extra = pair(ref["params"], cand["params"])
    for r, c in pairs:
        want = ref["params"][r].get("weight_decay") if isinstance(ref["params"][r], dict) else None
        got = cand["params"][c].get("weight_decay") if isinstance(cand["params"][c], dict) else None
        if want is None or got is None or close(got, want):
            continue
        role = ref["params"][r].get("role") or "parameter"
        decays = f"with weight_decay {_fmt(got)}" if got else "with no weight decay"
        theirs = f"uses {_fmt(want)}" if want else "excludes it from weight decay"
        return f"the optimizer updates {_as_named(c, r)} (a {role}) {decays}; the reference's {theirs}"
    return None
