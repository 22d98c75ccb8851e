"""Grading a class: many submissions of one exercise, each verified as ``verify`` would verify it.

The exercise is a file of a workspace (its manifest says how to rebuild its reference). Every
submission runs in the sandbox of a worker process, like any candidate, and gets a row: fixed or
not, the message, the seconds it took. A file that cannot be read, is not Python, hangs (the
``timeout``) or crashes is a row like any other and never stops the run.

The reference is rebuilt once per grading process and its worker kept with its results, so that
each submission runs only its own program (and its unobserved twin): one process grades
submission after submission against one reference worker. A verification already keeps two
processes busy (the submission and its twin) once the reference's results are known, so ``jobs``
grading processes (default: half the cores, at least one) fill the machine; each has its own
reference worker, which computes the reference's results once for that process.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from bughunt.cluster import allow_children, pool
from bughunt.errors import BadInput
from bughunt.exercise import Exercise
from bughunt.grading import Session, judge, verifier
from bughunt.workspace import Target, exercise_of, natural

SUFFIXES = (".py", ".ipynb")  # what a folder given as a submission contributes


@dataclass(frozen=True)
class Graded:
    path: Path
    fixed: bool
    message: str
    seconds: float


def submissions(paths: Iterable[Path]) -> list[Path]:
    """The submission files: each path as given, a folder's ``*.py`` files in natural order.
    BadInput for a path that does not exist (a typo should stop the run before any work)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted((p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()),
                            key=lambda p: natural(p.name))
        elif path.exists():
            found.append(path)
        else:
            raise BadInput(f"{path}: no such file")
    if not found:
        raise BadInput("no submission to grade")
    return found


def grade_one(session: Session, exercise: Exercise, path: Path) -> Graded:
    """One submission's row: read it, verify it against the exercise's reference, time it."""
    started = time.perf_counter()
    try:
        source = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return Graded(path, False, "cannot be read: not UTF-8 text", time.perf_counter() - started)
    except OSError as exc:
        return Graded(path, False, f"cannot be read: {exc.strerror or exc}", time.perf_counter() - started)
    try:
        source = exercise.graded(path.name, source)  # a notebook: the .py header and its code cells
    except BadInput as exc:
        return Graded(path, False, f"cannot be read: {exc}", time.perf_counter() - started)
    verdict = judge(session, exercise, source, path.name)
    return Graded(path, verdict.fixed, verdict.message, time.perf_counter() - started)


def _grade_share(exercise: Exercise, paths: list[Path], timeout: Optional[float]) -> list[Graded]:
    """One grading process's share of the submissions, against one reference worker of its own."""
    allow_children()  # on a Dask worker the verifier still starts its own processes
    with verifier(timeout) as session:
        return [grade_one(session, exercise, path) for path in paths]


def grade(exercise_path: Path, paths: Sequence[Path], timeout: Optional[float] = None, jobs: Optional[int] = None,
          on_graded: Optional[Callable[[Graded], None]] = None, cluster: Optional[str] = None) -> list[Graded]:
    """Every submission in ``paths`` graded against the exercise ``exercise_path``, in the order
    given; ``on_graded`` hears of each row as it comes. With ``cluster`` (a Dask scheduler's
    address) the ``jobs`` shares run on its workers, which read the submissions at the same paths."""
    exercise = exercise_of(Target.of_file(exercise_path).entry)
    files = submissions(paths)
    jobs = max(1, min(jobs or (os.cpu_count() or 2) // 2, len(files)))
    rows: dict[int, Graded] = {}
    if jobs == 1 and not cluster:
        with verifier(timeout) as session:
            for i, path in enumerate(files):
                rows[i] = grade_one(session, exercise, path)
                if on_graded:
                    on_graded(rows[i])
    else:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: each starts its own fork server
        with pool(cluster, jobs, context) as workers:
            plain = Exercise(exercise.program, exercise.seed, exercise.bugs, exercise.plain)  # without caches
            shares = [list(range(len(files)))[job::jobs] for job in range(jobs)]  # interleaved: alike in cost
            futures = {workers.submit(_grade_share, plain, [files[i] for i in share], timeout): share
                       for share in shares if share}
            for future in as_completed(futures):
                for i, row in zip(futures[future], future.result()):
                    rows[i] = row
                    if on_graded:
                        on_graded(row)
    return [rows[i] for i in range(len(files))]


def as_csv(rows: Sequence[Graded]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission", "fixed", "message", "seconds"])
    for row in rows:
        writer.writerow([str(row.path), "yes" if row.fixed else "no", row.message, f"{row.seconds:.2f}"])
    return out.getvalue()
