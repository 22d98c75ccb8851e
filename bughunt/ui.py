"""Terminal output: colour and tables on a terminal, plain aligned text otherwise.

rich decides what a terminal is and honours NO_COLOR. When the output is not a
terminal (a pipe, a file, a test), nothing is wrapped and tables have no borders,
so every line stays greppable.
"""

from __future__ import annotations

import sys
from typing import Iterable, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


def console(stderr: bool = False) -> Console:
    probe = Console(file=sys.stderr if stderr else sys.stdout)
    if probe.is_terminal:
        return Console(file=sys.stderr if stderr else sys.stdout, highlight=False)
    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, width=10_000, soft_wrap=True,
                   no_color=True)


def table(out: Console, headers: Sequence[str], rows: Iterable[Sequence[str | Text]]) -> None:
    rows = [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    if out.is_terminal:
        grid = Table(*headers, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for row in rows:
            grid.add_row(*row)
        out.print(grid)
        return
    widths = [max([len(h)] + [len(row[i].plain) for row in rows]) for i, h in enumerate(headers)]
    for cells in [list(map(Text, headers)), *rows]:
        line = Text("  ").join(cell + " " * (w - len(cell.plain)) for cell, w in zip(cells, widths))
        line.rstrip()
        out.print(line)


def bar(done: int, total: int, out: Console, width: int = 30) -> Text:
    """``████████░░░░  4/10 fixed`` on a terminal, ``[####------]  4/10 fixed`` elsewhere."""
    filled = round(width * done / total) if total else width
    if out.is_terminal:
        text = Text("█" * filled, style="green") + Text("░" * (width - filled), style="dim")
    else:
        text = Text("[" + "#" * filled + "-" * (width - filled) + "]")
    return text + Text(f"  {done}/{total} fixed")


def verdict_label(fixed: bool, message: str, unusable: bool = False) -> str:
    """The verdict column: ``fixed``, ``bug``, ``syntax error`` (the file does not compile) or
    ``unreadable`` (it cannot be read)."""
    if fixed:
        return "fixed"
    if unusable:
        return "syntax error" if message.startswith(("syntax error", "cannot be compiled")) else "unreadable"
    return "bug"


_STYLES = {"fixed": "bold green", "bug": "bold red", "syntax error": "bold yellow", "unreadable": "bold yellow"}


def verdict_line(name: str, width: int, fixed: bool, message: str, unusable: bool = False,
                 label_width: int = 5) -> Text:
    """``training_01.py  bug    with batch_size=1 ...``: the name padded to ``width``, the label to
    ``label_width`` (the widest label of the lines printed together)."""
    label = verdict_label(fixed, message, unusable)
    if label == "syntax error" and message.startswith("syntax error "):
        message = message[len("syntax error "):]  # the column says it already
    line = Text(name.ljust(width) + "  ") + Text(label.ljust(label_width) if message else label, style=_STYLES[label])
    return line + Text(f"  {message}" if message else "")
