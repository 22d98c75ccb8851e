"""Witness configurations: a few configurations that together reach every branch of a program.

Hypothesis draws a handful of configurations from a program's declared space; a branch that
one configuration in five reaches (early stopping that resets its counter and then still
triggers) is missed by eight draws one time in six. So verification also runs, after the
drawn ones, the program's *witnesses*: configurations picked by measuring the reference's own
branch coverage.

How they are picked, for any ``Program`` (``witnesses_of``):

1. a pool of configurations is drawn from the declared space (a fixed seed per program), plus
   the smallest configuration, which every verification runs first anyway;
2. the reference runs on each, in a child process set up as a verification worker is (the
   virtual CUDA device, one thread, the same seeds), with its own code traced opcode by
   opcode: every conditional jump is a *branch point* and each execution of it an outcome
   (jumped or fell through; a ``for`` loop's next item or its end);
3. a run's *features* are the outcomes it reached, and for each branch point the sequences of
   2 and 3 consecutive outcomes it produced in that run (its local history): "two bad epochs,
   then an improvement" is the history (False, False, True) of the improvement test, and it is
   what tells a counter that is reset from one that is decremented;
4. greedily, the configuration that adds the most features not yet reached becomes the next
   witness (ties: the cheaper run, counted in the branch outcomes it executed), until the
   witnesses and the smallest configuration reach every feature the pool reached.

The clean programs' witnesses are computed once and stored with a fingerprint of what they
were computed from (``clean_programs/witnesses.json``); ``python -m bughunt.witnesses --check``
says whether they are current, ``--write`` recomputes them. Only the parent of a verification
reads them: the stored data costs nothing at verify time.
"""

from __future__ import annotations

import argparse
import dataclasses
import dis
import hashlib
import json
import os
import random
import sys
import types
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from bughunt import cache_folder
from bughunt.clean_programs import WITNESSES as STORE, Program, stored_witnesses as _stored
from bughunt.programs import UserProgram

Config = dict[str, Any]
BranchPoint = tuple[str, int]  # (code object's qualified name, offset of the jump)
Feature = tuple  # (branch point, outcomes): one outcome, or a run of 2 or 3 consecutive ones

ALGORITHM = 1  # bump when the features or the choice change: stored witnesses become stale
POOL = 48  # configurations drawn from the declared space per program
HISTORY = 3  # longest run of consecutive outcomes of one branch point that counts as a feature


# ---- the child side: run the reference with its own code traced ----------------------------

def _jumps(code: types.CodeType, filename: str) -> dict[int, tuple[str, int]]:
    """Conditional jumps of ``code`` and of the code nested in it, keyed by id(code object)
    then offset: {offset: (qualified name, fall-through offset)}."""
    found: dict[int, Any] = {}

    def walk(c: types.CodeType) -> None:
        if c.co_filename != filename:
            return
        name = getattr(c, "co_qualname", c.co_name)
        points = {}
        instructions = list(dis.get_instructions(c))
        for this, after in zip(instructions, instructions[1:]):
            if this.opcode in dis.hasjrel + dis.hasjabs and ("IF" in this.opname or this.opname == "FOR_ITER"):
                points[this.offset] = (name, after.offset)
        found[id(c)] = points
        for const in c.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    walk(code)
    return found


