"""What an exercise is: a clean program, the mutants its seed picks, the camouflage.

An exercise is fully determined by (program id, seed, number of bugs): the seed picks the
mutants (of different classes, at sites that do not touch) and the camouflage. The
reference of an exercise is its clean program under the same camouflage and header, so the
diff between an exercise and its reference is the bugs alone. Nothing here runs a program:
``grading`` verifies, ``generation`` chooses and writes.
"""

from __future__ import annotations

import difflib
import itertools
import random
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Iterable

from bughunt.bug_catalog import all_classes
from bughunt.clean_programs import Program, get_program
from bughunt.errors import BadInput
from bughunt.mutator import Mutant, Tree, apply, mutants_of, overlap
from bughunt.camouflage import camouflage, normalised, renamed_locals
from bughunt.notebook import code_of, first_line, is_notebook, render

# The first line names the program and the seed (never the bugs): enough for `bughunt repair` to
# rebuild a lost manifest entry (``identify``). The rest is advice to the learner.
HEADER = """\
# bughunt exercise: {title} ({program}, seed {seed}{extra})
# This program has {bugs}. Run it, read it, find {them} and fix {them}, then check with
#     bughunt verify {file}
# Any fix that makes it behave like the working program passes.

"""

@cache
def program_tree(program: Program) -> Tree:
    return Tree(program.source())


@cache
def mutants(program: Program) -> tuple[Mutant, ...]:
    """Every mutant of ``program`` an exercise may carry: each class, each site, each form, in
    catalog order (not the forms for ``bughunt mutate`` only, see ``Edit.exercise``)."""
    tree = program_tree(program)
    return tuple(m for bug in all_classes() for m in mutants_of(program.source(), bug.id, bug.mutate, tree)
                 if m.edit.exercise)


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
        extra = (f", {self.bugs} bugs" if self.bugs > 1 else "") + (", plain" if self.plain else "")
        return HEADER.format(title=self.program.title, program=self.program.id, seed=self.seed, extra=extra,
                             file=file, bugs=bugs, them="it" if self.bugs == 1 else "them")

    def text(self, file: str) -> str:
        """The exercise as generated (a notebook when ``file`` is one)."""
        if is_notebook(file):
            return render(self.header(file), self.source(), file)
        return self.header(file) + self.source()

    @property
    def reference_source(self) -> str:
        """The program with every bug fixed: the camouflaged clean program verdicts compare with."""
        return self.source(fixed=self.chosen)

    def reference(self, file: str) -> str:
        if is_notebook(file):
            return render(self.header(file), self.reference_source, file)
        return self.header(file) + self.reference_source

    def graded(self, file: str, text: str) -> str:
        """The program verify grades in ``text``, the content of the exercise file ``file``: the
        file itself, or for a notebook its code cells one after another (the program of its ``.py``
        form without the header: the same verdicts; line numbers count the code's lines, as the
        notebook's reveal diff does)."""
        return code_of(text) if is_notebook(file) else text

    def versions(self, sizes: Iterable[int]) -> list[tuple[int, str]]:
        """(bugs left, source) for every version of the exercise that keeps that many of its bugs."""
        return [(size, self.source(fixed=[m for m in self.chosen if m not in left]))
                for size in sizes for left in itertools.combinations(self.chosen, size)]

    def partials(self) -> list[tuple[int, str]]:
        """Every version with some but not all bugs fixed, and the exercise itself."""
        return self.versions(range(1, len(self.chosen) + 1))

    @cached_property
    def _renamed(self) -> dict[str, dict[str, str]]:
        """Each function's local variables under their camouflaged names (none when plain)."""
        if self.plain:
            return {}
        return renamed_locals(apply(program_tree(self.program), [m.edit for m in self.chosen]), self.seed)

    def names(self, mutant: Mutant) -> dict[str, str]:
        """The names a hint about ``mutant`` may use, as this exercise spells them: each local
        variable under its camouflaged name (the mutant's function first), and ``subject``."""
        renames: dict[str, str] = {}
        for names in self._renamed.values():
            renames.update(names)
        renames.update(self._renamed.get(mutant.scope, {}))
        subject = mutant.edit.subject
        return {**renames, **({"subject": renames.get(subject, subject)} if subject else {})}

    def fingerprint(self) -> str:
        return normalised(self.source())

    def reveal(self, file: str) -> str:
        """A unified diff from the exercise as generated to its reference (apply with ``patch``);
        for a notebook, of its code (the code cells joined)."""
        if is_notebook(file):
            before, after = self.source(), self.reference_source
        else:
            before, after = self.text(file), self.reference(file)
        return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                            f"a/{file}", f"b/{file}"))


_IDENTITY = re.compile(r"^# bughunt exercise: .*\((?P<program>[\w/.-]+), seed (?P<seed>\d+)"
                       r"(?:, (?P<bugs>\d+) bugs)?(?P<plain>, plain)?\)\s*$")


def identify(text: str) -> Exercise:
    """The exercise a file was generated as, from its header's first line (edits below it do not
    matter); BadInput when that line is gone or names no program of this bughunt."""
    found = _IDENTITY.match(first_line(text) if text.startswith("{") else text.split("\n", 1)[0])
    if not found:
        raise BadInput("its first line no longer names the program and seed")
    bugs = int(found["bugs"] or 1)
    return Exercise(get_program(found["program"]), int(found["seed"]), bugs, bool(found["plain"]))
