"""bughunt grade: many submissions of one exercise, one row each, whatever the submission does."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import apply_patch, make_exercise


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A training exercise and six submissions: its fix, the exercise untouched, a binary file, a
    syntax error, one that hangs and one that kills itself."""
    from click.testing import CliRunner

    from bughunt.cli import main

    root = tmp_path_factory.mktemp("class")
    exercise = make_exercise(root / "ws", "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    subs = root / "submissions"
    subs.mkdir()
    fixed = subs / "ada.py"
    fixed.write_text(exercise.read_text())
    apply_patch(CliRunner().invoke(main, ["reveal", str(exercise), "--yes"]).output, fixed)
    (subs / "bob.py").write_text(exercise.read_text())
    (subs / "cy.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (subs / "dee.py").write_text("def main(:\n")
    (subs / "eve.py").write_text("import time\n\ndef main(**config):\n    while True:\n        time.sleep(1)\n")
    (subs / "fay.py").write_text("import os\n\ndef main(**config):\n    os._exit(3)\n")
    return exercise, subs


EXPECTED = [("ada.py", True, ""), ("bob.py", False, "gradient"), ("cy.py", False, "cannot be read: not UTF-8 text"),
            ("dee.py", False, "syntax error at line 1"), ("eve.py", False, "the program timed out after 3 s"),
            ("fay.py", False, "the program exited early with code 3")]


def _check_rows(rows):
    assert [r["path"].rsplit("/", 1)[-1] for r in rows] == [name for name, _, _ in EXPECTED]
    for row, (name, fixed, says) in zip(rows, EXPECTED):
        assert row["fixed"] is fixed and says in row["message"], (name, row)
        assert row["seconds"] >= 0


def test_every_submission_gets_its_row(bughunt, classroom, tmp_path, monkeypatch):
    from bughunt.detector import runner

    references = []
    start = runner.Runner.__init__

    def counted(self, source, filename, *args, **kwargs):
        if filename.startswith("<reference"):
            references.append(filename)
        start(self, source, filename, *args, **kwargs)

    monkeypatch.setattr(runner.Runner, "__init__", counted)
    exercise, subs = classroom
    table = tmp_path / "grades.csv"
    result = bughunt("grade", exercise, *sorted(subs.iterdir()), "--csv", table, "--json", "--timeout", "3",
                     "--jobs", "1")
    assert result.exit_code == 1, result.output
    rows = json.loads(result.output)
    _check_rows(rows)
    assert len(references) == 1  # the reference is built once and reused for every submission
    with open(table, newline="") as f:
        lines = list(csv.DictReader(f))
    assert [(r["submission"], r["fixed"], r["message"]) for r in lines] == \
        [(r["path"], "yes" if r["fixed"] else "no", r["message"]) for r in rows]


@pytest.mark.slow
def test_grading_processes_give_the_same_rows(bughunt, classroom):
    exercise, subs = classroom
    result = bughunt("grade", exercise, subs, "--json", "--timeout", "3", "--jobs", "2")  # a folder: its *.py
    _check_rows(json.loads(result.output))


def test_only_fixed_submissions_exit_0_and_the_table(bughunt, classroom):
    exercise, subs = classroom
    result = bughunt("grade", exercise, subs / "ada.py")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 of 1 fixed" and "ada.py" in result.output


def test_bad_paths_stop_before_any_work(bughunt, classroom, tmp_path):
    exercise, subs = classroom
    assert bughunt("grade", exercise, tmp_path / "nope.py").output == f"error: {tmp_path / 'nope.py'}: no such file\n"
    (tmp_path / "mine.py").write_text("print('not an exercise')\n")
    result = bughunt("grade", tmp_path / "mine.py", subs / "bob.py")
    assert result.exit_code == 2 and result.output == f"error: {tmp_path} is not a bughunt workspace (no " \
        ".bughunt/manifest.json); run `bughunt generate` first\n"
