"""The clean programs: runnable on their own, and their parameters match main()."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import resources

import pytest

from bughunt.clean_programs import PROGRAMS, TOPICS, programs_of


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
def test_params_are_keywords_of_main(program):
    tree = ast.parse(program.source())
    [main] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    defaults = {a.arg: ast.literal_eval(d) for a, d in zip(main.args.args[-len(main.args.defaults):], main.args.defaults)}
    assert set(program.params) <= set(defaults)
    assert ast.get_docstring(tree), "a clean program starts with a docstring for the learner"


def test_every_topic_has_two_programs():
    assert all(len(programs_of(t.id)) >= 2 for t in TOPICS)


def test_every_program_runs_on_its_own_and_prints_a_summary():
    paths = [str(resources.files("bughunt.clean_programs").joinpath(p.topic, p.filename)) for p in PROGRAMS]
    script = (
        "import runpy, sys\n"
        "for path in sys.argv[1:]:\n"
        "    print('==', path, flush=True)\n"
        "    runpy.run_path(path, run_name='__main__')\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    chunks = out.stdout.split("== ")[1:]
    assert len(chunks) == len(PROGRAMS)
    for chunk in chunks:
        assert len(chunk.strip().splitlines()) >= 2, chunk  # the path line, then the summary
