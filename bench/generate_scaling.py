"""How `bughunt generate` cost grows with --n.

    python bench/generate_scaling.py [--level 1] [--runs 3]

Times `generate --n N` into a fresh folder for growing N (up to every distinct exercise
the chosen programs have), median of --runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile

from timing import BUGHUNT, machine, table, timed


def available(level: int) -> int:
    out = subprocess.run([*BUGHUNT, "generate", "--level", str(level), "--n", "100000", "--out", tempfile.mkdtemp()],
                         capture_output=True, text=True)
    return int(out.stderr.split("ask for at most ")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    most = available(args.level)
    sizes = sorted({n for n in (1, 5, 50, 500, most) if n <= most})
    rows = []
    for n in sizes:
        times = [timed([*BUGHUNT, "generate", "--level", str(args.level), "--n", str(n), "--seed", "1",
                        "--out", tempfile.mkdtemp()]) for _ in range(args.runs)]
        t = statistics.median(times)
        rows.append((str(n), f"{t:.2f}", f"{n / t:.1f}"))
    print(f"{machine()}; level {args.level} ({most} distinct exercises); median of {args.runs} runs")
    table(rows, ("n", "seconds", "exercises/s"))


if __name__ == "__main__":
    main()
