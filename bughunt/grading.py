"""Grading: the one owner of verification. Every command that runs a program against its
reference (verify, watch, hint, generate's check, stats --check, selfcheck) gets its verifier
here, with one default timeout; nothing else reaches into ``detector.runner``.

A verifier is a ``Session`` (``detector.runner``) with every detector of the catalog: it keeps
one reference worker per reference it has run, so verifying many candidates of one exercise
runs the reference once per configuration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from bughunt.bug_catalog import all_checks
from bughunt.detector.forkserver import prestart
from bughunt.detector.runner import Cancel, Cancelled, Session, Verdict, planned
from bughunt.clean_programs import Program
from bughunt.errors import BadInput
from bughunt.exercise import Exercise
from bughunt.workspace import Target, exercise_of, sha256, targets

DEFAULT_TIMEOUT = 60.0  # seconds for one run of main(); the slowest clean program needs < 1 s

__all__ = ["DEFAULT_TIMEOUT", "Cancel", "Cancelled", "Result", "Session", "Verdict", "caught", "configurations",
           "judge", "plan", "prestart", "verifier", "verify", "verify_target", "verify_targets", "warm_target"]


def verifier(timeout: Optional[float] = None, *, spares: bool = False) -> Session:
    """A session with every detector, each run of a program limited to ``timeout`` seconds
    (default ``DEFAULT_TIMEOUT``); use it as a context manager (it owns worker processes). With
    ``spares`` it starts the next verification's workers ahead after each one (watch)."""
    return Session(all_checks(), timeout=DEFAULT_TIMEOUT if timeout is None else timeout, spares=spares)


@dataclass(frozen=True)
class Result:
    path: Path
    verdict: Verdict


def verify_target(session: Session, target: Target, cancel: Optional[Cancel] = None) -> Verdict:
    """Verify one exercise and remember the verdict (with the text it is about) in its workspace.
    A stacked exercise's verdict starts with how many bugs remain: counted when the file behaves
    like a partly fixed version of the exercise; when it behaves like none (an edit that is no fix
    of any of its bugs, a crash that hides them), nothing can be counted and the message says that
    all of them may remain, the one statement that is true of it. ``cancel`` stops it from another
    thread (``Cancelled``, nothing recorded)."""
    try:
        source = target.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Verdict(False, f"cannot be read: {exc}", unusable=True)
    exercise = exercise_of(target.entry)
    try:
        program = exercise.graded(target.entry.file, source)  # a notebook: its code cells
    except BadInput as exc:
        return Verdict(False, f"cannot be read: {exc}", unusable=True)
    with target.workspace.guarded() as restored:
        verdict = judge(session, exercise, program, str(target.path), cancel)
    if restored:
        verdict = Verdict(False, f"tampered: the program changed {', '.join(restored)} (put back)")
    target.record(verified=sha256(source), fixed=verdict.fixed, message=verdict.message)
    return verdict


def configurations(program: Program) -> int:
    """How many configurations a passing verification of ``program`` runs (drawn and witnesses)."""
    return len(planned(program))


def judge(session: Session, exercise: Exercise, source: str, filename: str,
          cancel: Optional[Cancel] = None) -> Verdict:
    """The verdict on ``source`` as a fix of ``exercise`` (with how many bugs remain, for a stacked
    one): what verify says of a workspace exercise and grade of a submission."""
    partials = exercise.partials() if exercise.bugs > 1 else []
    verdict = session.verify(exercise.program, exercise.reference_source, source, filename,
                             partials=partials, cancel=cancel)
    if not verdict.fixed and not verdict.unusable and exercise.bugs > 1:
        left = (f"{verdict.remaining} of {exercise.bugs} bugs remain" if verdict.remaining
                else f"{exercise.bugs} of {exercise.bugs} bugs may remain")
        verdict = dataclasses.replace(verdict, message=f"{left}; {verdict.message}")
    return verdict


def plan(target: Target) -> None:
    """Work out the configurations the exercise's fix will be checked on (cached per program), so
    that warming later does no Hypothesis work where a Ctrl-C may land (watch's main thread)."""
    planned(exercise_of(target.entry).program)


def warm_target(session: Session, target: Target) -> None:
    """Run the exercise's reference on every configuration its fix will be checked on (see Session.warm)."""
    exercise = exercise_of(target.entry)
    session.warm(exercise.program, exercise.reference_source)


def verify(paths: tuple[Path, ...], workspace_dir: Optional[Path] = None, timeout: Optional[float] = None,
           on_result: Optional[Callable[[Result], None]] = None) -> list[Result]:
    """Verify the named exercises (a folder: those in it), or every exercise of the workspace."""
    return verify_targets(targets(paths, workspace_dir), timeout, on_result)


def verify_targets(found: list[Target], timeout: Optional[float] = None,
                   on_result: Optional[Callable[[Result], None]] = None) -> list[Result]:
    results = []
    with verifier(timeout) as session:
        for target in found:
            results.append(Result(target.path, verify_target(session, target)))
            if on_result:
                on_result(results[-1])
    return results


def caught(session: Session, exercise: Exercise) -> bool:
    """The detectors tell the exercise, and each of its bugs alone, from the reference."""
    reference = exercise.reference_source
    versions = exercise.versions(sorted({1, len(exercise.chosen)}, reverse=True))
    return all(not session.verify(exercise.program, reference, v, "<exercise>", shrink=False).fixed
               for _, v in versions)

