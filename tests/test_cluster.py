"""--cluster: the same jobs on a Dask cluster give the same results as on this machine.

A local cluster on loopback with two worker processes stands in for real machines; the
README says how to point the commands at a real one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample_project"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local.scheduler_address


def test_an_unreachable_scheduler_is_one_line(bughunt, monkeypatch):
    monkeypatch.setattr("bughunt.cluster.CONNECT_TIMEOUT", "1s")
    result = bughunt("selfcheck", "--bug", "float-labels", "--cluster", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_mutate_on_the_cluster_equals_a_local_run(bughunt, cluster, tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    monkeypatch.chdir(project)
    args = ["mutate", "tinyclf/train.py", "tinyclf/model.py", "--class", "missing-zero-grad", "--class",
            "wrong-cat-dim", "--class", "device-mismatch", "--json", "--no-cache"]
    here = json.loads(bughunt(*args).output)
    there = json.loads(bughunt(*args, "--cluster", cluster).output)
    outcome = lambda report: [(m["file"], m["line"], m["class"], m["form"], m["status"], m["tests"])
                              for m in report["mutants"]]
    assert outcome(there) == outcome(here)
    assert {m["status"] for m in here["mutants"]} >= {"killed", "not covered", "not testable here"}


@pytest.mark.slow
def test_the_kill_matrix_on_the_cluster_equals_a_local_run(cluster):
    from bughunt.clean_programs import get_program
    from bughunt.selfcheck import kill_matrix

    programs = [get_program("training/classification_loop"), get_program("intermediate/train_val")]
    bugs = ("float-labels", "missing-eval-dropout")
    here, there = kill_matrix(programs, bugs=bugs, jobs=2), kill_matrix(programs, bugs=bugs, cluster=cluster)
    rows = lambda matrix: [(r.program, r.mutant.bug, r.mutant.site, r.mutant.form, r.killed) for r in matrix.rows]
    assert rows(there) == rows(here) and here.ok and there.counts() == here.counts()


@pytest.mark.slow
def test_stats_check_on_the_cluster_equals_a_local_run(cluster):
    from bughunt.stats import all_stats

    here = all_stats(["data"], seeds=3, bugs=1, check=True, jobs=1)
    there = all_stats(["data"], seeds=3, bugs=1, check=True, cluster=cluster)
    assert there == here and here[0].caught == here[0].distinct


@pytest.mark.slow
def test_grade_on_the_cluster_equals_a_local_run(bughunt, cluster, tmp_path):
    from conftest import apply_patch, make_exercise

    exercise = make_exercise(tmp_path / "ws", "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(exercise, folder / "buggy.py")
    fixed = folder / "fixed.py"
    shutil.copy(exercise, fixed)
    apply_patch(bughunt("reveal", exercise, "--yes").output, fixed)
    (folder / "broken.py").write_text("def main(:\n")
    local = json.loads(bughunt("grade", exercise, folder, "--json", "--jobs", "1").output)
    remote = json.loads(bughunt("grade", exercise, folder, "--json", "--jobs", "2", "--cluster", cluster).output)
    strip = lambda rows: [(Path(r["path"]).name, r["fixed"], r["message"]) for r in rows]  # noqa: E731
    assert strip(remote) == strip(local)
    assert [fixed for _, fixed, _ in strip(local)] == [False, False, True]  # broken, buggy, fixed
