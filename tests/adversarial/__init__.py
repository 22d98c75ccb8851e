"""Hand-written fixes, one module per bug class: fakes that must be refused, alternatives that must pass.

Each module (named after its class, ``wrong_cat_dim.py`` for ``wrong-cat-dim``) defines ``CASES``,
a list of ``Case``. A case names a plain exercise (program and surface form of the module's class,
at its first site) and the edits a learner makes to it, as text replacements. A **fake** looks like
a fix (the symptom goes away, the error is silenced, the code is moved around) but leaves the
program doing other work than the reference: verify must refuse it. An **alternative** is a correct
fix written differently from the reference (another spelling, another place, a harmless refactor
on top): verify must accept it. They are written by hand as a learner would, never by running the
mutators. ``tests/test_adversarial.py`` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    kind: str  # "fake" (must be refused) or "fix" (must pass)
    why: str  # what the learner did, in words
    program: str  # clean program id
    form: str  # the surface form of the module's bug class (the exercise's one bug, at its first site)
    edits: tuple[tuple[str, str], ...]  # (old, new): each old text occurs in the exercise, replaced once


def fake(why: str, program: str, form: str, *edits: tuple[str, str]) -> Case:
    return Case("fake", why, program, form, edits)


def fix(why: str, program: str, form: str, *edits: tuple[str, str]) -> Case:
    return Case("fix", why, program, form, edits)
