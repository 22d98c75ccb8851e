"""bughunt mutate on tests/sample_project: a foreign-style package with a suite of mixed strength.

The sample's own tests run only here, in copies (tests/conftest.py keeps pytest from collecting
them as bughunt's). Runs cost a test-suite run per mutant, so the default run keeps to a few
mutants; the whole report is checked by the slow test.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample_project"


def digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".pytest_cache" not in path.parts:
            sha.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return sha.hexdigest()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the sample project as the current folder, with its own cache folder."""
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


def report(result) -> dict:
    return json.loads(result.output)


def test_dry_run_lists_mutants_with_diffs_and_runs_nothing(bughunt, project):
    before = digest(project)
    result = bughunt("mutate", "tinyclf", "--dry-run", "--json")
    assert result.exit_code == 0
    mutants = report(result)
    assert {m["file"] for m in mutants} == {"tinyclf/model.py", "tinyclf/data.py", "tinyclf/train.py", "tinyclf/run.py"}
    cat = next(m for m in mutants if m["class"] == "wrong-cat-dim")
    assert cat["file"] == "tinyclf/model.py" and "-        joined = cat(" in cat["diff"] and "dim=0" in cat["diff"]
    assert all(m["diff"].startswith(f"--- a/{m['file']}") for m in mutants)
    assert digest(project) == before
    # the foreign style (a ReLU module, a scheduler stepped around a train function of another
    # module, eval() on a model built elsewhere) hides no canonical class
    from bughunt.bug_catalog import all_classes

    assert {b.id for b in all_classes() if b.canonical} <= {m["class"] for m in mutants}


def test_dry_run_text_and_class_filter(bughunt, project):
    result = bughunt("mutate", "tinyclf/train.py", "--dry-run", "--class", "missing-zero-grad")
    assert result.exit_code == 0
    assert "tinyclf/train.py:29  missing-zero-grad  (zero_grad() removed)" in result.output
    assert "4 mutants in 1 files" in result.output


def test_a_loss_made_in_the_run_script_is_known_in_the_training_module(bughunt, project):
    """run.py makes the cross-entropy and hands it to train.py's run_epoch as ``loss_fn``: mutating
    train.py alone, its loss call is still a cross-entropy's (the other files are read for it)."""
    result = bughunt("mutate", "tinyclf/train.py", "--dry-run", "--json", "--class", "float-labels",
                     "--class", "target-shape", "--class", "softmax-before-cross-entropy")
    found = {(m["class"], m["scope"], m["line"]) for m in report(result)}
    assert {("float-labels", "run_epoch", 30), ("target-shape", "run_epoch", 30),
            ("softmax-before-cross-entropy", "run_epoch", 30)} <= found
    (project / "tinyclf" / "run.py").write_text(
        (project / "tinyclf" / "run.py").read_text().replace("torch.nn.CrossEntropyLoss()", "torch.nn.MSELoss()"))
    (project / "tests" / "test_train.py").write_text(
        (project / "tests" / "test_train.py").read_text().replace("torch.nn.CrossEntropyLoss()", "torch.nn.MSELoss()"))
    result = bughunt("mutate", "tinyclf/train.py", "--dry-run", "--json", "--class", "float-labels")
    assert "run_epoch" not in {m["scope"] for m in report(result)}  # nothing says it is a cross-entropy now


def test_bad_input_is_one_line(bughunt, project):
    result = bughunt("mutate", "nothere")
    assert result.exit_code == 2 and result.output.strip() == "error: nothere: no such file or folder"
    result = bughunt("mutate", "tinyclf", "--class", "no-such-class", "--dry-run")
    assert result.exit_code == 2 and "unknown bug class 'no-such-class'" in result.output


def test_a_failing_suite_stops_before_any_mutant(bughunt, tmp_path, monkeypatch):
    (tmp_path / "model.py").write_text("import torch\ndef join(a, b):\n    return torch.cat([a, b], dim=1)\n")
    (tmp_path / "test_model.py").write_text("def test_broken():\n    assert 1 == 2, 'the suite is red'\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    before = (tmp_path / "model.py").read_text()
    result = bughunt("mutate", "model.py", "--class", "wrong-cat-dim")
    assert result.exit_code == 2
    assert result.output.startswith("error: the tests fail on the unmutated project")
    assert "the suite is red" in result.output and (tmp_path / "model.py").read_text() == before


def test_killed_not_covered_and_the_cache(bughunt, project):
    before = digest(project)
    first = bughunt("mutate", "tinyclf/train.py", "--class", "missing-zero-grad", "--json", "--fail-under", "40")
    data = report(first)
    assert data["classes"] == {"missing-zero-grad": {"killed": 2, "survived": 0, "timed out": 0, "not covered": 2,
                                                      "not testable here": 0}}
    assert first.exit_code == 0 and data["score"] == 50.0
    # run_epoch's mutants ran only the tests that reach run_epoch, not the whole suite of 8
    assert sorted(m["tests"] for m in data["mutants"] if m["status"] == "killed") == [3, 3]
    assert digest(project) == before
    # a second run answers from the cache; editing another file keeps train.py's results
    model = project / "tinyclf" / "model.py"
    model.write_text(model.read_text().replace("width: int = 16", "width: int = 12"))
    second = report(bughunt("mutate", "tinyclf/train.py", "--class", "missing-zero-grad", "--json"))
    assert all(m["cached"] for m in second["mutants"]) and second["classes"] == data["classes"]
    assert bughunt("mutate", "tinyclf/train.py", "--class", "missing-zero-grad", "--fail-under", "60").exit_code == 1


@pytest.mark.slow
def test_the_whole_report(bughunt, project):
    result = bughunt("mutate", "tinyclf", "--json")
    data = report(result)
    classes = data["classes"]
    # the strong tests: the loss must fall, evaluation must be deterministic, every parameter must move
    for bug in ("missing-zero-grad", "wrong-cat-dim"):
        assert classes[bug]["killed"] == 2 and classes[bug]["survived"] == 0, bug
    # the virtual CUDA device kills a batch left on the CPU where the tests train on "cuda" ...
    assert classes["device-mismatch"]["killed"] == 7 and classes["device-mismatch"]["survived"] == 0
    # ... and predict()'s, which only a CPU test reaches, are not testable here, not survivors
    untestable = [m for m in data["mutants"] if m["status"] == "not testable here"]
    assert {(m["class"], m["scope"]) for m in untestable} == {("device-mismatch", "predict")} and len(untestable) == 2
    # fine_tune_head() has no test
    uncovered = [m for m in data["mutants"] if m["status"] == "not covered"]
    assert len(uncovered) >= 10 and {m["scope"] for m in uncovered} == {"fine_tune_head"}
    # the weak spots: nothing checks the schedule, the block's values, or that evaluation builds no graph
    survivors = {m["class"] for m in data["survivors"]}
    assert {"scheduler-per-batch", "inplace-relu", "residual-missing", "validation-without-no-grad"} <= survivors
    entry = next(s for s in data["survivors"] if s["class"] == "scheduler-per-batch")
    assert "param_groups[0]['lr']" in entry["catch"] and "count their own step() calls" in entry["why"]
    assert entry["file"] == "tinyclf/run.py" and "+        for _ in range(len(train_batches)):" in entry["diff"]
    assert result.exit_code == 0 and 30 < data["score"] < 60
