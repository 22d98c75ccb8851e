"""Principle 8 of DESIGN.md: "fixed" means fixed. For every bug class, hand-written fake fixes are
refused and hand-written alternative fixes pass (the cases are in tests/adversarial/, one module
per class). The canonical ten run in the default suite, the rest in the slow run."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import adversarial
from bughunt.bug_catalog import all_classes
from bughunt.grading import verifier, verify_target
from bughunt.workspace import Target
from conftest import edit, make_exercise

MODULES = {info.name: importlib.import_module(f"adversarial.{info.name}")
           for info in pkgutil.iter_modules([str(Path(adversarial.__file__).parent)])}
CANONICAL = {bug.id for bug in all_classes() if bug.canonical}


def _params():
    for name, module in sorted(MODULES.items()):
        bug = name.replace("_", "-")
        marks = () if bug in CANONICAL else (pytest.mark.slow,)
        for i, case in enumerate(module.CASES):
            yield pytest.param(bug, case, id=f"{bug}-{case.kind}-{i}", marks=marks)


@pytest.fixture(scope="module")
def session():
    with verifier() as session:  # one reference worker per program, kept for every case
        yield session


@pytest.mark.parametrize("bug, case", list(_params()))
def test_hand_written_fix(session, tmp_path, bug, case):
    path = make_exercise(tmp_path, case.program, bug, case.form)
    for old, new in case.edits:
        edit(path, old, new)
    verdict = verify_target(session, Target.of_file(path))
    if case.kind == "fix":
        assert verdict.fixed, f"{case.why}: refused with {verdict.message}"
    else:
        assert not verdict.fixed, f"{case.why}: accepted"
        assert not verdict.unusable, verdict.message


def test_every_class_has_two_fakes_and_two_alternatives():
    counts = {bug.id: [0, 0] for bug in all_classes()}
    for name, module in MODULES.items():
        for case in module.CASES:
            counts[name.replace("_", "-")][case.kind == "fix"] += 1
    short = {bug: tuple(n) for bug, n in counts.items() if min(n) < 2}
    assert not short, f"(fakes, alternatives) below two: {short}"
