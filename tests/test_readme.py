"""The README's commands are the ones that work: CI runs the README's test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in (ROOT / "README.md").read_text()
    assert "torch==2.13.0" in ci_command  # never a plain `torch`: that is a CUDA download of GBs


def test_readme_lists_every_command():
    from bughunt.cli import main

    readme = (ROOT / "README.md").read_text()
    for name in main.commands:
        assert f"bughunt {name}" in readme, name