class _Tracer:
    """Records, for one run, the outcomes of every branch point of the program, in order."""

    def __init__(self, jumps: dict[int, dict[int, tuple[str, int]]]) -> None:
        self.jumps = jumps
        self.outcomes: dict[BranchPoint, list[bool]] = {}

    def __call__(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        points = self.jumps.get(id(frame.f_code))
        if event != "call" or not points:
            return None
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        pending: list[Optional[tuple[str, int, int]]] = [None]  # the jump just executed, if any

        def local(frame: types.FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                jump = pending[0]
                if jump is not None:
                    name, offset, fallthrough = jump
                    self.outcomes.setdefault((name, offset), []).append(frame.f_lasti != fallthrough)
                point = points.get(frame.f_lasti)
                pending[0] = (point[0], frame.f_lasti, point[1]) if point else None
            elif event in ("return", "exception"):
                pending[0] = None
            return local

        return local


def features(outcomes: Mapping[BranchPoint, Sequence[bool]]) -> set[Feature]:
    """Each outcome reached, and each run of 2..HISTORY consecutive outcomes of one branch point."""
    found: set[Feature] = set()
    for point, seen in outcomes.items():
        for n in range(1, HISTORY + 1):
            found.update((point, tuple(seen[i:i + n])) for i in range(len(seen) - n + 1))
    return found


def _child() -> None:
    """The measuring child process (``measure``): reads (source, filename, configs) pickled on
    stdin, loads the program as a worker does and writes back, pickled, for each config
    ({branch point: outcomes in order}, error or None)."""
    import os
    import pickle
    import tempfile

    import torch

    from bughunt.detector import virtual_cuda

    source, filename, configs = pickle.load(sys.stdin.buffer)
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the program's prints go nowhere, as in a worker
    torch.set_num_threads(1)
    virtual_cuda.install()
    os.chdir(tempfile.mkdtemp(prefix="bughunt-witness-"))
    module = types.ModuleType("exercise")
    module.__file__ = filename
    sys.modules["exercise"] = module
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)
    jumps = _jumps(code, filename)
    results = []
    for config in configs:
        tracer = _Tracer(jumps)
        random.seed(0)  # as a worker does before every run
        torch.manual_seed(0)
        torch.set_grad_enabled(True)
        error = None
        sys.settrace(tracer)
        try:
            module.main(**config)
        except BaseException as exc:  # noqa: BLE001 - reported, not raised: the caller decides
            error = f"{type(exc).__name__}: {exc}"
        finally:
            sys.settrace(None)
            torch.set_grad_enabled(True)
        results.append((tracer.outcomes, error))
    pickle.dump(results, out)
    out.close()


def measure(source: str, configs: Sequence[Config], filename: str = "<program>",
            timeout: Optional[float] = None) -> list[dict[BranchPoint, list[bool]]]:
    """The outcomes of every branch point of ``source`` on each configuration, in order, measured
    in a fresh child process (the parent never imports torch). A run that raises is an error, and
    so is a measurement that takes more than ``timeout`` seconds in all."""
    import pickle
    import subprocess

    try:
        done = subprocess.run([sys.executable, "-c", "from bughunt.witnesses import _child; _child()"],
                              input=pickle.dumps((source, filename, list(configs))), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"measuring {filename} took more than {timeout:g} s") from None
    if done.returncode:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise RuntimeError(f"measuring {filename} failed: {' '.join(tail) or done.returncode}")
    results = pickle.loads(done.stdout)
    errors = [(config, error) for config, (_, error) in zip(configs, results) if error]
    if errors:
        raise RuntimeError(f"{filename} fails with {errors[0][0]}: {errors[0][1]}")
    return [outcomes for outcomes, _ in results]


# ---- the choice ----------------------------------------------------------------------------

def smallest(program: Program) -> Config:
    """Every parameter at its smallest (the first of its choices): the example every search runs first."""
    return {name: (space.start if isinstance(space, range) else space[0]) for name, space in program.params.items()}


def pool(program: Program, size: int = POOL) -> list[Config]:
    """The smallest configuration, then ``size`` drawn uniformly from the declared space with a
    seed of the program's own (the same program always gets the same pool)."""
    rng = random.Random(f"bughunt-witnesses/{program.id}")
    drawn = [smallest(program)]
    for _ in range(size):
        drawn.append({name: (rng.randrange(space.start, space.stop, space.step) if isinstance(space, range)
                             else rng.choice(tuple(space))) for name, space in program.params.items()})
    return drawn


@dataclass(frozen=True)
class Choice:
    witnesses: tuple[Config, ...]
    reached: int  # features the pool reached (all of them are reached by smallest + witnesses)
    by_smallest: int  # of which the smallest configuration alone reaches


def choose(configs: Sequence[Config], measured: Sequence[Mapping[BranchPoint, Sequence[bool]]]) -> Choice:
    """Greedy cover: ``configs[0]`` (the smallest) is given; add the configuration reaching the
    most features not yet reached (ties: fewer branch outcomes executed, then pool order)."""
    found = [features(outcomes) for outcomes in measured]
    cost = [sum(len(seen) for seen in outcomes.values()) for outcomes in measured]
    reached = set(found[0])
    wanted = set().union(*found)
    chosen: list[int] = []
    while reached != wanted:
        best = min(range(1, len(configs)), key=lambda i: (-len(found[i] - reached), cost[i], i))
        chosen.append(best)
        reached |= found[best]
    return Choice(tuple(dict(configs[i]) for i in sorted(chosen, key=lambda i: (cost[i], i))), len(wanted),
                  len(found[0]))


def witnesses_of(program: Program, source: Optional[str] = None, size: int = POOL,
                 timeout: Optional[float] = None) -> Choice:
    """Measure ``program`` (its own source unless ``source`` is given) over its pool and choose."""
    configs = pool(program, size)
    return choose(configs, measure(source if source is not None else program.source(), configs,
                                   f"<{program.id}>", timeout))


# ---- a user's programs: measured on first use, kept in the cache -----------------------------

MEASURE_TIMEOUT = 600.0  # seconds for measuring one user program's pool (49 traced runs)


def measured(program: Program) -> Program:
    """``program`` with its witnesses: a built-in program as it is (stored in ``witnesses.json``);
    a user's program (``--programs``) measured the first time a command verifies exercises of it
    on this machine (its pool traced in a child process: seconds for a small program) and then
    read from the cache folder, under its fingerprint. The measurement is deterministic, so every
    machine gets the same witnesses and every verdict the same configurations. A program that
    fails or hangs on a configuration of its pool gets none (``measurement_error`` says why;
    ``bughunt check-program`` reports it)."""
    if not isinstance(program, UserProgram) or program.measured:
        return program
    entry = _cached_entry(program)
    return dataclasses.replace(program, measured=tuple(entry["witnesses"])) if entry["witnesses"] else program


def measurement_error(program: Program) -> Optional[str]:
    """Why a user's program got no witnesses (it fails or hangs on a configuration of its pool)."""
    return _cached_entry(program).get("error") if isinstance(program, UserProgram) else None


_READ: dict[str, dict[str, Any]] = {}  # this process's reads of the cache, by fingerprint


def _cached_entry(program: UserProgram) -> dict[str, Any]:
    key = fingerprint(program)
    if key not in _READ:
        _READ[key] = _entry(program, cache_folder("witnesses") / f"{key}.json")
    return _READ[key]


def _entry(program: UserProgram, path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    try:
        choice = witnesses_of(program, timeout=MEASURE_TIMEOUT)
        entry: dict[str, Any] = {"program": program.id, "features": choice.reached,
                                 "witnesses": list(choice.witnesses)}
    except RuntimeError as exc:
        entry = {"program": program.id, "witnesses": [], "error": str(exc)}
    try:  # a cache that cannot be written only means measuring again next time
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass
    return entry


# ---- the stored witnesses of the clean programs --------------------------------------------

def fingerprint(program: Program) -> str:
    """What the witnesses were computed from: the algorithm, the program's text and its space."""
    space = {name: ([space.start, space.stop, space.step] if isinstance(space, range) else list(space))
             for name, space in program.params.items()}
    text = json.dumps([ALGORITHM, POOL, HISTORY, program.source(), space], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stale(programs: Iterable[Program]) -> list[str]:
    """Programs whose stored witnesses were computed from something else (or are missing)."""
    return [p.id for p in programs if _stored().get(p.id, {}).get("fingerprint") != fingerprint(p)]


def _compute(program: Program) -> tuple[str, dict[str, Any]]:
    choice = witnesses_of(program)
    return program.id, {"fingerprint": fingerprint(program), "features": choice.reached,
                        "features_of_smallest": choice.by_smallest, "witnesses": list(choice.witnesses)}


def write(programs: Sequence[Program], jobs: int = 2,
          on_program: Optional[Callable[[str, dict[str, Any]], None]] = None) -> dict[str, Any]:
    """Recompute the witnesses of ``programs`` and store them (others are kept as they are)."""
    from concurrent.futures import ThreadPoolExecutor

    computed = {}
    with ThreadPoolExecutor(jobs) as executor:  # each measurement is its own child process
        for program_id, entry in executor.map(_compute, programs):
            computed[program_id] = entry
            if on_program:
                on_program(program_id, entry)
    data = dict(_stored())
    data.update(computed)
    path = resources.files("bughunt.clean_programs").joinpath(STORE)
    with open(str(path), "w", encoding="utf-8") as f:
        f.write(_dumps(data))
    _stored.cache_clear()
    return computed


def _dumps(data: Mapping[str, Any]) -> str:
    """JSON with one program per block and one witness per line, for readable diffs."""
    blocks = []
    for program_id, entry in sorted(data.items()):
        head = {k: v for k, v in entry.items() if k != "witnesses"}
        fields = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in head.items()]
        witnesses = ",\n".join(f"    {json.dumps(w)}" for w in entry["witnesses"])
        fields.append(f'  "witnesses": [\n{witnesses}\n  ]' if witnesses else '  "witnesses": []')
        blocks.append(f" {json.dumps(program_id)}: {{\n" + ",\n".join(fields) + "\n }")
    return "{\n" + ",\n".join(blocks) + "\n}\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    from bughunt.clean_programs import PROGRAMS, get_program

    parser = argparse.ArgumentParser(prog="python -m bughunt.witnesses", description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", help="program ids (default: every clean program)")
    parser.add_argument("--write", action="store_true", help="recompute and store the witnesses")
    parser.add_argument("--check", action="store_true", help="exit 1 if any stored witnesses are stale")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    programs = [get_program(p) for p in args.programs] if args.programs else list(PROGRAMS)
    if args.write:
        write(programs, args.jobs, lambda program_id, entry: print(
            f"{program_id}: {len(entry['witnesses'])} witnesses, {entry['features']} features "
            f"({entry['features_of_smallest']} from the smallest configuration)", flush=True))
    old = stale(programs)
    if args.check or not args.write:
        print("\n".join(f"stale: {p}" for p in old) or "every program's witnesses are current")
    return 1 if old and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
