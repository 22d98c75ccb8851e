"""Detectors: properties that compare a candidate's run with the reference's run.

Both runs are *observations* (plain Python data made by ``worker.observe``) of
``main(**config)`` with the same config and seeds:

``error``    ``None`` or ``{"type", "message", "line", "function"}``
``result``   what ``main`` returned; tensors become ``{"__tensor__": True, "shape", "dtype", "values"}``
``steps``    one entry per optimizer step: ``{"phase", "lr", "grad", "missing"}``
``modes``    ``[phase, module kind, training?, grad enabled?]`` for every module call; the kind is
             "Dropout" or "BatchNorm" for those families, else the class name
``targets``  ``[phase, loss, target dtype, target ndim, input ndim]`` for every loss-module call
``params``   final parameters of every optimizer, by name

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
    return abs(a - b) <= ABS_TOL + REL_TOL * abs(b)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def _shape(shape: list[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__tensor__") is True


def difference(ref: Any, cand: Any, path: str) -> Optional[str]:
    """The first difference between two plain values, described for a learner."""
    if _is_tensor(ref):
        if not _is_tensor(cand):
            return f"{path} is {type(cand).__name__}, not a tensor"
        if cand["shape"] != ref["shape"]:
            return f"{path} has shape {_shape(cand['shape'])} instead of {_shape(ref['shape'])}"
        if cand["dtype"] != ref["dtype"]:
            return f"{path} has dtype {cand['dtype']} instead of {ref['dtype']}"
        pairs = list(zip(ref["values"], cand["values"]))
        bad = [abs(r - c) for r, c in pairs if not close(c, r)]
        if bad or len(ref["values"]) != len(cand["values"]):
            worst = max(bad, default=float("nan"))
            return f"{path} differs from the reference ({len(bad)} of {len(pairs)} values, by up to {worst:.3g})"
        return None
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


@placed(Place.WEIGHTS)
def same_final_params(ref: Obs, cand: Obs) -> Optional[str]:
    """The trained parameters end where the reference's end."""
    found = difference(ref["params"], cand["params"], "")
    return f"after training, parameter {found}" if found else None


# --- building blocks for the bug classes' own detectors --------------------------------


def _step_count(ref: Obs, cand: Obs) -> Optional[str]:
    if len(cand["steps"]) != len(ref["steps"]):
        return f"the optimizer steps {len(cand['steps'])} times instead of {len(ref['steps'])}"
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
    """Every parameter that gets a gradient in the reference gets one in the candidate."""
    for i, (r, c) in enumerate(zip(ref["steps"], cand["steps"]), start=1):
        lost = [name for name in c["missing"] if name not in r["missing"]]
        if lost:
            more = f" and {len(lost) - 1} more" if len(lost) > 1 else ""
            return f"{lost[0]}{more} get no gradient at optimizer step {i}"
    return None


_MODE_PLACE = {"Dropout": Place.MODES, "BatchNorm": Place.MODES + 1}


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
    """The first loss call whose target ``field`` (2: dtype, 3: rank) differs from the reference's."""
    expected = {(t[0], t[1]): t[field] for t in ref["targets"]}
    for target in cand["targets"]:
        want = expected.get((target[0], target[1]))
        if want is not None and target[field] != want:
            return target[0], target[1], target[field], want, target[4]
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
    """Each loss module gets targets of the reference's rank."""
    found = _loss_targets(ref, cand, 3)
    if found:
        phase, loss, ndim, want, in_ndim = found
        return f"{loss} in {phase}() gets {ndim}-D targets for {in_ndim}-D logits instead of {want}-D"
    return None

