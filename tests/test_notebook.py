"""Exercises as notebooks: the cells hold the program exactly, verify gives a notebook the verdict
of its .py form, every command takes one, and (slow) a real Jupyter kernel runs a generated
notebook, is fixed by applying the reveal diff to its cells, and verifies itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bughunt.notebook import code_of, split
from tests.conftest import apply_patch


def apply_to_cells(diff: str, notebook: Path) -> None:  # (diff, target): as conftest.apply_patch
    """Apply a unified diff of a notebook's code to its code cells, hunk by hunk, as a learner
    would by editing the cells the hunks point at."""
    data = json.loads(notebook.read_text())
    hunks = diff.split("\n@@")[1:]
    assert hunks, diff
    for hunk in hunks:
        lines = hunk.split("\n")[1:]
        old = "".join(line[1:] + "\n" for line in lines if line[:1] in (" ", "-"))
        new = "".join(line[1:] + "\n" for line in lines if line[:1] in (" ", "+"))
        cells = [c for c in data["cells"] if c["cell_type"] == "code" and old in "".join(c["source"])]
        assert len(cells) == 1, hunk
        cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new)
    notebook.write_text(json.dumps(data, indent=1))


HEADER_LINES = 5  # the .py exercise's header comment and the blank line after it


def _in_code_lines(message: str) -> str:
    """A .py verdict's message with its line numbers counted in the code, as a notebook's are."""
    return re.sub(r"\bline (\d+)", lambda m: f"line {int(m[1]) - HEADER_LINES}", message)


@pytest.fixture
def both(bughunt, tmp_path):
    """The same exercise (training, seed 7) as a .py file and as a notebook."""
    for form in ("py", "ipynb"):
        result = bughunt("generate", "--topic", "training", "--n", "1", "--seed", "7", "--format", form,
                         "--out", tmp_path / form)
        assert result.exit_code == 0, result.output
    return tmp_path / "py" / "training_01.py", tmp_path / "ipynb" / "training_01.ipynb"


def test_the_cells_hold_the_program_exactly(both):
    py, nb = both
    code = py.read_text().split("\n\n", 1)[1]  # the .py exercise without its header
    cells = json.loads(nb.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# bughunt exercise: ")
    assert "bughunt verify training_01.ipynb" in "".join(cells[0]["source"])
    assert "".join(cells[-1]["source"]) == "%load_ext bughunt\n%bughunt verify training_01.ipynb"
    assert code_of(nb.read_text()) == code and len(cells) > 4  # split where a reader would split
    assert [c for c in split(code) if c.lstrip().startswith("def main(")]


def test_a_notebook_gets_the_verdict_of_its_py_form(bughunt, both):
    py, nb = both
    before = [json.loads(bughunt("verify", path, "--json").output)[0] for path in (py, nb)]
    assert not before[0]["fixed"] and not before[1]["fixed"]
    assert _in_code_lines(before[0]["message"]) == before[1]["message"]
    diff = bughunt("reveal", nb, "--yes").output
    assert diff.startswith("--- a/training_01.ipynb\n+++ b/training_01.ipynb\n")
    apply_to_cells(diff, nb)
    apply_patch(bughunt("reveal", py, "--yes").output, py)
    assert [bughunt("verify", path).exit_code for path in (py, nb)] == [0, 0]
    status = json.loads(bughunt("status", "--workspace", nb.parent, "--json").output)
    assert status[0]["state"] == "fixed" and status[0]["path"].endswith(".ipynb")


def test_every_command_takes_a_notebook(bughunt, both, tmp_path):
    py, nb = both
    assert "Hint 1 of 3" in bughunt("hint", nb).output
    nb.write_text(nb.read_text().replace("import torch", "import torch  # edited"))
    assert bughunt("reset", nb, "--yes").exit_code == 0
    assert "# edited" not in nb.read_text() and (nb.parent / "training_01.ipynb.bak").exists()
    graded = json.loads(bughunt("grade", nb, nb, py, "--json").output)  # the exercise, then two submissions
    assert [r["fixed"] for r in graded] == [False, False]
    assert _in_code_lines(graded[1]["message"]) == graded[0]["message"]  # a .py submission: its .py form
    (tmp_path / "broken.ipynb").write_text("{not json")
    broken = json.loads(bughunt("grade", nb, tmp_path / "broken.ipynb", "--json").output)
    assert broken[0]["message"] == "cannot be read: not a Jupyter notebook (no cells in its JSON)"
    (nb.parent / ".bughunt" / "manifest.json").unlink()  # the notebook's first cell names its program
    assert "rebuilt" in bughunt("repair", "--workspace", nb.parent).output


@pytest.mark.slow
def test_a_generated_notebook_runs_is_fixed_and_verifies_itself_in_a_real_kernel(bughunt, both):
    import nbformat
    from nbclient import NotebookClient

    _, nb = both

    def run_in_kernel() -> str:
        notebook = nbformat.read(nb, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(nb.parent)}}).execute()
        outputs = notebook.cells[-1].get("outputs", [])
        return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")

    assert run_in_kernel().startswith("training_01.ipynb  bug    with ")
    apply_to_cells(bughunt("reveal", nb, "--yes").output, nb)
    assert run_in_kernel() == "training_01.ipynb  fixed\n"
    assert bughunt("verify", nb).exit_code == 0
