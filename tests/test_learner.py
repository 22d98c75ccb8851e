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
from bughunt.workspace import exercise_of
from bughunt.workspace import MANIFEST, STATE, Workspace, sha256

from conftest import apply_patch, edit, make_exercise
from hostile_cases import BASE


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
    # SIGKILL can land between writing a temporary file and renaming it: one may stay behind,
    # hidden, never taken for an exercise, and removed by `bughunt repair` once it is old
    left = list(root.rglob("*.tmp"))
    assert all(p.name.startswith(".") for p in left)
    for path in left:
        os.utime(path, (time.time() - 120, time.time() - 120))
    if left:
        Workspace(root, {}).repair()
    assert not list(root.rglob("*.tmp")), "repair left a temporary file behind"


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
    from bughunt.watch import Changes

    exercise = tmp_path / "a.py"
    exercise.write_text("x = 1\n")
    changes = Changes(tmp_path, {"a.py"}, poll=False, interval=0.5)  # watching starts; bughunt is busy ...
    exercise.write_text("x = 2\n")  # ... and the learner saves
    assert changes.wait(10) == {"a.py"}
    assert changes.wait(0.3) == set()
    changes.note("a.py")
    changes.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")
def test_a_finished_save_is_read_at_once_a_created_file_after_a_moment(tmp_path, monkeypatch):
    """A save that closes the file, or renames a finished one over it, is complete when its event
    comes: read at once. A watched file created anew may still be being written: read after a
    moment. Another file created in the folder (an editor's swap file) costs nothing."""
    import bughunt.watch as watch

    slept: list = []
    monkeypatch.setattr(watch.time, "sleep", slept.append)
    exercise = tmp_path / "a.py"
    exercise.write_text("x = 1\n")
    changes = watch.Changes(tmp_path, {"a.py"}, poll=False, interval=0.5)
    exercise.write_text("x = 2\n")  # in place: closed after writing
    (tmp_path / ".a.py.swp").write_text("swap")
    assert changes.wait(10) == {"a.py"} and slept == []
    (tmp_path / "a.py.tmp").write_text("x = 3\n")
    os.replace(tmp_path / "a.py.tmp", exercise)  # write a copy, rename it over
    assert changes.wait(10) == {"a.py"} and slept == []
    exercise.unlink()
    exercise.write_text("x = 4\n")  # created anew
    assert changes.wait(10) == {"a.py"} and slept == [0.05]
    changes.close()


HANG = "\n\ndef main(*args, **kwargs):  # my attempt: it hangs\n    while True:\n        pass\n"


def test_a_cancelled_check_stops_at_once_and_records_nothing(tmp_path):
    """Cancel kills the candidate's workers: a check of a hanging save ends in about a second,
    not at the timeout, and leaves no verdict behind."""
    import threading

    from bughunt.grading import Cancel, Cancelled, verifier, verify_target
    from bughunt.workspace import Target

    path = make_exercise(tmp_path, *BASE)
    path.write_text(path.read_text() + HANG)
    target = Target.of_file(path)
    cancel = Cancel()
    with verifier(120) as session:
        threading.Timer(3, cancel).start()
        start = time.monotonic()
        with pytest.raises(Cancelled):
            verify_target(session, target, cancel)
        assert time.monotonic() - start < 20
    assert target.progress().verified == ""


def _watcher(root: Path, emitted: list):
    from bughunt.watch import Watcher

    workspace = Workspace.open(root)
    return Watcher(workspace, workspace.targets(), session=None, emit=emitted.append)


def test_checks_run_in_one_thread_that_ends_with_the_watch(tmp_path, monkeypatch):
    """Every check of a watch runs in the same thread, not a new one each (Hypothesis sets up each
    thread it first runs in with a full garbage collection, which every verdict would wait for),
    and that thread ends when the watch stops."""
    import threading

    import bughunt.watch as watch
    from bughunt.grading import Verdict

    threads: list = []

    def verify(session, target, cancel):
        threads.append(threading.current_thread())
        return Verdict(False, "still buggy")

    monkeypatch.setattr(watch, "verify_target", verify)
    monkeypatch.setattr(watch, "warm_target", lambda session, target: None)
    make_exercise(tmp_path, *BASE)
    emitted: list = []
    loop = _watcher(tmp_path, emitted)
    assert loop.begin()
    for _ in range(3):  # begin() queued the first check, a save each next one
        loop.step()  # starts the check
        assert loop.running.done.wait(10)
        loop.step()  # takes its verdict
        assert isinstance(emitted[-1], watch.Checked) and emitted[-1].verdict.message == "still buggy"
        loop.saved({loop.current.entry.file})
    assert len(threads) == 3 and len(set(threads)) == 1 and threads[0] is not threading.main_thread()
    loop.stop()
    threads[0].join(10)
    assert not threads[0].is_alive()


