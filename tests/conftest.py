from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bughunt.cli import main


class Bughunt:
    """Runs the CLI in-process, as a user would type it."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def bughunt() -> Bughunt:
    return Bughunt()


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """bughunt's caches (a user program's witnesses, mutate's results) in a folder of this test
    session's, not the user's: a test never reads what an earlier run left (a test may still set
    its own)."""
    import os

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


def apply_patch(diff: str, target: Path) -> None:
    """Apply a unified diff with the real `patch` tool, as the README tells learners to."""
    subprocess.run(["patch", "--quiet", str(target)], input=diff, text=True, check=True)


def make_exercise(root: Path, program_id: str, bug: str, form: str) -> Path:
    """Write the plain (not camouflaged) exercise of ``program_id`` whose one bug is ``bug`` in
    ``form`` (at its first site) into a workspace."""
    from bughunt import __version__
    from bughunt.clean_programs import get_program
    from bughunt.exercise import Exercise, choose_mutants, mutants
    from bughunt.workspace import Entry, Workspace, sha256

    program = get_program(program_id)
    target = next(m for m in mutants(program) if m.bug == bug and m.form == form)
    seed = next(s for s in range(100_000) if choose_mutants(program, s, 1)[0] is target)
    exercise = Exercise(program, seed, plain=True)
    workspace = Workspace.open(root, create=True)
    name = workspace.free_name(program.topic)
    text = exercise.text(name)
    entry = Entry(name, program.id, seed, sha256(text), __version__, 1, exercise.fingerprint(), plain=True)
    return workspace.add(entry, text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


# tests/sample_project is a user's project that `bughunt mutate` is tested on: its own test
# suite runs only inside those tests (in a copy), never as part of bughunt's
collect_ignore = ["sample_project"]
