"""Principle 2 of DESIGN.md: every mutant is killed, every clean program passes.

This runs the same kill matrix as `bughunt selfcheck`: for every clean program,
every bug class, every site and every surface form. It takes about five minutes on two
cores, so it is marked slow: CI runs it as its own step (`python -m pytest -m slow`).
"""

from __future__ import annotations

import pytest

from bughunt.bug_catalog import all_classes
from bughunt.clean_programs import PROGRAMS
from bughunt.selfcheck import kill_matrix

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def matrix():
    return kill_matrix(PROGRAMS)


def test_no_survivors(matrix):
    survivors = [f"{r.program} {r.mutant.bug} line {r.mutant.line} ({r.mutant.form})" for r in matrix.survivors]
    assert survivors == []


def test_no_false_alarms(matrix):
    assert matrix.false_alarms == ()


def test_counts_cover_every_program_and_class(matrix, capsys):
    counts = matrix.counts()
    with capsys.disabled():
        print("\nkill matrix:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert counts["programs"] == len(PROGRAMS)
    assert counts["classes"] == len(all_classes())
    assert counts["killed"] == counts["mutants"] > counts["sites"] > 0


def test_every_kill_names_a_symptom_not_the_bug(matrix):
    """A verdict says what goes wrong and with which configuration, never which class it is."""
    for row in matrix.rows:
        assert row.symptom.startswith("with "), row
        symptom = row.symptom.lower()
        for bug in all_classes():
            assert bug.id not in symptom and bug.title.lower() not in symptom, row
