"""Shared by the bench scripts: run commands several times, interleaved, and report medians."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

PYTHON = sys.executable
# the installed `bughunt` command, as a learner runs it (each forked worker re-imports its entry
# script, bughunt.cli, as multiprocessing does for a script); `python -m bughunt` where it is missing
_SCRIPT = Path(PYTHON).with_name("bughunt")
BUGHUNT = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "bughunt"]


def timed(command: Sequence[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(list(command), capture_output=True, check=False, **kwargs)
    return time.perf_counter() - start


def medians(commands: dict[str, Sequence[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command. Runs are interleaved (a, b, c, a, b, c, ...) so that
    background noise on the machine spreads over all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    return {name: statistics.median(values) for name, values in times.items()}


def table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())


def machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
