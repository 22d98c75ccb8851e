"""Exercises: choose bugs for a topic, write them out, verify and reveal them.

An exercise is fully determined by (program id, seed, number of bugs): the seed picks the
mutants (of different classes, at sites that do not touch) and the camouflage. The
reference of an exercise is its clean program under the same camouflage and header, so the
diff between an exercise and its reference is the bugs alone. Every generated exercise
has been checked to be caught by the detectors, and no two are alike once comments, layout
and local names are set aside.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import random
import shutil
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from bughunt import __version__
from bughunt.bug_catalog import all_checks, all_classes, get_class
from bughunt.clean_programs import TOPICS, Program, get_program, programs_of
from bughunt.detector.runner import DEFAULT_TIMEOUT, Session, Verdict
from bughunt.errors import BadInput
from bughunt.mutator import Mutant, Tree, apply, mutants_of, overlap
from bughunt.camouflage import camouflage, normalised
from bughunt.workspace import Entry, Workspace, sha256

HEADER = """\
# bughunt exercise: {title}
# This program has {bugs}. Run it, read it, find {them} and fix {them}, then check with
#     bughunt verify {file}
# Any fix that makes it behave like the working program passes.

"""

LEVEL_BUGS = {1: 1, 2: 1, 3: 2, 4: 3}  # how many bugs an exercise of each guide level holds by default


@cache
def program_tree(program: Program) -> Tree:
    return Tree(program.source())


@cache
def mutants(program: Program) -> tuple[Mutant, ...]:
    """Every mutant of ``program``: each class, each site, each form, in catalog order."""
    tree = program_tree(program)
    return tuple(m for bug in all_classes() for m in mutants_of(program.source(), bug.id, bug.mutate, tree))


@lru_cache(maxsize=512)
def _source(exercise: "Exercise", left: tuple[int, ...]) -> str:
    """The exercise's program with the chosen mutants ``left`` (by index) applied, camouflaged."""
    edits = [exercise.chosen[i].edit for i in left]
    text = apply(program_tree(exercise.program), edits) if edits else exercise.program.source()
    return text if exercise.plain else camouflage(text, exercise.seed, exercise.program.params)


def choose_mutants(program: Program, seed: int, count: int) -> tuple[Mutant, ...]:
    """``count`` mutants of different classes whose edits do not touch each other, picked by ``seed``."""
    pool = list(mutants(program))
    random.Random(f"{program.id}/{seed}/{count}").shuffle(pool)
    chosen: list[Mutant] = []
    for mutant in pool:
        if len(chosen) == count:
            break
        if all(m.bug != mutant.bug and not overlap(program_tree(program), m.edit, mutant.edit) for m in chosen):
            chosen.append(mutant)
    return tuple(sorted(chosen, key=lambda m: m.line))


@dataclass(frozen=True)
class Exercise:
    """Fully determined by the program, the seed, the number of bugs, and whether it is camouflaged."""

    program: Program
    seed: int
    bugs: int = 1
    plain: bool = False  # no camouflage: the clean program's own text around the bugs

    @cached_property
    def chosen(self) -> tuple[Mutant, ...]:
        return choose_mutants(self.program, self.seed, self.bugs)

    def source(self, fixed: Iterable[Mutant] = ()) -> str:
        """The program with its bugs, but for those in ``fixed``; camouflaged by the seed."""
        fixed = list(fixed)
        left = tuple(i for i, m in enumerate(self.chosen) if all(m is not f for f in fixed))
        return _source(self, left)

    def header(self, file: str) -> str:
        bugs = "a bug" if self.bugs == 1 else f"{self.bugs} bugs"
        return HEADER.format(title=self.program.title, file=file, bugs=bugs, them="it" if self.bugs == 1 else "them")

    def text(self, file: str) -> str:
        """The exercise as generated."""
        return self.header(file) + self.source()

    @property
    def reference_source(self) -> str:
        """The program with every bug fixed: the camouflaged clean program verdicts compare with."""
        return self.source(fixed=self.chosen)

    def reference(self, file: str) -> str:
        return self.header(file) + self.reference_source

    def versions(self, sizes: Iterable[int]) -> list[tuple[int, str]]:
        """(bugs left, source) for every version of the exercise that keeps that many of its bugs."""
        return [(size, self.source(fixed=[m for m in self.chosen if m not in left]))
                for size in sizes for left in itertools.combinations(self.chosen, size)]

    def partials(self) -> list[tuple[int, str]]:
        """Every version with some but not all bugs fixed, and the exercise itself."""
        return self.versions(range(1, len(self.chosen) + 1))

    def fingerprint(self) -> str:
        return normalised(self.source())


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


