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


def test_the_class_list_follows_the_catalogs_families():
    import re

    from bughunt.bug_catalog import all_classes

    text = (Path(__file__).parent.parent / "README.md").read_text()
    listed, family = {}, None
    for line in text.splitlines():
        heading = re.fullmatch(r"\*\*(.+)\*\* \(\d+\)", line)
        family = heading[1] if heading else None if line.startswith("#") or line.startswith("`") else family
        item = re.match(r"- `([a-z0-9-]+)`", line)
        if item and family:
            listed[item[1]] = family
    assert listed == {bug.id: bug.family for bug in all_classes()}
