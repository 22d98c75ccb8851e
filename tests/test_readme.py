"""The README's commands are the ones that work: CI runs the README's test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_commands():
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith((".venv", "python3 -m"))]
    readme = (ROOT / "README.md").read_text()
    assert len(commands) == 2 and all(command in readme for command in commands)
    assert "torch==2.13.0" in commands[0]  # never a plain `torch`: that is a CUDA download of GBs
    assert commands[1].endswith("pytest -m slow")


def test_readme_lists_every_command():
    from bughunt.cli import main

    readme = (ROOT / "README.md").read_text()
    for name in main.commands:
        assert f"bughunt {name}" in readme, name
