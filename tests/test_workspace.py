"""The workspace: found from where the learner stands, repairable, safe under concurrent runs,
listed in natural order."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bughunt.exercise import Exercise, identify
from bughunt.workspace import entry_of
from bughunt.clean_programs import get_program
from bughunt.workspace import MANIFEST, STATE, Entry, Workspace, locate, natural, sha256

PROGRAM = "training/classification_loop"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One generated workspace (two exercises) inside a project folder; tests work on copies."""
    from click.testing import CliRunner

    from bughunt.cli import main

    project = tmp_path_factory.mktemp("made")
    result = CliRunner().invoke(main, ["generate", "--topic", "training", "--n", "2", "--seed", "3",
                                       "--out", str(project / "bughunt-workspace")])
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def project(made, tmp_path) -> Path:
    shutil.copytree(made, tmp_path / "project")
    return tmp_path / "project"


def fake(workspace: Workspace, name: str) -> None:
    workspace.add(Entry(name, PROGRAM, 1, sha256("x\n")), "x\n")


# --- order -------------------------------------------------------------------------------------


def test_natural_order_past_99(tmp_path):
    names = ["training_100.py", "training_10.py", "training_2.py", "data_01.py", "training_99.py"]
    assert sorted(names, key=natural) == ["data_01.py", "training_2.py", "training_10.py", "training_99.py",
                                          "training_100.py"]
    workspace = Workspace.open(tmp_path, create=True)
    for name in names:
        fake(workspace, name)
    expected = ["data_01.py", "training_2.py", "training_10.py", "training_99.py", "training_100.py"]
    assert [t.entry.file for t in Workspace.open(tmp_path).targets()] == expected
    data = json.loads((tmp_path / MANIFEST).read_text())
    assert [e["file"] for e in data["exercises"]] == expected

    from bughunt.learner import status

    assert [r.path.name for r in status(Workspace.open(tmp_path))] == expected


def test_free_names_go_past_99(tmp_path):
    workspace = Workspace.open(tmp_path, create=True)
    for n in range(1, 100):
        workspace.entries[f"training_{n:02d}.py"] = Entry(f"training_{n:02d}.py", PROGRAM, n, "")
    assert workspace.free_name("training") == "training_100.py"


# --- where the learner stands ------------------------------------------------------------------


def test_locate_looks_upward_as_git_does(tmp_path):
    root = tmp_path / "ws"
    (root / "notes" / "deep").mkdir(parents=True)
    Workspace.open(root, create=True).save()
    assert locate(start=root) == root
    assert locate(start=root / "notes" / "deep") == root
    assert locate(start=tmp_path) == tmp_path / "bughunt-workspace"  # nothing here: the default
    assert locate(Path("given"), start=root) == Path("given")  # --workspace wins


def test_every_command_works_from_inside_the_workspace(bughunt, project, monkeypatch):
    ws = project / "bughunt-workspace"
    (ws / "notes").mkdir()
    monkeypatch.chdir(ws / "notes")  # below the workspace
    rows = json.loads(bughunt("status", "--json").output)
    assert [Path(r["path"]).name for r in rows] == ["training_01.py", "training_02.py"]
    monkeypatch.chdir(ws)
    result = bughunt("verify", "training_01.py", "--json")  # what the exercise's header says to run
    assert result.exit_code == 1 and json.loads(result.output)[0]["message"].startswith("with ")
    assert "Hint 1 of 3" in bughunt("hint", "training_01.py").output
    assert bughunt("reveal", "training_01.py", "--yes").output.startswith("--- a/training_01.py")
    monkeypatch.chdir(project)  # the folder generate ran in: bare names are found in ./bughunt-workspace
    result = bughunt("verify", "training_02.py", "--json")
    assert result.exit_code == 1 and Path(json.loads(result.output)[0]["path"]).name == "training_02.py"


def test_verify_a_folder_verifies_its_exercises(bughunt, project, monkeypatch):
    monkeypatch.chdir(project)
    for folder in ("bughunt-workspace", "."):  # the workspace, or the folder that holds it
        result = bughunt("verify", folder, "--json")
        assert result.exit_code == 1
        assert [Path(r["path"]).name for r in json.loads(result.output)] == ["training_01.py", "training_02.py"]
    empty = project / "empty"
    empty.mkdir()
    result = bughunt("verify", empty)
    assert result.exit_code == 2 and result.output.startswith("error: ") and result.output.count("\n") == 1


# --- nothing lost, everything repairable -------------------------------------------------------


def test_the_header_names_program_and_seed_but_no_bug():
    exercise = Exercise(get_program(PROGRAM), 123456, 2, plain=True)
    text = exercise.text("training_07.py")
    assert text.splitlines()[0].endswith(f"({PROGRAM}, seed 123456, 2 bugs, plain)")
    assert identify(text + "# my edits\n") == exercise
    for mutant in exercise.chosen:
        assert mutant.bug not in text.splitlines()[0]
    entry = entry_of("training_07.py", text)
    assert (entry.program, entry.seed, entry.bugs, entry.plain, entry.sha256) == (PROGRAM, 123456, 2, True,
                                                                                   sha256(text))


