"""Run every hostile case of tests/hostile_cases.py and print the README's table.

    python bench/hostile_table.py

Each row: what the exercise does, bughunt's one-line answer, its exit code, and the
wall time of `bughunt verify --timeout 3` on it (one run each, fresh process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import make_exercise  # noqa: E402
from hostile_cases import CASES, TIMEOUT, inject  # noqa: E402


def main() -> None:
    print("| the exercise... | bughunt answers | exit | seconds |")
    print("| --- | --- | --- | --- |")
    for case in CASES:
        with tempfile.TemporaryDirectory() as folder:
            path = make_exercise(Path(folder), *case.base)
            path.write_text(inject(path.read_text(), case, folder))
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "bughunt", "verify", str(path), "--json", "--timeout", TIMEOUT],
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - start
            try:
                answer = json.loads(done.stdout)[0]["message"]
            except (ValueError, IndexError, KeyError):
                answer = (done.stdout + done.stderr).strip()
            answer = answer.split(": ", 1)[1] if answer.startswith("with ") else answer
            print(f"| {case.name} | {answer.replace('|', '/')} | {done.returncode} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
