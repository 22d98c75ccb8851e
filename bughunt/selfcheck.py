"""The kill matrix: every clean program x bug class x site x form.

Each mutant must be told apart from its reference by the detectors (killed), and
each clean program must pass every detector against itself (no false alarm).
A mutant that survives would be an equivalent mutant: never acceptable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from bughunt.bug_catalog import all_checks
from bughunt.clean_programs import PROGRAMS, Program
from bughunt.detector.runner import DEFAULT_TIMEOUT, Session
from bughunt.exercise import mutants
from bughunt.mutator import Mutant


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


def check_program(session: Session, program: Program,
                  on_mutant: Optional[Callable[[Row], None]] = None) -> tuple[list[Row], Optional[str]]:
    """Kill every mutant of one program; returns the rows and a false alarm, if any."""
    source = program.source()
    clean = session.verify(program, source, source, f"<clean {program.id}>")
    rows = []
    for mutant in mutants(program):
        verdict = session.verify(program, source, mutant.source, f"<{mutant.bug} in {program.id}>", shrink=False)
        row = Row(program.id, mutant, killed=not verdict.fixed, symptom=verdict.message)
        rows.append(row)
        if on_mutant:
            on_mutant(row)
    return rows, (None if clean.fixed else clean.message)


def kill_matrix(programs: Iterable[Program] = PROGRAMS, timeout: float = DEFAULT_TIMEOUT,
                on_mutant: Optional[Callable[[Row], None]] = None) -> Matrix:
    programs = tuple(programs)
    rows: list[Row] = []
    alarms = []
    with Session(all_checks(), timeout=timeout) as session:
        for program in programs:
            program_rows, alarm = check_program(session, program, on_mutant)
            rows.extend(program_rows)
            if alarm:
                alarms.append((program.id, alarm))
    return Matrix(tuple(rows), tuple(alarms), len(programs))
