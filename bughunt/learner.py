"""The learner's side of a workspace: status, the hint ladder, reset, reveal.

Hints climb one step per call and the step reached is remembered per exercise:
1. the symptom, with the smallest configuration that shows it;
2. where to look: the function or method that carries the bug, and the kind of thing that is wrong;
3. the bug class's catalog entry: what it is, why it happens, how to fix it.
With several bugs, each tip is paired with the symptom its bug shows on its own (found by
verifying the exercise with only that bug left, once, and remembered). No hint ever prints the
reference's code.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bughunt.bug_catalog import BugClass, get_class
from bughunt.exercise import Exercise
from bughunt.grading import Session, verifier, verify_target
from bughunt.workspace import (Progress, Target, Workspace, digest, exercise_of, keep_copy, natural, sha256,
                               write_atomic)

HINT_STEPS = 3


@dataclass(frozen=True)
class Status:
    path: Path
    topic: str
    program: str
    state: str  # new / edited / fixed / missing
    hints: int
    message: str  # the last verdict's symptom, if it is about the current text


def status(workspace: Workspace) -> list[Status]:
    progress = workspace.progress()
    rows = []
    for entry in sorted(workspace.entries.values(), key=lambda e: natural(e.file)):
        done = progress.get(entry.file)
        state = workspace.state_of(entry, done or Progress())
        current = done and done.verified and digest(workspace.path(entry)) == done.verified
        topic = entry.program.split("/")[0]  # a user's program (--programs) is not in the package
        rows.append(Status(workspace.path(entry), topic, entry.program, state,
                           done.hints if done else 0, done.message if current else ""))
    return rows


@dataclass(frozen=True)
class Hint:
    step: int  # 1-based
    title: str
    text: str


def hints(path: Path, *, every: bool = False, timeout: Optional[float] = None) -> tuple[list[Hint], bool]:
    """The next hint step (or all of them), and whether the exercise is already fixed."""
    return next_hints(Target.of_file(path), every=every, timeout=timeout)


def next_hints(target: Target, *, every: bool = False, session: Optional[Session] = None,
               timeout: Optional[float] = None) -> tuple[list[Hint], bool]:
    """``hints`` for a target, verifying with ``session`` (watch's) or a verifier of its own,
    started only when a verification is needed."""
    with _sessions(session, timeout) as get:
        record = target.progress()
        if not (record.verified and record.verified == digest(target.path)):
            verify_target(get(), target)
            record = target.progress()
        if record.fixed:
            return [], True
        exercise = exercise_of(target.entry)
        symptoms = list(record.symptoms)
        if exercise.bugs > 1 and len(symptoms) != len(exercise.chosen):
            symptoms = _alone(get(), exercise, target)
    used = record.hints
    upto = HINT_STEPS if every else min(used + 1, HINT_STEPS)
    target.record(hints=max(used, upto), symptoms=tuple(symptoms))
    steps = _ladder(record.message, exercise, symptoms)
    first = 1 if every else upto
    return [Hint(i, *steps[i - 1]) for i in range(first, upto + 1)], False


@contextlib.contextmanager
def _sessions(session: Optional[Session], timeout: Optional[float]) -> Iterator:
    """A getter for ``session``, or for a verifier started on first use and closed at the end."""
    started: list[Session] = []

    def get() -> Session:
        if session is not None:
            return session
        if not started:
            started.append(verifier(timeout))
        return started[0]

    try:
        yield get
    finally:
        for s in started:
            s.close()


def _alone(session: Session, exercise: Exercise, target: Target) -> list[str]:
    """The symptom each bug of a stacked exercise shows on its own (the exercise with only that
    bug left), in the order of the bugs in the file."""
    found = []
    for bug in exercise.chosen:
        version = exercise.header(target.entry.file) + exercise.source(fixed=[m for m in exercise.chosen if m is not bug])
        found.append(session.verify(exercise.program, exercise.reference_source, version, str(target.path)).message)
    return found


def _place(scope: str) -> str:
    return "the module's top level" if scope == "<module>" else f"{scope}()"


def _ladder(symptom: str, exercise: Exercise, symptoms: list[str]) -> list[tuple[str, str]]:
    mutants = list(exercise.chosen)
    bugs: list[BugClass] = [get_class(m.bug) for m in mutants]
    explained = [(b.title, f"{b.why}\nFix: {b.fix}\nGuide: {b.guide}") for b in bugs]
    if len(bugs) == 1:
        [mutant], [bug] = mutants, bugs
        names = exercise.names(mutant)
        return [
            ("What goes wrong", f"{symptom}\n{bug.first_hint(names)}"),
            ("Where to look", f"The bug is in {_place(mutant.scope)}. {bug.where_hint(mutant.form, names)}"),
            explained[0],
        ]
    alone = [f"bug {i} on its own: {s}" for i, s in enumerate(symptoms, 1)]
    names = [exercise.names(m) for m in mutants]
    return [
        ("What goes wrong", "\n".join([symptom, *(f"{a}\n  Tip: {b.first_hint(n)}"
                                                   for a, b, n in zip(alone, bugs, names))])),
        ("Where to look", "\n".join(f"{a}\n  It is in {_place(m.scope)}. {b.where_hint(m.form, n)}"
                                    for a, m, b, n in zip(alone, mutants, bugs, names))),
        ("The bugs explained", "\n\n".join(f"{t}: {e}" for t, e in explained)),
    ]


def reset(path: Path) -> Path | None:
    """Restore the exercise as generated, or write it again if it was deleted. An edited file is
    first copied beside it; returns that copy."""
    return reset_target(Target.of_file(path, missing_ok=True))


def reset_target(target: Target) -> Path | None:
    original = exercise_of(target.entry).text(target.entry.file)
    backup = None
    if target.path.exists() and digest(target.path) != sha256(original):
        backup = keep_copy(target.path)
    write_atomic(target.path, original, overwrite=True)
    target.record(verified="", fixed=False, message="")
    return backup


def reveal(path: Path) -> str:
    """A unified diff from the exercise as generated to its reference (apply with ``patch``)."""
    target = Target.of_file(path, missing_ok=True)
    return exercise_of(target.entry).reveal(target.entry.file)
