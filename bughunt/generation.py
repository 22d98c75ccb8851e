"""Generation: choose new, distinct exercises and write them into a workspace.

It sits above grading: every exercise is verified to be caught by the detectors (and, with
several bugs, each bug alone) before it is written, so an exercise the detectors would miss
is never handed out. No two exercises of a workspace are alike once comments, layout and
local names are set aside.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

from bughunt import __version__
from bughunt.bug_catalog import get_class
from bughunt.clean_programs import Program
from bughunt.errors import BadInput
from bughunt.exercise import Exercise, mutants
from bughunt.grading import Session, caught, verifier
from bughunt.notebook import require
from bughunt.programs import Folder, UserProgram, get_program, programs_of, topics
from bughunt.witnesses import measured
from bughunt.workspace import Entry, Workspace, sha256

LEVEL_BUGS = {1: 1, 2: 1, 3: 2, 4: 3}  # how many bugs an exercise of each guide level holds by default


def select_programs(topic: Optional[str], level: Optional[int], program_id: Optional[str],
                    user: Optional[Folder] = None) -> tuple[Program, ...]:
    """What ``generate`` draws from: one program, one topic, or every topic of a guide level; with
    a folder of the user's programs (``user``) and none of those, every program of that folder."""
    if program_id:
        program = get_program(program_id, user)
        if topic and program.topic != topic:
            raise BadInput(f"program {program_id} is not in topic {topic}")
        return (program,)
    if topic and level is None:
        return programs_of(topic, user)
    if level is not None and not topic:
        found = tuple(p for t in topics() if t.level == level for p in programs_of(t.id))
        if not found:
            raise BadInput(f"no topic has level {level}; levels: {sorted({t.level for t in topics()})}")
        return found
    if user is not None and not topic and level is None:
        return user.programs
    raise BadInput("give either --topic or --level (see `bughunt topics`)")


@dataclass(frozen=True)
class Generated:
    path: Path
    topic: str
    program: str
    backup: Optional[Path] = None  # an edited file that --force replaced was kept here


def draw(programs: Sequence[Program], n: int, seed: int, *, bugs: int = 1, classes: Iterable[str] = (),
         seen: Iterable[str] = (), plain: bool = False, session: Optional[Session] = None) -> Iterator[Exercise]:
    """Up to ``n`` exercises, one at a time as each is found, all different from each other and
    from ``seen`` (fingerprints), spreading over the bug classes before repeating one. ``classes``
    restricts the classes; with a ``session`` every exercise is checked to be caught by the
    detectors (else it is dropped). Stops early when nothing new is left (``choose`` says so)."""
    rng, wanted = random.Random(seed), set(classes)
    candidates = [p for p in programs if len({m.bug for m in mutants(p) if not wanted or m.bug in wanted}) >= bugs]
    if not candidates:
        raise BadInput(f"no program here has {bugs} different bug classes{' of those asked for' if wanted else ''}")
    available = {m.bug for p in candidates for m in mutants(p)}
    used = {bug: 0 for bug in (available & wanted if wanted else available)}
    fingerprints, found, misses = set(seen), 0, 0
    while found < n and misses < 50 * bugs + 200:  # so many misses in a row: nothing new is left
        misses += 1
        exercise = Exercise(candidates[rng.randrange(len(candidates))], rng.randrange(2**31), bugs, plain)
        classes_here = [m.bug for m in exercise.chosen]
        if len(classes_here) < bugs or (wanted and not set(classes_here) <= wanted):
            continue
        if misses <= 30 and max(used[c] for c in classes_here) > min(used.values()):
            continue  # another class has been practised less: spread first (while that is possible)
        fingerprint = exercise.fingerprint()
        if fingerprint in fingerprints or (session and not caught(session, exercise)):
            continue
        fingerprints.add(fingerprint)
        for c in classes_here:
            used[c] += 1
        found += 1
        misses = 0
        yield exercise


def _too_few(found: int) -> BadInput:
    return BadInput(f"only {found} new distinct exercises could be made here; ask for at most {found}")


def choose(programs: Sequence[Program], n: int, seed: int, *, bugs: int = 1, classes: Iterable[str] = (),
           seen: Iterable[str] = (), plain: bool = False, session: Optional[Session] = None) -> list[Exercise]:
    """``draw``'s ``n`` exercises as a list; BadInput when fewer can be made."""
    chosen = list(draw(programs, n, seed, bugs=bugs, classes=classes, seen=seen, plain=plain, session=session))
    if len(chosen) < n:
        raise _too_few(len(chosen))
    return chosen


def generate(programs: tuple[Program, ...], n: int, seed: int, out: Path, *, classes: Iterable[str] = (),
             bugs: int = 1, force: bool = False, plain: bool = False, timeout: Optional[float] = None,
             on_written: Optional[Callable[[Generated], None]] = None, notebook: bool = False) -> list[Generated]:
    """Write ``n`` new exercises into the workspace ``out``, each as soon as it is checked (an
    interrupted run keeps those; ``on_written`` hears of each). Without ``force`` existing files
    are never touched and new names are used, chosen under the workspace lock (two runs at once
    both land); with it, names restart at 01 and an edited file that is replaced is first copied
    beside it. With ``notebook`` each exercise is a Jupyter notebook (``.ipynb``)."""
    if n < 1:
        raise BadInput("--n must be at least 1")
    if bugs < 1:
        raise BadInput("--bugs must be at least 1")
    for bug in classes:
        get_class(bug)
    programs = tuple(map(measured, programs))  # a user's program: its witnesses, as verify will run them
    suffix = ".ipynb" if notebook else ".py"
    if notebook:
        require()  # nbformat missing: one line, before any work
    workspace = Workspace.open(out, create=True)
    workspace.check_writable()
    seen = () if force else [e.fingerprint for e in workspace.entries.values()]
    written: list[Generated] = []
    counters: dict[str, int] = {}

    def entry(exercise: Exercise, name: str) -> tuple[Entry, str]:
        text = exercise.text(name)
        program = exercise.program
        origin = (program.origin, program.digest) if isinstance(program, UserProgram) else ("", "")
        return Entry(name, program.id, exercise.seed, sha256(text), __version__, exercise.bugs,
                     exercise.fingerprint(), plain, *origin), text

    with verifier(timeout) as session:
        for exercise in draw(programs, n, seed, bugs=bugs, classes=classes, seen=seen, plain=plain, session=session):
            topic = exercise.program.topic
            backup = None
            if force:
                counters[topic] = counters.get(topic, 0) + 1
                made, text = entry(exercise, f"{topic}_{counters[topic]:02d}{suffix}")
                with workspace.locked():
                    backup = workspace.keep_edits(made.file, text)
                    path = workspace.add(made, text, overwrite=True)
            else:
                path = workspace.add_new(topic, lambda name: entry(exercise, name), suffix)
            written.append(Generated(path, topic, exercise.program.id, backup))
            if on_written:
                on_written(written[-1])
    if len(written) < n:
        raise BadInput(f"{_too_few(len(written))}" + (f" (those {len(written)} are written)" if written else ""))
    return written
