"""Learner code is untrusted: verify cannot be hung, crashed, fooled, or made to lose work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bughunt.grading import verify
from bughunt.workspace import MANIFEST, STATE, Workspace

from conftest import apply_patch, make_exercise
from hostile_cases import BASE, CASES, TIMEOUT, inject


def one_line_verdict(bughunt, path: Path, *extra: str) -> tuple[int, str]:
    result = bughunt("verify", path, "--json", "--timeout", TIMEOUT, *extra)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    [entry] = json.loads(result.output)
    assert "\n" not in entry["message"]
    return result.exit_code, entry["message"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(bughunt, tmp_path, case):
    path = make_exercise(tmp_path / "ws", *case.base)
    hostile = inject(path.read_text(), case, str(tmp_path / "ws"))
    path.write_text(hostile)
    start = time.monotonic()
    code, message = one_line_verdict(bughunt, path)
    assert (code, case.expect in message) == (case.exit_code, True), message
    assert time.monotonic() - start < 60
    assert path.read_text() == hostile  # the learner's file is never lost
    Workspace.open(tmp_path / "ws")  # the workspace still reads


def test_children_of_the_program_are_killed(bughunt, tmp_path):
    case = next(c for c in CASES if c.name == "leaves a child process running")
    path = make_exercise(tmp_path, *BASE)
    path.write_text(inject(path.read_text(), case, str(tmp_path)))
    one_line_verdict(bughunt, path)
    time.sleep(0.5)
    leftovers = subprocess.run(["pgrep", "-f", "sleep 4242"], capture_output=True, text=True).stdout.split()
    assert leftovers == []


def test_two_verify_runs_at_once_keep_a_consistent_state(bughunt, tmp_path):
    fixed = make_exercise(tmp_path, *BASE)
    apply_patch(bughunt("reveal", fixed, "--yes").output, fixed)
    buggy = make_exercise(tmp_path, "intermediate/train_val", "missing-eval-dropout", "eval() removed")
    runs = [subprocess.Popen([sys.executable, "-m", "bughunt", "verify", *paths, "--json"], stdout=subprocess.PIPE,
                             text=True) for paths in ([str(fixed), str(buggy)], [str(buggy), str(fixed)])]
    outputs = [json.loads(run.communicate(timeout=300)[0]) for run in runs]
    for output in outputs:
        verdicts = {Path(v["path"]).name: v["fixed"] for v in output}
        assert verdicts == {fixed.name: True, buggy.name: False}
    state = json.loads((tmp_path / STATE).read_text())["exercises"]
    assert state[fixed.name]["fixed"] is True and state[buggy.name]["fixed"] is False


def test_twenty_runs_twenty_identical_verdicts(tmp_path):
    buggy = make_exercise(tmp_path, "models/conditioning", "wrong-cat-dim", "dim=0")
    fixed = make_exercise(tmp_path, "data/dataset_loader", "missing-zero-grad", "zero_grad() removed")
    fixed.write_text(fixed.read_text().replace("            loss = criterion(",
                                               "            optimizer.zero_grad()\n            loss = criterion(", 1))
    verdicts = {(r.verdict.fixed, r.verdict.message) for _ in range(20) for r in verify((buggy,), tmp_path)}
    assert len(verdicts) == 1 and not next(iter(verdicts))[0]
    assert {r.verdict.fixed for _ in range(20) for r in verify((fixed,), tmp_path)} == {True}


# --- fuzzing: real exercises with lines and tokens deleted, duplicated, swapped ---------------

FUZZ_EXAMPLES = int(os.environ.get("BUGHUNT_FUZZ_EXAMPLES", "12"))
TOKEN = r"\w+|[^\w\s]"


@st.composite
def mangle(draw: st.DrawFn, text: str) -> str:
    import re

    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete line", "duplicate line", "swap lines", "delete token",
                                   "duplicate token", "swap tokens"]))
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        if op == "delete line":
            del lines[i]
        elif op == "duplicate line":
            lines.insert(i, lines[i])
        elif op == "swap lines":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            tokens = list(re.finditer(TOKEN, lines[i]))
            if not tokens:
                continue
            a, b = draw(st.sampled_from(tokens)), draw(st.sampled_from(tokens))
            line = lines[i]
            if op == "delete token":
                lines[i] = line[:a.start()] + line[a.end():]
            elif op == "duplicate token":
                lines[i] = line[:a.end()] + " " + a.group() + line[a.end():]
            elif a.start() < b.start() and a.end() <= b.start():
                lines[i] = line[:a.start()] + b.group() + line[a.end():b.start()] + a.group() + line[b.end():]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    return make_exercise(root, "intermediate/train_val", "missing-eval-dropout", "eval() removed")


@settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzzed_exercises_get_a_one_line_answer(bughunt, fuzz_base, data):
    original = fuzz_base.read_text() if not hasattr(fuzz_base, "_original") else fuzz_base._original
    mangled = data.draw(mangle(original))
    try:
        fuzz_base.write_text(mangled)
        start = time.monotonic()
        result = bughunt("verify", fuzz_base, "--json", "--timeout", "10")
        assert result.exit_code in (0, 1, 2)
        assert "Traceback" not in result.output and "internal error" not in result.output, result.output
        if result.output.startswith("error:"):
            assert result.output.count("\n") == 1
        else:
            [entry] = json.loads(result.output)
            assert "\n" not in entry["message"] and (entry["fixed"] or entry["message"])
        assert time.monotonic() - start < 60
        assert json.loads((fuzz_base.parent / MANIFEST).read_text())
    finally:
        fuzz_base.write_text(original)
