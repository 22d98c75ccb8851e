"""The learner's commands: status, hint, reset, watch, and the safety of their work."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bughunt.cli import main
from bughunt.exercise import exercise_of
from bughunt.workspace import MANIFEST, STATE, Workspace, sha256

from conftest import apply_patch, edit


def generate(bughunt, root: Path, *args: str) -> list[Path]:
    result = bughunt("generate", "--out", root, "--json", *args)
    assert result.exit_code == 0, result.output
    return [Path(d["path"]) for d in json.loads(result.output)]


def status(bughunt, root: Path) -> dict[str, dict]:
    result = bughunt("status", "--workspace", root, "--json")
    assert result.exit_code == 0, result.output
    return {Path(r["path"]).name: r for r in json.loads(result.output)}


def test_status_follows_new_edited_fixed(bughunt, tmp_path):
    first, second = generate(bughunt, tmp_path, "--topic", "training", "--n", "2", "--seed", "3")
    assert {r["state"] for r in status(bughunt, tmp_path).values()} == {"new"}
    edit(first, "import torch\n", "import torch  # looking\n")
    assert status(bughunt, tmp_path)[first.name]["state"] == "edited"
    apply_patch(bughunt("reveal", second, "--yes").output, second)
    assert bughunt("verify", second).exit_code == 0
    rows = status(bughunt, tmp_path)
    assert rows[second.name]["state"] == "fixed" and rows[first.name]["state"] == "edited"
    text = bughunt("status", "--workspace", tmp_path).output
    assert "[###############---------------]  1/2 fixed" in text
    edit(second, "import torch\n", "import torch  # after the fix\n")
    assert status(bughunt, tmp_path)[second.name]["state"] == "edited"  # the verdict was about the old text


def test_hint_ladder_one_step_per_call_and_remembered(bughunt, tmp_path):
    [path] = generate(bughunt, tmp_path, "--topic", "intermediate", "--n", "1", "--seed", "4")
    fix = bughunt("reveal", path, "--yes").output
    added = [line[1:].strip() for line in fix.splitlines() if line.startswith("+") and not line.startswith("+++")]
    steps = []
    for _ in range(4):
        data = json.loads(bughunt("hint", path, "--json").output)
        steps.append([h["step"] for h in data["hints"]])
        for h in data["hints"]:
            if h["step"] < 3:  # step 3 is the class's catalog entry: general advice, not this program's code
                assert not any(line and line in h["text"] for line in added)
    assert steps == [[1], [2], [3], [3]]
    assert status(bughunt, tmp_path)[path.name]["hints"] == 3
    first = json.loads(bughunt("hint", path, "--json", "--all").output)["hints"]
    assert [h["step"] for h in first] == [1, 2, 3]
    assert first[0]["text"].startswith("with ")  # the symptom with its smallest configuration
    assert first[1]["text"].startswith("The bug is in ")


def test_hint_on_a_fixed_exercise(bughunt, tmp_path):
    [path] = generate(bughunt, tmp_path, "--topic", "data", "--n", "1", "--seed", "4")
    apply_patch(bughunt("reveal", path, "--yes").output, path)
    result = bughunt("hint", path)
    assert result.exit_code == 0 and "is fixed: no hint needed" in result.output


def test_reset_asks_then_restores_and_keeps_the_edit(bughunt, tmp_path):
    [path] = generate(bughunt, tmp_path, "--topic", "models", "--n", "1", "--seed", "9")
    original = path.read_text()
    edit(path, "import torch\n", "import torch  # my attempt\n")
    assert bughunt("reset", path, input="n\n").exit_code == 0
    assert "# my attempt" in path.read_text()
    result = bughunt("reset", path, "--yes")
    assert result.exit_code == 0 and "your version is in" in result.output
    assert path.read_text() == original
    assert "# my attempt" in (path.parent / (path.name + ".bak")).read_text()
    assert bughunt("reset", path, "--yes").output == f"restored {path.name}\n"  # nothing to keep this time
    assert bughunt("reset", path, input="").exit_code == 2  # input closed: cannot ask


def test_generate_force_replaces_but_keeps_edited_files(bughunt, tmp_path):
    first = generate(bughunt, tmp_path, "--topic", "training", "--n", "2", "--seed", "1")
    edit(first[0], "import torch\n", "import torch  # mine\n")
    again = generate(bughunt, tmp_path, "--topic", "training", "--n", "2", "--seed", "2", "--force")
    assert [p.name for p in again] == [p.name for p in first]
    assert "# mine" in (tmp_path / (first[0].name + ".bak")).read_text()
    assert not (tmp_path / (first[1].name + ".bak")).exists()  # it was unedited: nothing to keep
    assert "# mine" not in first[0].read_text()


def test_generate_by_bug_class_and_by_level(bughunt, tmp_path):
    paths = generate(bughunt, tmp_path / "a", "--topic", "training", "--n", "3", "--seed", "5",
                     "--bug", "missing-zero-grad", "--bug", "float-labels")
    workspace = Workspace.open(tmp_path / "a")
    bugs = {exercise_of(e).chosen[0].bug for e in workspace.entries.values()}
    assert bugs <= {"missing-zero-grad", "float-labels"} and len(paths) == 3
    level2 = generate(bughunt, tmp_path / "b", "--level", "2", "--n", "2", "--seed", "5")
    assert all(p.name.startswith("intermediate_") for p in level2)
    assert bughunt("generate", "--topic", "data", "--bug", "no-such-bug").exit_code == 2
    assert bughunt("generate", "--n", "2").output == "error: give either --topic or --level (see `bughunt topics`)\n"


def test_every_command_has_an_example_in_its_help(bughunt):
    for name in main.commands:
        assert "Example" in bughunt(name, "--help").output, name


def _read_until(process: subprocess.Popen, needle: str, timeout: float = 120) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < deadline, seen
        line = process.stdout.readline()
        assert line, seen  # the watcher exited early
        seen += line
    return seen


@pytest.mark.parametrize("mode", ["--poll", "events"])
def test_watch_sees_a_save_and_moves_on(bughunt, tmp_path, mode):
    first, second = generate(bughunt, tmp_path, "--topic", "training", "--n", "2", "--seed", "8")
    args = [sys.executable, "-m", "bughunt", "watch", "--workspace", str(tmp_path)] + ([mode] if mode == "--poll" else [])
    # A child inherits an ignored SIGINT (pytest started in the background by a shell without job
    # control), and Python then never raises KeyboardInterrupt: Ctrl-C must reach it as in a terminal.
    watcher = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _read_until(watcher, f"{first.name}  bug")
        apply_patch(bughunt("reveal", first, "--yes").output, first)
        _read_until(watcher, f"{first.name}  fixed")
        _read_until(watcher, f"now: {second}")
        _read_until(watcher, f"{second.name}  bug")  # the next one is checked right away
        watcher.send_signal(signal.SIGINT)
        code, rest = watcher.wait(30), watcher.stdout.read()
        assert code == 0 and "stopped watching" in rest, rest
    finally:
        watcher.kill()


def _kill_at_random(args: list[str], seed: int) -> None:
    rng = random.Random(seed)
    process = subprocess.Popen([sys.executable, "-m", "bughunt", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.5, 4.0))
    process.send_signal(signal.SIGKILL)
    process.wait()


def _assert_consistent(root: Path) -> None:
    if (root / MANIFEST).exists():
        workspace = Workspace.open(root)  # parses, or raises
        for entry in workspace.entries.values():
            text = workspace.path(entry).read_text()
            assert sha256(text) == entry.sha256 or "# my work" in text
    if (root / STATE).exists():
        json.loads((root / STATE).read_text())
    assert not [p for p in root.rglob("*.tmp")], "a temporary file was left behind"


def test_sigkill_during_generate_and_verify_loses_nothing(bughunt, tmp_path):
    generate(bughunt, tmp_path, "--topic", "training", "--n", "2", "--seed", "1")
    mine = tmp_path / "training_01.py"
    edit(mine, "import torch\n", "import torch  # my work\n")
    kept = mine.read_text()
    for seed in range(4):
        _kill_at_random(["generate", "--topic", "training", "--n", "3", "--seed", str(seed), "--out", str(tmp_path)], seed)
        _assert_consistent(tmp_path)
        _kill_at_random(["verify", "--workspace", str(tmp_path)], seed)
        _assert_consistent(tmp_path)
        assert mine.read_text() == kept
    assert bughunt("status", "--workspace", tmp_path).exit_code == 0


def test_watch_sees_a_save_made_while_it_was_busy(tmp_path):
    """The first verification takes seconds; a save during it must not wait for another save."""
    import threading

    from bughunt.watch import _changes

    exercise = tmp_path / "a.py"
    exercise.write_text("x = 1\n")
    changes = _changes(tmp_path, {"a.py"}, poll=False, interval=0.5)
    assert next(changes) == set()  # watching starts; now bughunt is busy verifying ...
    exercise.write_text("x = 2\n")  # ... and the learner saves
    seen: list[set[str]] = []
    waiter = threading.Thread(target=lambda: seen.append(next(changes)), daemon=True)
    waiter.start()
    waiter.join(10)
    assert seen == [{"a.py"}]