def choose(programs: Sequence[Program], n: int, seed: int, *, bugs: int = 1, classes: Iterable[str] = (),
           seen: Iterable[str] = (), plain: bool = False, session: Optional[Session] = None) -> list[Exercise]:
    """``n`` exercises, all different from each other and from ``seen`` (fingerprints), spreading over
    the bug classes before repeating one. ``classes`` restricts the classes; with a ``session``
    every exercise is checked to be caught by the detectors (else it is dropped)."""
    rng, wanted = random.Random(seed), set(classes)
    candidates = [p for p in programs if len({m.bug for m in mutants(p) if not wanted or m.bug in wanted}) >= bugs]
    if not candidates:
        raise BadInput(f"no program here has {bugs} different bug classes{' of those asked for' if wanted else ''}")
    available = {m.bug for p in candidates for m in mutants(p)}
    used = {bug: 0 for bug in (available & wanted if wanted else available)}
    fingerprints, chosen, misses = set(seen), [], 0
    while len(chosen) < n and misses < 50 * bugs + 200:  # so many misses in a row: nothing new is left
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
        chosen.append(exercise)
        misses = 0
    if len(chosen) < n:
        raise BadInput(f"only {len(chosen)} new distinct exercises could be made here; ask for at most {len(chosen)}")
    return chosen


def caught(session: Session, exercise: Exercise) -> bool:
    """The detectors tell the exercise, and each of its bugs alone, from the reference."""
    reference = exercise.reference_source
    versions = exercise.versions(sorted({1, len(exercise.chosen)}, reverse=True))
    return all(not session.verify(exercise.program, reference, v, "<exercise>", shrink=False).fixed
               for _, v in versions)


def generate(programs: tuple[Program, ...], n: int, seed: int, out: Path, *, classes: Iterable[str] = (),
             bugs: int = 1, force: bool = False, plain: bool = False, timeout: float = DEFAULT_TIMEOUT) -> list[Generated]:
    """Write ``n`` new exercises into the workspace ``out``. Without ``force`` existing files are
    never touched and new names are used; with it, names restart at 01 and an edited file that
    is replaced is first copied beside it."""
    if n < 1:
        raise BadInput("--n must be at least 1")
    if bugs < 1:
        raise BadInput("--bugs must be at least 1")
    for bug in classes:
        get_class(bug)
    workspace = Workspace.open(out, create=True)
    seen = () if force else [e.fingerprint for e in workspace.entries.values()]
    with Session(all_checks(), timeout=timeout) as session:
        exercises = choose(programs, n, seed, bugs=bugs, classes=classes, seen=seen, plain=plain, session=session)
    written, counters = [], {}
    for exercise in exercises:
        topic = exercise.program.topic
        if force:
            counters[topic] = counters.get(topic, 0) + 1
            name = f"{topic}_{counters[topic]:02d}.py"
        else:
            name = workspace.free_name(topic)
        text = exercise.text(name)
        backup = _keep_edits(workspace, name, text) if force else None
        entry = Entry(name, exercise.program.id, exercise.seed, sha256(text), __version__, exercise.bugs,
                      exercise.fingerprint(), plain)
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
    exercise = exercise_of(target.entry)
    partials = exercise.partials() if exercise.bugs > 1 else []
    with target.workspace.guarded() as restored:
        verdict = session.verify(program, exercise.reference_source, source, str(target.path),
                                 partials=partials)
    if not verdict.fixed and exercise.bugs > 1:
        left = f"{verdict.remaining} of {exercise.bugs} bugs remain" if verdict.remaining else "bugs remain"
        verdict = dataclasses.replace(verdict, message=f"{left}; {verdict.message}")
    if restored:
        verdict = Verdict(False, f"tampered: the program changed {', '.join(restored)} (put back)")
    target.workspace.record(target.entry, verified=sha256(source), fixed=verdict.fixed, message=verdict.message)
    return verdict


def warm_target(session: Session, target: Target) -> None:
    """Run the exercise's reference on every configuration its fix will be checked on (see Session.warm)."""
    exercise = exercise_of(target.entry)
    session.warm(exercise.program, exercise.reference_source)


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


def exercise_of(entry: Entry) -> Exercise:
    return Exercise(get_program(entry.program), entry.seed, entry.bugs, entry.plain)


def reveal(path: Path) -> str:
    """A unified diff from the exercise as generated to its reference (apply with ``patch``)."""
    _, entry = Workspace.of_file(path)
    exercise = exercise_of(entry)
    before, after = exercise.text(entry.file), exercise.reference(entry.file)
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{entry.file}", f"b/{entry.file}"))