@pytest.mark.parametrize("damage", ["deleted", "corrupted"])
def test_a_lost_manifest_is_rebuilt_on_the_next_command(bughunt, project, monkeypatch, damage):
    ws = project / "bughunt-workspace"
    manifest = ws / MANIFEST
    original = json.loads(manifest.read_text())
    (ws / "training_01.py").write_text((ws / "training_01.py").read_text() + "# my work\n")
    if damage == "deleted":
        manifest.unlink()
    else:
        manifest.write_text('{"format": 1, "exercises": [{"fi')
    monkeypatch.chdir(ws)
    result = bughunt("status", "--json")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: ") and "rebuilt" in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == (1 if damage == "deleted" else 2)
    assert json.loads(manifest.read_text()) == original  # the same entries, byte for byte
    states = {Path(r["path"]).name: r["state"] for r in json.loads(result.stdout)}
    assert states == {"training_01.py": "edited", "training_02.py": "new"}
    if damage == "corrupted":
        assert (ws / ".bughunt" / "manifest.json.bak").read_text().startswith('{"format": 1, "exercises": [{"fi')


def test_repair_command_rebuilds_adds_orphans_and_restarts_a_bad_progress_file(bughunt, project, monkeypatch):
    ws = project / "bughunt-workspace"
    original = json.loads((ws / MANIFEST).read_text())
    monkeypatch.chdir(ws)
    assert bughunt("repair").output == "nothing to repair: 2 exercises, all there\n"
    (ws / MANIFEST).unlink()
    (ws / STATE).write_text("{not json")
    result = bughunt("repair")
    assert result.exit_code == 0
    assert "rebuilt" in result.output and "training_01.py, training_02.py" in result.output
    assert "state.json is unreadable" in result.output and (ws / ".bughunt" / "state.json.bak").exists()
    assert json.loads((ws / MANIFEST).read_text()) == original
    shutil.rmtree(ws / ".bughunt")  # everything bughunt keeps is gone: the files still tell
    assert "rebuilt" in bughunt("repair").output
    assert json.loads((ws / MANIFEST).read_text()) == original


def test_reset_writes_a_deleted_exercise_again(bughunt, project, monkeypatch):
    ws = project / "bughunt-workspace"
    text = (ws / "training_02.py").read_text()
    (ws / "training_02.py").unlink()
    monkeypatch.chdir(ws)
    result = bughunt("reset", "training_02.py", "--yes")
    assert result.exit_code == 0 and result.output == "restored training_02.py\n"
    assert (ws / "training_02.py").read_text() == text
    assert bughunt("reset", "training_09.py", "--yes").output == "error: training_09.py: no such file\n"


def test_two_stale_views_both_land_in_the_manifest(tmp_path):
    """The manifest update is a read-modify-write under the lock, and the name is chosen under it:
    two processes that opened the workspace before either wrote keep each other's exercises."""
    first, second = Workspace.open(tmp_path, create=True), Workspace.open(tmp_path, create=True)

    def make(name: str) -> tuple[Entry, str]:
        return Entry(name, PROGRAM, 1, sha256(name)), name

    a = first.add_new("training", make)
    b = second.add_new("training", make)
    assert (a.name, b.name) == ("training_01.py", "training_02.py")
    assert sorted(Workspace.open(tmp_path).entries) == ["training_01.py", "training_02.py"]


def test_two_generate_runs_at_once_both_land(tmp_path):
    runs = [subprocess.Popen([sys.executable, "-m", "bughunt", "generate", "--topic", "data", "--n", "2", "--seed",
                              str(seed), "--out", str(tmp_path), "--json"], stdout=subprocess.PIPE, text=True)
            for seed in (1, 2)]
    written = [Path(d["path"]).name for run in runs for d in json.loads(run.communicate(timeout=600)[0])]
    assert all(run.returncode == 0 for run in runs)
    assert sorted(written, key=natural) == [f"data_{n:02d}.py" for n in range(1, 5)]
    assert sorted(Workspace.open(tmp_path).entries, key=natural) == sorted(written, key=natural)


def test_an_unwritable_output_folder_is_one_line_naming_it(bughunt, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = bughunt("generate", "--topic", "data", "--n", "1", "--out", blocker / "ws")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith("error: ") and str(blocker) in result.output, result.output
    assert "internal error" not in result.output


def test_generate_writes_each_exercise_as_soon_as_it_is_checked(tmp_path):
    """Interrupted after the first exercise (Ctrl-C), generate has already written and recorded it."""
    from bughunt.generation import generate, select_programs

    seen = []

    def on_written(generated) -> None:
        seen.append((generated.path.exists(), generated.path.name in Workspace.open(tmp_path).entries))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(select_programs("data", None, None), 3, 5, tmp_path, on_written=on_written)
    assert seen == [(True, True)]
    assert sorted(Workspace.open(tmp_path).entries) == ["data_01.py"]