def test_watch_keys_list_reset_next_quit(tmp_path):
    """The key dispatcher, driven directly: l lists, r restores (keeping the edit), n moves on,
    q stops; h during a check waits for its verdict."""
    from bughunt.watch import Focus, Listed, Restored, Waiting

    second = make_exercise(tmp_path, *BASE)  # training_01.py
    first = make_exercise(tmp_path, "intermediate/train_val", "missing-eval-dropout", "eval() removed")
    emitted: list = []
    loop = _watcher(tmp_path, emitted)
    assert loop.begin() and loop.current.path == first and isinstance(emitted[-1], Focus)
    assert loop.press("l") and [r.path.name for r in emitted[-1].rows] == [first.name, second.name]
    assert isinstance(emitted[-1], Listed)
    original = first.read_text()
    first.write_text(original + "# my attempt\n")
    assert loop.press("r") and isinstance(emitted[-1], Restored)
    assert first.read_text() == original and "# my attempt" in emitted[-1].backup.read_text()
    assert loop.pending[0] == loop.current  # checked again right away
    assert loop.press("n") and isinstance(emitted[-1], Focus) and emitted[-1].target.path.name == second.name
    assert loop.pending[0].path.name == second.name
    loop.running = type("Busy", (), {"target": loop.current, "cancel": lambda self: None})()
    assert loop.press("h") and isinstance(emitted[-1], Waiting) and loop.deferred == "h"
    loop.running = None
    assert loop.press("x") and loop.press("q") is False


