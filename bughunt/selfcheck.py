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
from typing import Callable, Iterable, Optional

from bughunt.cluster import allow_children, pool
from bughunt.clean_programs import PROGRAMS, Program, get_program
from bughunt.exercise import mutants
from bughunt.grading import Session, verifier
from bughunt.mutator import Mutant
from bughunt.camouflage import camouflage


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


def _check(program_id: str, timeout: float, bugs: tuple[str, ...]) -> tuple[list[Row], Optional[str]]:
    """One program's part of the matrix, in a pool process with its own session."""
    allow_children()  # on a Dask worker the verifier still starts its own processes
    with verifier(timeout) as session:
        return check_program(session, get_program(program_id), bugs=bugs)


def kill_matrix(programs: Iterable[Program] = (), timeout: Optional[float] = None,
                on_mutant: Optional[Callable[[Row], None]] = None, jobs: Optional[int] = None,
                bugs: tuple[str, ...] = (), cluster: Optional[str] = None) -> Matrix:
    """The matrix over ``programs`` (default: all), one program per job, ``jobs`` at a time
    (default: one per CPU core), or on the Dask cluster at ``cluster``."""
    programs = tuple(programs) or PROGRAMS
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(programs)))
    results: dict[str, tuple[list[Row], Optional[str]]] = {}
    if jobs == 1 and not cluster:
        with verifier(timeout) as session:
            for program in programs:
                results[program.id] = check_program(session, program, on_mutant, bugs)
    else:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: each job starts its own fork server
        with pool(cluster, jobs, context) as workers:
            futures = {workers.submit(_check, p.id, timeout, bugs): p.id for p in programs}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                for row in results[futures[future]][0]:
                    if on_mutant:
                        on_mutant(row)
    rows = [row for p in programs for row in results[p.id][0]]
    alarms = tuple((p.id, results[p.id][1]) for p in programs if results[p.id][1])
    return Matrix(tuple(rows), alarms, len(programs))
