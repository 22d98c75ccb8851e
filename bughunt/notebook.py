"""Exercises as Jupyter notebooks (``generate --format ipynb``).

A notebook exercise is the ``.py`` exercise laid out in cells: a markdown cell with the header
(its first line names the program and seed, as the ``.py`` header's does, for ``repair``), the
task and the commands; then the program split into code cells where a reader would split it
(the imports and constants, each top-level function or class, the ``__main__`` block); then a
cell that verifies the notebook from inside it (``%load_ext bughunt`` / ``%bughunt verify``).

The program's code is the code cells joined in order, leaving out cells of IPython commands
(first line ``%`` or ``!``). The cells split the program's text exactly, so the code of a
notebook as generated is the ``.py`` exercise's program to the character (without its header
comment): verify gives a notebook the verdicts its ``.py`` form gets on the same edits, with line
numbers that count the code's lines (the header's five lines fewer), as the reveal diff does. Writing a notebook needs nbformat (``pip install 'bughunt[notebook]'``); reading
one needs only ``json``.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from bughunt.errors import BadInput

SUFFIX = ".ipynb"
COMMANDS = ("%", "!")  # a code cell of IPython commands is not part of the program

TASK = """\
Fix the program in the code cells below. Check your fix from a terminal with

    bughunt verify {file}

or here, by running the last cell (save the notebook first: verify reads the file).
`%bughunt hint` climbs the hint ladder; `bughunt reveal {file}` prints the fix as a diff of the code.
"""


def is_notebook(name: str) -> bool:
    return str(name).endswith(SUFFIX)


def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError:
        raise BadInput("notebooks need the notebook extra: pip install 'bughunt[notebook]'") from None
    return nbformat


def require() -> None:
    """BadInput, with how to install it, when nbformat is missing."""
    _nbformat()


def split(source: str) -> list[str]:
    """The program's text in pieces a reader would make cells of, joined back exactly by ''.join:
    a new piece starts at each top-level function, class and ``if`` block (with the comments right
    above it); blank lines stay at the end of the piece before."""
    lines = source.splitlines(keepends=True)
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return [source]
    starts = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If)):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1  # its comment comes with it
            if start > 0:
                starts.append(start)
    bounds = sorted(set(starts)) + [len(lines)]
    pieces, begin = [], 0
    for end in bounds:
        if end > begin:
            pieces.append("".join(lines[begin:end]))
            begin = end
    return pieces


def render(header: str, source: str, file: str) -> str:
    """The notebook of an exercise: ``header`` (the ``.py`` exercise's comment lines) as markdown,
    the program ``source`` in code cells, the verifying cell last."""
    nbformat = _nbformat()
    lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in header.strip().splitlines()]
    # "# bughunt exercise: ..." (a heading here) stays the first line; "This program has 2 bugs." and the rest
    intro = "# " + lines[0] + "\n\n" + lines[1].split(". ")[0] + ". " + TASK.format(file=file) + "\n" + lines[-1].strip()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_markdown_cell(intro)]
    notebook.cells += [nbformat.v4.new_code_cell(piece) for piece in split(source)]
    notebook.cells.append(nbformat.v4.new_code_cell(f"%load_ext bughunt\n%bughunt verify {file}"))
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the same seed gives a byte-identical notebook
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def _cells(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
        cells = data["cells"]
        for cell in cells:
            cell["cell_type"], cell["source"]
    except (ValueError, KeyError, TypeError):
        raise BadInput("not a Jupyter notebook (no cells in its JSON)") from None
    return cells


def _text(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else str(source)


def code_of(text: str) -> str:
    """The program a notebook holds: its code cells in order, without IPython command cells."""
    pieces = []
    for cell in _cells(text):
        if cell["cell_type"] != "code":
            continue
        piece = _text(cell)
        if piece.lstrip().startswith(COMMANDS):
            continue
        pieces.append(piece if piece.endswith("\n") or not piece else piece + "\n")
    return "".join(pieces)


def first_line(text: str) -> str:
    """The first line of a notebook's first cell ("" when it is no notebook): its identity line."""
    try:
        cells = _cells(text)
    except BadInput:
        return ""
    return _text(cells[0]).split("\n", 1)[0] if cells else ""

