"""The bug catalog: one module per bug class, each holding its text, mutator and detector.

Adding a class means adding one module here that defines ``BUG``; the catalog,
``generate``, ``verify`` and the kill matrix pick it up with no other edit.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cache
from typing import Mapping

from bughunt.detector import checks
from bughunt.detector.checks import Check
from bughunt.errors import BadInput
from bughunt.mutator import Mutator


@dataclass(frozen=True)
class BugClass:
    id: str  # kebab-case, stable: it names the class in the catalog and in tests
    title: str
    symptom: str  # what the learner sees
    why: str  # why it happens
    fix: str  # how to fix it, in words
    guide: str  # where the guide covers it
    hints: tuple[str, ...]  # from vague to specific; never the reference's code; ``{subject}``: see named()
    mutate: Mutator
    detect: Check  # the property this class breaks; verify runs every class's detector
    canonical: bool = False  # one of the guide's ten canonical bugs (`bughunt catalog --canonical`)
    family: str = ""  # one of FAMILIES: the kind of fault it is
    # (form prefix, hint): where one class's forms differ in the kind of thing that is wrong (the
    # model, the labels, a new tensor), the second hint of a mutant whose form starts with the
    # prefix names that kind; the first match wins, ``hints[1]`` serves the rest.
    where_hints: tuple[tuple[str, str], ...] = ()
    # the fault family the class belongs to ("data pipeline", "hyperparameters", ...); "" for none yet
    family: str = ""

    def where_hint(self, form: str, names: Mapping[str, str] = {}) -> str:
        """The second hint for a mutant of this class in ``form``."""
        return named(next((hint for prefix, hint in self.where_hints if form.startswith(prefix)), self.hints[1]),
                     names)

    def first_hint(self, names: Mapping[str, str] = {}) -> str:
        return named(self.hints[0], names)


def named(text: str, names: Mapping[str, str]) -> str:
    """A hint as the exercise would say it: ``{subject}`` is the variable the mutant's edit names (its
    ``Edit.subject``), ``{total}`` a local variable, each under the exercise's (camouflaged) name
    from ``names``; a placeholder ``names`` lacks reads in general words (or as its own name)."""
    return re.sub(r"\{(\w+)\}", lambda found: names.get(found[1], _UNNAMED.get(found[1], found[1])), text)


_UNNAMED = {"subject": "the running total"}


# The fault families, in the order `bughunt catalog` lists them: the guide's topics, then the
# families the studies of real deep-learning faults add (graphs kept alive, data pipeline,
# initialisation and state, hyperparameters).
FAMILIES = ("shapes and dims", "model structure", "loss and activation", "the training loop",
            "train and eval modes", "autograd", "graphs kept alive", "devices and mixed precision",
            "data pipeline", "initialisation and state", "hyperparameters", "freezing and finetuning",
            "diffusion")


@cache
def all_classes() -> tuple[BugClass, ...]:
    """Every bug class, ordered by id."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        bug = getattr(module, "BUG", None)
        if isinstance(bug, BugClass):
            found.append(bug)
    return tuple(sorted(found, key=lambda bug: bug.id))


def get_class(bug_id: str) -> BugClass:
    for bug in all_classes():
        if bug.id == bug_id:
            return bug
    raise BadInput(f"unknown bug class {bug_id!r} (see `bughunt catalog`)")


def all_checks() -> tuple[Check, ...]:
    """Every detector verify runs: a crash check, each class's own property, and the plain
    comparisons of results and weights and of the graphs kept alive, ordered so that the first
    failure names the cause."""
    found = {checks.crash, checks.same_results, checks.same_final_params, checks.graphs_freed,
             *(b.detect for b in all_classes())}
    return tuple(sorted(found, key=lambda check: (checks.precedence(check), getattr(check, "__name__", ""))))
