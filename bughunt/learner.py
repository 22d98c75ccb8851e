"""The learner's side of a workspace: status, the hint ladder, reset, reveal.

Hints climb one step per call and the step reached is remembered per exercise:
1. the symptom, with the smallest configuration that shows it;
2. where to look: the function or method that carries the bug;
3. the bug class's catalog entry: what it is, why it happens, how to fix it.
No hint ever prints the reference's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bughunt.bug_catalog import BugClass, get_class
from bughunt.clean_programs import get_program
from bughunt.exercise import exercise_of
from bughunt.grading import verifier, verify_target
from bughunt.workspace import Progress, Target, Workspace, digest, keep_copy, sha256, write_atomic

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
    for entry in sorted(workspace.entries.values(), key=lambda e: e.file):
        done = progress.get(entry.file)
        state = workspace.state_of(entry, done or Progress())
        current = done and done.verified and digest(workspace.path(entry)) == done.verified
        rows.append(Status(workspace.path(entry), get_program(entry.program).topic, entry.program, state,
                           done.hints if done else 0, done.message if current else ""))
    return rows


@dataclass(frozen=True)
class Hint:
    step: int  # 1-based
    title: str
    text: str


def hints(path: Path, *, every: bool = False, timeout: Optional[float] = None) -> tuple[list[Hint], bool]:
    """The next hint step (or all of them), and whether the exercise is already fixed."""
    target = Target.of_file(path)
    record = target.progress()
    if not (record.verified and record.verified == digest(target.path)):
        with verifier(timeout) as session:
            verify_target(session, target)
        record = target.progress()
    if record.fixed:
        return [], True
    used = record.hints
    upto = HINT_STEPS if every else min(used + 1, HINT_STEPS)
    target.record(hints=max(used, upto))
    exercise = exercise_of(target.entry)
    steps = _ladder(record.message, [m.scope for m in exercise.chosen], [get_class(m.bug) for m in exercise.chosen])
    first = 1 if every else upto
    return [Hint(i, *steps[i - 1]) for i in range(first, upto + 1)], False


def _ladder(symptom: str, scopes: list[str], bugs: list[BugClass]) -> list[tuple[str, str]]:
    places = sorted({"the module's top level" if s == "<module>" else f"{s}()" for s in scopes})
    where = f"The bug is in {places[0]}." if len(bugs) == 1 else f"The bugs are in {', '.join(places)}."
    explained = [(b.title, f"{b.why}\nFix: {b.fix}\nGuide: {b.guide}") for b in bugs]
    return [
        ("What goes wrong", "\n".join([symptom, *(b.hints[0] for b in bugs)])),
        ("Where to look", " ".join([where, *(b.hints[1] for b in bugs)])),
        explained[0] if len(bugs) == 1 else ("The bugs explained", "\n\n".join(f"{t}: {e}" for t, e in explained)),
    ]


def reset(path: Path) -> Path | None:
    """Restore the exercise as generated. An edited file is first copied beside it; returns that copy."""
    target = Target.of_file(path)
    original = exercise_of(target.entry).text(target.entry.file)
    backup = None
    if target.path.exists() and digest(target.path) != sha256(original):
        backup = keep_copy(target.path)
    write_atomic(target.path, original, overwrite=True)
    target.record(verified="", fixed=False, message="")
    return backup


def reveal(path: Path) -> str:
    """A unified diff from the exercise as generated to its reference (apply with ``patch``)."""
    target = Target.of_file(path)
    return exercise_of(target.entry).reveal(target.entry.file)
