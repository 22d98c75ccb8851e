"""The commands as a user types them: output, JSON, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bughunt.bug_catalog import all_classes
from bughunt.clean_programs import TOPICS, programs_of
from bughunt.workspace import MANIFEST

from conftest import apply_patch


CANONICAL = {"float-labels", "wrong-cat-dim", "missing-zero-grad", "missing-eval-dropout", "forward-skips-backbone",
             "inplace-relu", "target-shape", "missing-eval-batchnorm", "scheduler-per-batch", "device-mismatch"}


def test_catalog_lists_every_class(bughunt):
    result = bughunt("catalog")
    assert result.exit_code == 0
    for bug in all_classes():
        assert bug.id in result.output
    data = json.loads(bughunt("catalog", "--json").output)
    assert sorted(b["id"] for b in data) == sorted(b.id for b in all_classes())
    assert all(b["title"] and b["symptom"] and b["why"] and b["fix"] and b["guide"] for b in data)
    assert len(data) >= 40


def test_catalog_canonical_lists_the_guides_ten(bughunt):
    data = json.loads(bughunt("catalog", "--canonical", "--json").output)
    assert {b["id"] for b in data} == CANONICAL
    plain = bughunt("catalog").output.splitlines()
    assert sum(" * " in line for line in plain) == 10  # marked where their family lists them


def test_catalog_groups_the_classes_by_family(bughunt):
    from bughunt.bug_catalog import FAMILIES

    data = json.loads(bughunt("catalog", "--json").output)
    order = [FAMILIES.index(b["family"]) for b in data]
    assert order == sorted(order) and len(set(order)) >= 10
    lines = bughunt("catalog").output.splitlines()
    headed = [line.split("  ")[0] for line in lines[1:] if line and not line.startswith(" ")]
    assert headed[:len(set(order))] == [FAMILIES[i] for i in sorted(set(order))]  # each family named once


def test_topics(bughunt):
    data = json.loads(bughunt("topics", "--json").output)
    assert [t["id"] for t in data] == [t.id for t in TOPICS]
    assert all(len(t["programs"]) >= 2 for t in data)
    assert "training/classification_loop" in bughunt("topics").output


def test_generate_writes_exercises_and_a_manifest_without_the_answer(bughunt, tmp_path):
    out = tmp_path / "ws"
    result = bughunt("generate", "--topic", "training", "--n", "3", "--seed", "7", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [Path(d["path"]).name for d in data] == ["training_01.py", "training_02.py", "training_03.py"]
    assert all(d["topic"] == "training" and d["program"].startswith("training/") for d in data)
    manifest = (out / MANIFEST).read_text()
    for bug in all_classes():
        assert bug.id not in manifest  # the workspace holds no solution
    for d in data:
        assert "bughunt verify training_0" in Path(d["path"]).read_text()


def test_same_seed_gives_byte_identical_exercises(bughunt, tmp_path):
    for name in ("a", "b"):
        assert bughunt("generate", "--topic", "models", "--n", "4", "--seed", "11", "--out", tmp_path / name).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "a").glob("*.py"))
    assert len(files) == 4
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert bughunt("generate", "--topic", "models", "--n", "4", "--seed", "12", "--out", tmp_path / "c").exit_code == 0
    assert any((tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes() for n in files)


def test_generate_again_adds_new_exercises_and_keeps_edits(bughunt, tmp_path):
    assert bughunt("generate", "--topic", "data", "--n", "2", "--seed", "1", "--out", tmp_path).exit_code == 0
    edited = tmp_path / "data_01.py"
    edited.write_text(edited.read_text() + "# my notes\n")
    result = bughunt("generate", "--topic", "data", "--n", "2", "--seed", "1", "--out", tmp_path, "--json")
    assert result.exit_code == 0
    assert [Path(d["path"]).name for d in json.loads(result.output)] == ["data_03.py", "data_04.py"]
    assert edited.read_text().endswith("# my notes\n")
    texts = [p.read_text() for p in sorted(tmp_path.glob("data_*.py"))]
    assert len(set(texts)) == 4  # the second batch are new exercises, not copies


@pytest.mark.parametrize("args, message", [
    (["generate", "--topic", "nope"], "error: unknown topic 'nope'"),
    (["generate", "--topic", "data", "--n", "0"], "error: --n must be at least 1"),
    (["generate", "--topic", "data", "--program", "data/feature_maps", "--plain", "--n", "500"], "error: only "),
    (["verify", "missing.py"], "error: missing.py: no such file"),
    (["reveal", "missing.py", "--yes"], "error: missing.py: no such file"),
])
def test_bad_input_is_one_line_and_exit_2(bughunt, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = bughunt(*args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_verify_rejects_files_that_are_not_exercises(bughunt, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stray = tmp_path / "stray.py"
    stray.write_text("print('hi')\n")
    result = bughunt("verify", stray)
    assert result.exit_code == 2 and "is not a bughunt workspace" in result.output
    assert bughunt("verify").exit_code == 2  # no workspace here
    assert bughunt("generate", "--topic", "data", "--n", "1", "--seed", "3", "--out", tmp_path).exit_code == 0
    result = bughunt("verify", stray)
    assert result.exit_code == 2 and result.output == f"error: {stray} is not an exercise of the workspace {tmp_path}\n"


def test_syntax_error_is_exit_2_with_its_position(bughunt, tmp_path):
    bughunt("generate", "--topic", "training", "--n", "1", "--seed", "5", "--out", tmp_path)
    exercise = tmp_path / "training_01.py"
    exercise.write_text(exercise.read_text().replace("def main(", "def main((", 1))
    result = bughunt("verify", exercise, "--json")
    assert result.exit_code == 2
    [entry] = json.loads(result.output)
    assert entry["fixed"] is False and entry["message"].startswith("syntax error at line ")


def test_reveal_asks_first(bughunt, tmp_path):
    bughunt("generate", "--topic", "training", "--n", "1", "--seed", "5", "--out", tmp_path)
    exercise = tmp_path / "training_01.py"
    declined = bughunt("reveal", exercise, input="n\n")
    assert declined.exit_code == 0 and "not revealed" in declined.output and "@@" not in declined.output
    accepted = bughunt("reveal", exercise, input="y\n")
    assert accepted.exit_code == 0 and "@@" in accepted.output
    assert bughunt("reveal", exercise, "--yes").output.startswith("--- a/training_01.py\n+++ b/training_01.py\n")


@pytest.mark.parametrize("topic", [t.id for t in TOPICS])
def test_each_exercise_fails_until_the_revealed_fix_is_applied(bughunt, tmp_path, topic):
    """Generate, all fail verify, apply reveal's diff with patch, all pass: five for each topic of the
    core loop, two for the later ones (`bughunt stats --check` does it for many more)."""
    n = 5 if topic in ("data", "models", "training", "intermediate") else 2
    assert bughunt("generate", "--topic", topic, "--n", str(n), "--seed", "7", "--out", tmp_path).exit_code == 0
    before = bughunt("verify", "--workspace", tmp_path, "--json")
    assert before.exit_code == 1
    verdicts = json.loads(before.output)
    assert len(verdicts) == n and not any(v["fixed"] for v in verdicts)
    assert all(v["message"].startswith("with ") for v in verdicts)  # symptom with its smallest configuration
    for exercise in sorted(tmp_path.glob(f"{topic}_*.py")):
        apply_patch(bughunt("reveal", exercise, "--yes").output, exercise)
    after = bughunt("verify", "--workspace", tmp_path, "--json")
    assert after.exit_code == 0, after.output
    assert all(v["fixed"] for v in json.loads(after.output))


def test_device_bugs_fail_on_a_cpu_only_machine_until_fixed(bughunt, tmp_path):
    """The virtual device: a tensor left on the CPU fails as on a GPU, and the fix passes."""
    assert bughunt("generate", "--topic", "training", "--n", "5", "--seed", "3", "--bug", "device-mismatch",
                   "--out", tmp_path).exit_code == 0
    verdicts = json.loads(bughunt("verify", "--workspace", tmp_path, "--json").output)
    assert len(verdicts) == 5
    assert all("same device" in v["message"] or "numpy" in v["message"] for v in verdicts), verdicts
    for exercise in sorted(tmp_path.glob("training_*.py")):
        apply_patch(bughunt("reveal", exercise, "--yes").output, exercise)
    assert bughunt("verify", "--workspace", tmp_path).exit_code == 0


def test_verify_text_output_and_summary(bughunt, tmp_path):
    bughunt("generate", "--topic", "intermediate", "--n", "2", "--seed", "2", "--out", tmp_path)
    result = bughunt("verify", "--workspace", tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("intermediate_01.py  bug    with ")
    assert lines[-1] == "[------------------------------]  0/2 fixed"
    assert "\x1b[" not in result.output  # plain text when not a terminal


def test_selfcheck_for_one_topic(bughunt):
    result = bughunt("selfcheck", "--topic", "data", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["programs"] == len(programs_of("data")) and data["killed"] == data["mutants"] > 0
    assert data["survivors"] == [] and data["false_alarms"] == []


def test_a_syntax_error_is_labelled_as_one(bughunt, tmp_path):
    from bughunt import ui

    assert ui.verdict_label(False, "syntax error at line 3 column 1: x", unusable=True) == "syntax error"
    assert ui.verdict_label(False, "with a=1: boom") == "bug"
    line = ui.verdict_line("training_01.py", 14, False, "syntax error at line 3 column 1: x", True).plain
    assert line == "training_01.py  syntax error  at line 3 column 1: x"


@pytest.mark.parametrize("args, start", [
    (["generate", "--nn", "3"], "error: no such option '--nn'"),
    (["generate", "--n", "abc", "--topic", "data"], "error: invalid value for '--n'"),
    (["nope"], "error: no such command 'nope'"),
    (["verify", "--timeout", "0"], "error: invalid value for '--timeout'"),
])
def test_usage_errors_look_like_bughunts_own(bughunt, args, start):
    result = bughunt(*args)
    assert result.exit_code == 2 and result.output.startswith(start), result.output
    assert result.output.count("\n") == 1 and "see `bughunt" in result.output and "Usage:" not in result.output


def test_output_ends_when_the_command_does(tmp_path):
    """A caller reading a command's output (a pipe, a script, `| less`) sees its end when the
    command exits: the fork server, which inherited the pipes, does not hold them open while it
    tears torch down (about 0.7 s on a laptop CPU)."""
    command = [sys.executable, "-m", "bughunt", "generate", "--topic", "training", "--n", "1", "--seed", "3",
               "--out", str(tmp_path / "ws")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.wait(120) == 0, process.stderr.read()
    exited = time.monotonic()
    out, _ = process.communicate(timeout=30)
    assert time.monotonic() - exited < 0.3 and b"wrote 1 exercise" in out
