"""The rooms of README's "How it fits together": imports only go down the list."""

from __future__ import annotations

import ast
from pathlib import Path

import bughunt

ROOT = Path(bughunt.__file__).parent
# top to bottom, as in the README; a room may import only rooms listed below it
ROOMS = ["cli", "magic", "mutation_testing", "watch", "learner", "grade", "stats", "selfcheck", "generation", "grading",
         "workspace", "exercise", "notebook", "camouflage", "bug_catalog", "mutator", "witnesses", "detector", "programs",
         "clean_programs", "cluster", "errors"]
SHARED = {"bughunt", "ui"}  # the version string; the CLI's printing helpers


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bughunt"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bughunt"))
    return found


def test_imports_only_go_down():
    wrong = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        here = room(".".join(relative.parts).removesuffix(".__init__"))
        if here not in ROOMS:
            continue
        for module in imports(path):
            there = room(module)
            if there in SHARED or there == here:
                continue
            if there not in ROOMS or ROOMS.index(there) < ROOMS.index(here):
                wrong.append(f"{relative} imports {module}")
    assert wrong == []


def test_only_grading_builds_a_verifier():
    builders = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py")
                if "Session(" in p.read_text() and p.name not in {"runner.py"}]
    assert builders == ["grading.py"]