def test_a_newer_save_cancels_a_hanging_check(bughunt, tmp_path):
    """A save that hangs does not hold up the next one: the new save cancels its check."""
    path = make_exercise(tmp_path, *BASE)
    original = path.read_text()
    apply_patch(bughunt("reveal", path, "--yes").output, path)
    fixed = path.read_text()
    path.write_text(original)
    watcher = subprocess.Popen([sys.executable, "-m", "bughunt", "watch", "--workspace", str(tmp_path), "--poll",
                                "--timeout", "300"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _read_until(watcher, f"{path.name}  bug")
        path.write_text(original + HANG)
        _read_until(watcher, f"checking {path.name}")
        time.sleep(2)  # it hangs now, and would for 300 s
        path.write_text(fixed)
        start = time.monotonic()
        seen = _read_until(watcher, f"{path.name}  fixed", timeout=120)
        assert time.monotonic() - start < 120 and "again: a newer save came" in seen, seen
    finally:
        watcher.kill()
        watcher.wait()


def test_watch_keys_on_a_terminal(tmp_path):
    """On a terminal (a pty here) watch reads single keys without Enter and shows them under the verdict."""
    import pty
    import select as select_

    path = make_exercise(tmp_path, *BASE)
    pid, fd = pty.fork()
    if pid == 0:  # the child: bughunt watch with the pty as its terminal
        os.execv(sys.executable, [sys.executable, "-m", "bughunt", "watch", "--workspace", str(tmp_path), "--poll"])
    seen = ""

    def until(needle: str, timeout: float = 120) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while needle not in seen:
            assert time.monotonic() < deadline, seen
            if select_.select([fd], [], [], 1)[0]:
                try:
                    seen += os.read(fd, 4096).decode("utf-8", "replace")
                except OSError:  # the child is gone
                    break
        assert needle in seen, seen

    try:
        until("q quit")
        assert "h hint  l list  r reset  n next  q quit" in seen
        os.write(fd, b"l")
        until("last verdict")
        os.write(fd, b"q")
        until("stopped watching")
        _, code = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(code) == 0
        assert path.name in seen
    finally:
        with_suppressed = (ProcessLookupError, ChildProcessError)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except with_suppressed:
            pass
        os.close(fd)


def _exercise(program_id: str, bugs: int = 1, seed_from: int = 0, **wanted: str):
    from bughunt.clean_programs import get_program
    from bughunt.exercise import Exercise

    program = get_program(program_id)
    for seed in range(seed_from, 2000):
        exercise = Exercise(program, seed, bugs)
        if len(exercise.chosen) == bugs and all(any(getattr(m, k) == v for m in exercise.chosen)
                                                for k, v in wanted.items()):
            return exercise
    raise AssertionError(wanted)


def test_hint_2_names_the_kind_of_thing_that_is_wrong():
    from bughunt.learner import _ladder

    model = _ladder("boom", _exercise("training/classification_loop", bug="device-mismatch", form="model not moved"), [])
    labels = _ladder("boom", _exercise("training/classification_loop", bug="device-mismatch", form="labels not moved"),
                     [])
    assert "model" in model[1][1] and "each tensor" not in model[1][1]
    assert "labels" in labels[1][1] and model[1][1] != labels[1][1]


def test_hints_name_variables_as_the_exercise_does():
    import re

    from bughunt.learner import _ladder

    for program, kept in [("training/classification_loop", r"\b{} \+= "), ("data/dataset_loader", r"\b{}\.append\(")]:
        seen, seed = set(), 0
        while len(seen) < 3:  # the running total (or list) under several of its camouflaged names
            exercise = _exercise(program, bug="loss-accumulated-as-tensor", seed_from=seed)
            seed = exercise.seed + 1
            what = _ladder("boom", exercise, [])[0][1]
            [named] = re.findall(r"print (\w+) and its type", what)
            assert re.search(kept.format(named), exercise.source())  # the name the exercise's code uses
            seen.add(named)
        assert seen - {"total", "losses"}  # renamed ones among them


def test_multi_bug_hints_pair_each_tip_with_its_symptom():
    from bughunt.bug_catalog import get_class
    from bughunt.learner import _ladder

    exercise = _exercise("training/classification_loop", bugs=2)
    first, second = (get_class(m.bug) for m in exercise.chosen)
    what, where, _ = _ladder("now: boom", exercise, ["with a=1: symptom one", "with a=2: symptom two"])
    assert what[1].splitlines() == ["now: boom", "bug 1 on its own: with a=1: symptom one",
                                    f"  Tip: {first.first_hint(exercise.names(exercise.chosen[0]))}",
                                    "bug 2 on its own: with a=2: symptom two",
                                    f"  Tip: {second.first_hint(exercise.names(exercise.chosen[1]))}"]
    lines = where[1].splitlines()
    assert lines[0] == "bug 1 on its own: with a=1: symptom one" and lines[1].startswith("  It is in ")
    assert lines[2] == "bug 2 on its own: with a=2: symptom two"


def test_multi_bug_hint_names_each_bugs_own_symptom(bughunt, tmp_path):
    [path] = generate(bughunt, tmp_path, "--topic", "training", "--n", "1", "--bugs", "2", "--seed", "4")
    data = json.loads(bughunt("hint", path, "--json").output)
    text = data["hints"][0]["text"]
    assert "bug 1 on its own: with " in text and "bug 2 on its own: with " in text, text
    again = json.loads(bughunt("hint", path, "--json").output)["hints"][0]  # remembered: no new verification
    assert again["step"] == 2 and "bug 2 on its own: with " in again["text"]


def test_the_remaining_count_is_always_shown(tmp_path):
    """A stacked exercise whose file behaves like no partly fixed version: every bug may remain."""
    from bughunt.detector.runner import Verdict
    from bughunt.grading import verify_target
    from bughunt.workspace import Entry, Target

    exercise = _exercise("training/classification_loop", bugs=2)
    workspace = Workspace.open(tmp_path, create=True)
    text = exercise.text("training_01.py")
    workspace.add(Entry("training_01.py", exercise.program.id, exercise.seed, sha256(text), bugs=2), text)

    class Session:
        def __init__(self, verdict: Verdict) -> None:
            self.verdict = verdict

        def verify(self, *args, **kwargs) -> Verdict:
            return self.verdict

    target = workspace.targets()[0]
    assert verify_target(Session(Verdict(False, "boom")), target).message == "2 of 2 bugs may remain; boom"
    assert verify_target(Session(Verdict(False, "boom", remaining=1)), target).message == "1 of 2 bugs remain; boom"
    syntax = Verdict(False, "syntax error at line 3 column 1: x", unusable=True)
    assert verify_target(Session(syntax), target).message == syntax.message  # no count before a syntax error
    assert isinstance(target, Target)
