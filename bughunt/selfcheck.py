"""The kill matrix: every clean program x bug class x site x form.

Each mutant must be told apart from its reference by the detectors (killed), and
each clean program must pass every detector against itself and against its neutral
camouflage (no false alarm: camouflage keeps the meaning).
A mutant that survives would be an equivalent mutant: never acceptable.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from concurrent.futures import as_completed
from dataclasses import dataclass
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

from bughunt.cluster import allow_children, pool
from bughunt.clean_programs import PROGRAMS, Program
from bughunt.exercise import mutants
from bughunt.errors import InternalError
from bughunt.grading import Session, configurations, verifier
from bughunt.programs import NAME, NotAProgram, load
from bughunt.mutator import Mutant
from bughunt.camouflage import camouflage
from bughunt.witnesses import measured, measurement_error


@dataclass(frozen=True)
class Row:
    program: str
    mutant: Mutant
    killed: bool
    symptom: str


@dataclass(frozen=True)
class Matrix:
    rows: tuple[Row, ...]
    false_alarms: tuple[tuple[str, str], ...]  # (program id, symptom)
    programs: int

    @property
    def survivors(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.killed)

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.false_alarms

    def counts(self) -> dict[str, int]:
        return {
            "programs": self.programs,
            "classes": len({r.mutant.bug for r in self.rows}),
            "sites": len({(r.program, r.mutant.bug, r.mutant.site) for r in self.rows}),
            "mutants": len(self.rows),
            "killed": sum(r.killed for r in self.rows),
            "false_alarms": len(self.false_alarms),
        }


def check_program(session: Session, program: Program, on_mutant: Optional[Callable[[Row], None]] = None,
                  bugs: tuple[str, ...] = ()) -> tuple[list[Row], Optional[str]]:
    """Kill every mutant (of ``bugs``, default all) of one program; returns the rows and a false alarm, if any."""
    source = program.source()
    clean = session.verify(program, source, source, f"<clean {program.id}>")
    if clean.fixed:  # the neutral camouflage rewrites must not change what the program does
        neutral = camouflage(source, 1, program.params, vary=False)
        camouflaged = session.verify(program, source, neutral, f"<camouflaged {program.id}>")
        if not camouflaged.fixed:
            clean = dataclasses.replace(camouflaged, message=f"camouflage changed the behaviour: {camouflaged.message}")
    rows = []
    for mutant in mutants(program):
        if bugs and mutant.bug not in bugs:
            continue
        verdict = session.verify(program, source, mutant.source, f"<{mutant.bug} in {program.id}>", shrink=False)
        row = Row(program.id, mutant, killed=not verdict.fixed, symptom=verdict.message)
        rows.append(row)
        if on_mutant:
            on_mutant(row)
    return rows, (None if clean.fixed else clean.message)


def _check(program: Program, timeout: float, bugs: tuple[str, ...]) -> tuple[list[Row], Optional[str]]:
    """One program's part of the matrix, in a pool process with its own session (the program
    travels whole: a user's program is not in the package)."""
    allow_children()  # on a Dask worker the verifier still starts its own processes
    with verifier(timeout) as session:
        return check_program(session, program, bugs=bugs)


def kill_matrix(programs: Iterable[Program] = (), timeout: Optional[float] = None,
                on_mutant: Optional[Callable[[Row], None]] = None, jobs: Optional[int] = None,
                bugs: tuple[str, ...] = (), cluster: Optional[str] = None) -> Matrix:
    """The matrix over ``programs`` (default: all), one program per job, ``jobs`` at a time
    (default: one per CPU core), or on the Dask cluster at ``cluster``."""
    programs = tuple(map(measured, programs)) or PROGRAMS  # a user's program: with its witnesses
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(programs)))
    results: dict[str, tuple[list[Row], Optional[str]]] = {}
    if jobs == 1 and not cluster:
        with verifier(timeout) as session:
            for program in programs:
                results[program.id] = check_program(session, program, on_mutant, bugs)
    else:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: each job starts its own fork server
        with pool(cluster, jobs, context) as workers:
            futures = {workers.submit(_check, p, timeout, bugs): p.id for p in programs}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                for row in results[futures[future]][0]:
                    if on_mutant:
                        on_mutant(row)
    rows = [row for p in programs for row in results[p.id][0]]
    alarms = tuple((p.id, results[p.id][1]) for p in programs if results[p.id][1])
    return Matrix(tuple(rows), alarms, len(programs))


