"""Exercises: choose bugs for a topic, write them out, verify and reveal them.

An exercise is fully determined by (program id, exercise seed): the seed picks one
mutant among the program's mutants (every class, every site, every form). The
reference of an exercise is its clean program, carrying the same header, so the
diff between an exercise and its reference is the bug alone.
"""

from __future__ import annotations

import difflib
import random
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Optional

from bughunt import __version__
from bughunt.bug_catalog import all_checks, all_classes, get_class
from bughunt.clean_programs import TOPICS, Program, get_program, programs_of
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


def choose(programs: Iterable[Program], n: int, seed: int, taken: Iterable[tuple[str, int]] = (),
           bugs: Iterable[str] = ()) -> list[Exercise]:
    """``n`` distinct exercises, spreading over bug classes before repeating one.
    ``taken`` (program id, mutant index) pairs are skipped; ``bugs`` restricts the classes."""
    rng = random.Random(seed)
    taken, wanted = set(taken), set(bugs)
    by_class: dict[str, list[tuple[Program, int]]] = {}
    for program in programs:
        for index, mutant in enumerate(mutants(program)):
            if (program.id, index) not in taken and (not wanted or mutant.bug in wanted):
                by_class.setdefault(mutant.bug, []).append((program, index))
    missing = wanted - set(by_class)
    if missing:
        raise BadInput(f"no {'new ' if taken else ''}exercise for {', '.join(sorted(missing))} in the chosen programs")
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


def select_programs(topic: Optional[str], level: Optional[int], program_id: Optional[str]) -> tuple[Program, ...]:
    """What ``generate`` draws from: one program, one topic, or every topic of a guide level."""
    if program_id:
        program = get_program(program_id)
        if topic and program.topic != topic:
            raise BadInput(f"program {program_id} is not in topic {topic}")
        return (program,)
    if topic and level is None:
        return programs_of(topic)
    if level is not None and not topic:
        found = tuple(p for t in TOPICS if t.level == level for p in programs_of(t.id))
        if not found:
            raise BadInput(f"no topic has level {level}; levels: {sorted({t.level for t in TOPICS})}")
        return found
    raise BadInput("give either --topic or --level (see `bughunt topics`)")


@dataclass(frozen=True)
class Generated:
    path: Path
    topic: str
    program: str
    backup: Optional[Path] = None  # an edited file that --force replaced was kept here


def generate(programs: tuple[Program, ...], n: int, seed: int, out: Path, *, bugs: Iterable[str] = (),
             force: bool = False) -> list[Generated]:
    """Write ``n`` new exercises into the workspace ``out``. Without ``force`` existing files are
    never touched and new names are used; with it, names restart at 01 and an edited file that
    is replaced is first copied beside it."""
    if n < 1:
        raise BadInput("--n must be at least 1")
    for bug in bugs:
        get_class(bug)
    workspace = Workspace.open(out, create=True)
    taken = () if force else [(e.program, e.seed % len(mutants(get_program(e.program))))
                              for e in workspace.entries.values() if _known(e.program)]
    written, counters = [], {}
    for exercise in choose(programs, n, seed, taken, bugs):
        topic = exercise.program.topic
        if force:
            counters[topic] = counters.get(topic, 0) + 1
            name = f"{topic}_{counters[topic]:02d}.py"
        else:
            name = workspace.free_name(topic)
        text = exercise.text(name)
        backup = _keep_edits(workspace, name, text) if force else None
        entry = Entry(name, exercise.program.id, exercise.seed, sha256(text), __version__)
        written.append(Generated(workspace.add(entry, text, overwrite=force), topic, exercise.program.id, backup))
    return written


def _keep_edits(workspace: Workspace, name: str, text: str) -> Optional[Path]:
    """Before --force replaces ``name``: copy it aside if it holds anything but a generated text."""
    path = workspace.root / name
    if not path.exists():
        return None
    current = path.read_bytes()
    entry = workspace.entries.get(name)
    if (entry and sha256(current.decode("utf-8", "replace")) == entry.sha256) or current == text.encode("utf-8"):
        return None
    backup = free_backup(path)
    shutil.copy2(path, backup)
    return backup


def free_backup(path: Path) -> Path:
    """``name.py.bak``, or ``name.py.bak2``... whichever does not exist yet."""
    n = 1
    while (candidate := path.with_name(path.name + (".bak" if n == 1 else f".bak{n}"))).exists():
        n += 1
    return candidate


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


@dataclass(frozen=True)
class Target:
    workspace: Workspace
    entry: Entry

    @property
    def path(self) -> Path:
        return self.workspace.path(self.entry)


def targets(paths: tuple[Path, ...], workspace_dir: Path) -> list[Target]:
    """The exercises named on the command line, or every exercise of the workspace."""
    if paths:
        return [Target(*Workspace.of_file(path)) for path in paths]
    workspace = Workspace.open(workspace_dir)
    if not workspace.entries:
        raise BadInput(f"{workspace_dir} has no exercises; run `bughunt generate` first")
    return [Target(workspace, e) for e in sorted(workspace.entries.values(), key=lambda e: e.file)]


def verify_target(session: Session, target: Target) -> Verdict:
    """Verify one exercise and remember the verdict (with the text it is about) in its workspace."""
    program = get_program(target.entry.program)
    try:
        source = target.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Verdict(False, f"cannot be read: {exc}", unusable=True)
    with target.workspace.guarded() as restored:
        verdict = session.verify(program, program.source(), source, str(target.path))
    if restored:
        verdict = Verdict(False, f"tampered: the program changed {', '.join(restored)} (put back)")
    target.workspace.record(target.entry, verified=sha256(source), fixed=verdict.fixed, message=verdict.message)
    return verdict


def verify(paths: tuple[Path, ...], workspace_dir: Path, timeout: float = DEFAULT_TIMEOUT,
           on_result: Optional[Callable[[Result], None]] = None) -> list[Result]:
    found = targets(paths, workspace_dir)
    results = []
    with Session(all_checks(), timeout=timeout) as session:
        for target in found:
            results.append(Result(target.path, verify_target(session, target)))
            if on_result:
                on_result(results[-1])
    return results


def reveal(path: Path) -> str:
    """A unified diff from the exercise as generated to its reference (apply with ``patch``)."""
    _, entry = Workspace.of_file(path)
    exercise = Exercise(get_program(entry.program), entry.seed)
    before, after = exercise.text(entry.file), exercise.reference(entry.file)
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{entry.file}", f"b/{entry.file}"))
