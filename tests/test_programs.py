"""Your own programs: the contract (programs.py), check-program, generate --programs, and a
program changed after generation refused. The programs in tests/user_programs/ were written for
these tests (none is a copy of a clean program)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bughunt.errors import BadInput
from bughunt.programs import NotAProgram, folder, load, parse

HERE = Path(__file__).parent / "user_programs"
GOOD = HERE / "course" / "week3" / "noisy_classes.py"
FAILING = HERE / "not_qualifying"


def test_params_are_read_from_the_syntax_tree_without_running_the_file(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text('"""Title here."""\nraise SystemExit("imported!")\n'
                    'PARAMS = {"n": range(1, 4), "mode": ("a", "b"), "seed": range(10)}\ndef main(n, mode, seed): ...\n')
    program = load(path, "mine")
    assert program.id == "mine/probe" and program.title == "Title here."
    assert program.params == {"n": range(1, 4), "mode": ("a", "b"), "seed": range(10)}
    assert program.source() == path.read_text() and program.witnesses == ()


@pytest.mark.parametrize("text, says", [
    ("PARAMS = {'n': range(3)}\n", r"no main\(\)"),
    ("def main(n): ...\n", "no PARAMS"),
    ("PARAMS = dict(n=range(3))\ndef main(n): ...\n", "dict literal"),
    ("PARAMS = {'n': range(3, 3)}\ndef main(n): ...\n", "empty range"),
    ("PARAMS = {'n': list_of_sizes}\ndef main(n): ...\n", r"range\(a, b\) of integers"),
    ("def main(:\n", "syntax error at line 1"),
])
def test_a_file_that_breaks_the_contract_says_why(text, says):
    with pytest.raises(NotAProgram, match=says):
        parse(text, "x.py")


@pytest.mark.slow  # every mutant of the program: a small kill matrix
def test_a_qualifying_program(bughunt):
    result = bughunt("check-program", GOOD, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["qualifies"] and report["reasons"] == [] and report["program"] == "week3/noisy_classes"
    assert {s["bug"] for s in report["sites"]} >= {"missing-zero-grad", "missing-eval-dropout", "float-labels"}
    assert all(s["caught"] is True for s in report["sites"])
    assert 0 < report["seconds_per_configuration"] < 5


@pytest.mark.parametrize("name, reason", [
    ("clock_seeded", "it is not deterministic: run again with the same configuration it gives other results"),
    ("no_main", "it defines no main() at its top level"),
    pytest.param("one_epoch", "no detector catches train-mode-not-restored at line 29", marks=pytest.mark.slow),
])
def test_programs_that_do_not_qualify_say_why(bughunt, name, reason):
    result = bughunt("check-program", FAILING / f"{name}.py", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert not report["qualifies"] and any(r.startswith(reason) for r in report["reasons"]), report["reasons"]
    if name == "clock_seeded":  # the mutants are not run against a reference that does not repeat itself
        assert report["sites"] and all(s["caught"] is None for s in report["sites"])
    if name == "one_epoch":  # every other site is caught: only that one is named
        assert [s["bug"] for s in report["sites"] if s["caught"] is False] == ["train-mode-not-restored"]


def test_check_program_prints_the_reasons(bughunt):
    result = bughunt("check-program", FAILING / "no_main.py")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [f"{FAILING / 'no_main.py'} does not qualify:",
                                               "  - it defines no main() at its top level"]


def test_a_program_that_fails_somewhere_in_its_space_does_not_qualify(bughunt, tmp_path):
    """Its witnesses cannot be measured: a configuration of its pool raises. check-program says so
    (whether or not a drawn configuration also fails)."""
    text = (GOOD.read_text().replace('"batch_size": range(1, 9)', '"batch_size": range(1, 40)')
            .replace("    history = []\n", "    assert batch_size < 33, 'too large a batch'\n    history = []\n"))
    path = tmp_path / "week3" / "large.py"
    path.parent.mkdir()
    path.write_text(text)
    report = json.loads(bughunt("check-program", path, "--json").output)
    assert not report["qualifies"] and report["witnesses"] == []
    assert any(r.startswith("its branches cannot be measured over its space: <week3/large> fails with")
               and "too large a batch" in r for r in report["reasons"]), report["reasons"]


def test_check_program_needs_a_file(bughunt, tmp_path):
    result = bughunt("check-program", tmp_path / "nothere.py")
    assert result.exit_code == 2 and result.output.strip() == f"error: {tmp_path / 'nothere.py'}: no such file"


def test_a_folder_is_grouped_into_topics_by_sub_folder(tmp_path):
    shutil.copytree(HERE / "course", tmp_path / "course")
    shutil.copy(GOOD, tmp_path / "course" / "loose.py")
    found = folder(tmp_path / "course")
    assert [t.id for t in found.topics] == ["course", "week3"]
    assert [p.id for p in found.programs] == ["course/loose", "week3/noisy_classes"]
    (tmp_path / "course" / "training").mkdir()
    shutil.copy(GOOD, tmp_path / "course" / "training" / "x.py")
    with pytest.raises(BadInput, match="built-in topic"):
        folder(tmp_path / "course")


def test_a_folder_with_a_broken_program_names_it(tmp_path):
    shutil.copytree(FAILING, tmp_path / "mine")
    with pytest.raises(BadInput, match=r"no_main.py is not a bughunt program: it defines no main\(\)"):
        folder(tmp_path / "mine")


@pytest.fixture
def course(tmp_path):
    """A copy of the course folder and one exercise generated from it, its reveal diff beside it."""
    shutil.copytree(HERE / "course", tmp_path / "course")
    return tmp_path


def _generate(bughunt, root: Path, *extra: str) -> Path:
    result = bughunt("generate", "--programs", root / "course", "--n", "1", "--seed", "1",
                     "--out", root / "ws", "--json", *extra)
    assert result.exit_code == 0, result.output
    [made] = json.loads(result.output)
    assert made["program"] == "week3/noisy_classes" and made["topic"] == "week3"
    return Path(made["path"])


@pytest.mark.parametrize("form", ["py", "ipynb"])
def test_generate_from_your_programs_then_fix_and_verify(bughunt, course, form):
    from tests.conftest import apply_patch
    from tests.test_notebook import apply_to_cells

    exercise = _generate(bughunt, course, "--format", form)
    assert exercise.suffix == f".{form}"
    manifest = json.loads((course / "ws" / ".bughunt" / "manifest.json").read_text())["exercises"][0]
    assert manifest["origin"] == str((course / "course" / "week3" / "noisy_classes.py").resolve())
    assert manifest["origin_sha256"] == load(Path(manifest["origin"])).digest
    assert bughunt("verify", exercise).exit_code == 1
    (apply_to_cells if form == "ipynb" else apply_patch)(bughunt("reveal", exercise, "--yes").output, exercise)
    result = bughunt("verify", exercise)
    assert result.exit_code == 0 and "fixed" in result.output
    status = json.loads(bughunt("status", "--workspace", course / "ws", "--json").output)
    assert status[0]["state"] == "fixed" and status[0]["topic"] == "week3"


def test_a_program_changed_after_generation_is_refused(bughunt, course):
    exercise = _generate(bughunt, course)
    program = course / "course" / "week3" / "noisy_classes.py"
    program.write_text(program.read_text().replace("lr=0.1", "lr=0.2"))
    for command in (("verify", exercise), ("hint", exercise), ("reveal", exercise, "--yes")):
        result = bughunt(*command)
        assert result.exit_code == 2
        assert result.output == (f"error: {program.resolve()} changed after this exercise was generated from it; "
                                 "verify refuses to grade against a different reference: restore the program as it "
                                 "was, or generate a new exercise\n")
    program.unlink()
    assert "which is gone" in bughunt("verify", exercise).output


def test_the_candidate_cannot_read_your_program_folder(bughunt, course, monkeypatch):
    """Principle 3: the reference comes from your folder, which the candidate's sandbox does not hold."""
    exercise = _generate(bughunt, course, "--plain")  # plain: the reference is the program's own text
    program = (course / "course" / "week3" / "noisy_classes.py").resolve()
    header = exercise.read_text().split("\n", 1)[0]
    exercise.write_text(f"{header}\nexec(open({str(program)!r}).read())\n")
    result = bughunt("verify", exercise)
    assert result.exit_code == 1 and "FileNotFoundError" in result.output, result.output
    monkeypatch.setenv("BUGHUNT_SANDBOX", "off")  # the attack is real: without the sandbox it passes
    assert bughunt("verify", exercise).exit_code == 0


