"""Exercises: choose bugs for a topic, write them out, verify and reveal them.

An exercise is fully determined by (program id, exercise seed): the seed picks one
mutant among the program's mutants (every class, every site, every form). The
reference of an exercise is its clean program, carrying the same header, so the
diff between an exercise and its reference is the bug alone.
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable, Optional

from bughunt import __version__
from bughunt.bug_catalog import all_checks, all_classes
from bughunt.clean_programs import Program, get_program, programs_of
from bughunt.detector.runner import DEFAULT_TIMEOUT, Session, Verdict
from bughunt.errors import BadInput
from bughunt.mutator import Mutant, Tree, mutants_of
from bughunt.workspace import Entry, Workspace, sha256

HEADER = """\
# bughunt exercise: {title}
# This program has a bug. Run it, read it, find the bug and fix it, then check with
#     bughunt verify {file}
# Any fix that makes it behave like the working program passes.

"""


@cache
def mutants(program: Program) -> tuple[Mutant, ...]:
    """Every mutant of ``program``: each class, each site, each form, in catalog order."""
    source = program.source()
    tree = Tree(source)
    return tuple(m for bug in all_classes() for m in mutants_of(source, bug.id, bug.mutate, tree))


@dataclass(frozen=True)
class Exercise:
    program: Program
    seed: int

    @property
    def mutant(self) -> Mutant:
        found = mutants(self.program)
        return found[self.seed % len(found)]

    def header(self, file: str) -> str:
        return HEADER.format(title=self.program.title, file=file)

    def text(self, file: str) -> str:
        """The exercise as generated."""
        return self.header(file) + self.mutant.source

    def reference(self, file: str) -> str:
        return self.header(file) + self.program.source()


def choose(programs: Iterable[Program], n: int, seed: int, taken: set[tuple[str, int]] = frozenset()) -> list[Exercise]:
    """``n`` distinct exercises, spreading over bug classes before repeating one."""
    rng = random.Random(seed)
    by_class: dict[str, list[tuple[Program, int]]] = {}
    for program in programs:
        for index, mutant in enumerate(mutants(program)):
            if (program.id, index) not in taken:
                by_class.setdefault(mutant.bug, []).append((program, index))
    available = sum(len(v) for v in by_class.values())
    if n > available:
        raise BadInput(f"only {available} new distinct exercises are available here; ask for at most {available}")
    order = sorted(by_class)
    rng.shuffle(order)
    chosen: list[Exercise] = []
    while len(chosen) < n:
        for bug in order:
            pool = by_class[bug]
            if pool and len(chosen) < n:
                program, index = pool.pop(rng.randrange(len(pool)))
                count = len(mutants(program))
                chosen.append(Exercise(program, index + count * rng.randrange(1, 100_000)))
    return chosen


@dataclass(frozen=True)
class Generated:
    path: Path
    topic: str
    program: str


def generate(topic: str, n: int, seed: int, out: Path, program_id: Optional[str] = None) -> list[Generated]:
    if n < 1:
        raise BadInput("--n must be at least 1")
    programs = (get_program(program_id),) if program_id else programs_of(topic)
    if program_id and programs[0].topic != topic:
        raise BadInput(f"program {program_id} is not in topic {topic}")
    workspace = Workspace.open(out, create=True)
    taken = {(e.program, e.seed % len(mutants(get_program(e.program)))) for e in workspace.entries.values()
             if _known(e.program)}
    written = []
    for exercise in choose(programs, n, seed, taken):
        name = workspace.free_name(topic)
        text = exercise.text(name)
        entry = Entry(name, exercise.program.id, exercise.seed, sha256(text), __version__)
        written.append(Generated(workspace.add(entry, text), topic, exercise.program.id))
    return written


def _known(program_id: str) -> bool:
    try:
        get_program(program_id)
        return True
    except BadInput:
        return False


@dataclass(frozen=True)
class Result:
    path: Path
    verdict: Verdict


def targets(paths: tuple[Path, ...], workspace_dir: Path) -> list[tuple[Path, Entry]]:
    """The exercises named on the command line, or every exercise of the workspace."""
    if paths:
        found = []
        for path in paths:
            workspace, entry = Workspace.of_file(path)
            found.append((path, entry))
        return found
    workspace = Workspace.open(workspace_dir)
    if not workspace.entries:
        raise BadInput(f"{workspace_dir} has no exercises; run `bughunt generate` first")
    return [(workspace.path(e), e) for e in sorted(workspace.entries.values(), key=lambda e: e.file)]


def verify(paths: tuple[Path, ...], workspace_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    found = targets(paths, workspace_dir)
    results = []
    with Session(all_checks(), timeout=timeout) as session:
        for path, entry in found:
            program = get_program(entry.program)
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                results.append(Result(path, Verdict(False, f"cannot be read: {exc}", unusable=True)))
                continue
            verdict = session.verify(program, program.source(), source, str(path))
            results.append(Result(path, verdict))
    return results


def reveal(path: Path) -> str:
    """A unified diff from the exercise as generated to its reference (apply with ``patch``)."""
    _, entry = Workspace.of_file(path)
    exercise = Exercise(get_program(entry.program), entry.seed)
    before, after = exercise.text(entry.file), exercise.reference(entry.file)
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{entry.file}", f"b/{entry.file}"))