# --- check-program: does a user's program qualify as a source of exercises? --------------------

MAX_SECONDS = 5.0  # per configuration: verify runs about ten, for the reference and the candidate


@dataclass(frozen=True)
class Site:
    """One site of one bug class in a program, with its forms and whether each is caught."""

    bug: str
    site: int
    line: int
    forms: tuple[tuple[str, Optional[bool]], ...]  # (form, caught); None: not run

    @property
    def caught(self) -> Optional[bool]:
        verdicts = [c for _, c in self.forms]
        return None if None in verdicts else all(verdicts)


@dataclass(frozen=True)
class Qualification:
    path: str
    program: Optional[Program]
    reasons: tuple[str, ...]  # empty: the program qualifies
    sites: tuple[Site, ...] = ()
    seconds: Optional[float] = None  # per configuration, measured on the program against itself
    configurations: int = 0

    @property
    def ok(self) -> bool:
        return not self.reasons


def _sites(program: Program, rows: dict[tuple[str, int, str], bool]) -> tuple[Site, ...]:
    grouped: dict[tuple[str, int], list] = {}
    for m in mutants(program):
        grouped.setdefault((m.bug, m.site), [m.line, []])[1].append((m.form, rows.get((m.bug, m.site, m.form))))
    return tuple(Site(bug, site, line, tuple(forms)) for (bug, site), (line, forms) in grouped.items())


def qualify(path: Path, timeout: Optional[float] = None, on_mutant: Optional[Callable[[Row], None]] = None,
            bugs: tuple[str, ...] = ()) -> Qualification:
    """The checks every built-in program passes, on a user's program: it follows the contract
    (main(), PARAMS), imports and runs on every configuration verify draws, gives the same results
    when run again with the same configuration (two processes, as reference and candidate), takes
    at most MAX_SECONDS per configuration, passes against itself camouflaged, and every mutant of
    every bug class that applies to it is caught. Mutants are only run once the program itself
    passes: a program that fails against itself would make every mutant look caught."""
    folder = path.resolve().parent.name
    try:  # the folder's name is the topic's only under --programs: any folder will do here
        program = load(path, folder if NAME.match(folder) else "mine")
    except NotAProgram as exc:
        return Qualification(str(path), None, (str(exc),))
    source = program.source()
    reasons: list[str] = []
    if not mutants(program):
        reasons.append("no bug class applies to it: no mutator found a site (see `bughunt catalog`)")
    program = measured(program)  # the witnesses verify will run too: they count among its configurations
    unmeasured = measurement_error(program)
    if unmeasured:
        reasons.append(f"its branches cannot be measured over its space: {unmeasured}")
    count = configurations(program)
    with verifier(timeout) as session:
        started = time.perf_counter()
        try:
            clean = session.verify(program, source, source, f"<{program.id} run again>", shrink=False)
        except InternalError as exc:  # the reference itself: does not load, fails, hangs
            message = str(exc).replace(f"reference {program.id} ", "", 1)
            return Qualification(str(path), program, (*reasons, f"it does not run: {message}"), _sites(program, {}),
                                 configurations=count)
        seconds = (time.perf_counter() - started) / max(1, count)
        if not clean.fixed:
            reasons.append("it is not deterministic: run again with the same configuration it gives other "
                           f"results ({clean.message}); seed everything from main()'s arguments")
        if seconds > MAX_SECONDS:
            reasons.append(f"it is too slow: {seconds:.1f} s per configuration (at most {MAX_SECONDS:g} s; "
                           f"verify runs {count} configurations)")
        if reasons:
            return Qualification(str(path), program, tuple(reasons), _sites(program, {}), seconds, count)
        rows, alarm = check_program(session, program, on_mutant, bugs)
    if alarm:
        reasons.append(f"it fails against its camouflaged self: {alarm}")
    survivors: dict[tuple[str, int], list[Mutant]] = {}
    for row in rows:
        if not row.killed:
            survivors.setdefault((row.mutant.bug, row.mutant.line), []).append(row.mutant)
    for (bug, line), found in survivors.items():
        forms = "; ".join(m.form for m in found)
        reasons.append(f"no detector catches {bug} at line {line} ({forms}): the program behaves the same with it "
                       f"on every configuration; return what it changes from main(), or widen PARAMS")
    verdicts = {(r.mutant.bug, r.mutant.site, r.mutant.form): r.killed for r in rows}
    return Qualification(str(path), program, tuple(reasons), _sites(program, verdicts), seconds, count)