def test_topics_selfcheck_and_stats_take_your_programs(bughunt, course):
    topics = json.loads(bughunt("topics", "--programs", course / "course", "--json").output)
    assert topics[-1]["id"] == "week3" and topics[-1]["programs"][0]["id"] == "week3/noisy_classes"
    stats = json.loads(bughunt("stats", "--programs", course / "course", "--seeds", "8", "--json").output)
    assert [(s["topic"], s["seeds"]) for s in stats] == [("week3", 8)] and stats[0]["distinct"] > 1
    check = bughunt("selfcheck", "--programs", course / "course", "--bug", "missing-zero-grad", "--json")
    assert check.exit_code == 0 and json.loads(check.output)["killed"] == 2


def test_generate_programs_with_a_topic_of_yours_or_a_builtin_one(bughunt, course):
    assert bughunt("generate", "--programs", course / "course", "--topic", "nothere", "--n", "1",
                   "--out", course / "ws").output.startswith("error: unknown topic 'nothere'; topics: data,")
    result = bughunt("generate", "--programs", course / "course", "--topic", "week3", "--n", "1", "--seed", "2",
                     "--out", course / "ws", "--json")
    assert json.loads(result.output)[0]["program"] == "week3/noisy_classes"


def test_the_readme_shows_the_example_program_as_it_is():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    block = readme.split("(`tests/user_programs/course/week3/noisy_classes.py`):\n\n```python\n", 1)[1].split("```", 1)[0]
    assert block == GOOD.read_text()


def test_programs_inside_the_python_environment_are_refused(tmp_path):
    import sys

    inside = Path(sys.prefix) / "bughunt-test-programs"
    try:
        shutil.copytree(HERE / "course", inside)
    except OSError:
        pytest.skip("the Python environment cannot be written here")
    try:
        with pytest.raises(BadInput, match="which exercises see in their sandbox"):
            folder(inside)
    finally:
        shutil.rmtree(inside)
