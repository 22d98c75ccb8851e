"""What finding every mutant costs: parse each clean program once, run every bug class's
mutator over it, write out each mutant (the work `generate` and `selfcheck` start with).

    python bench/mutation_cost.py [--runs 3]

Median of --runs fresh processes (LibCST's caches start cold each time).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess

from timing import PYTHON, machine

CODE = """
import time
from bughunt.clean_programs import PROGRAMS
from bughunt.exercise import mutants
start = time.perf_counter()
count = sum(len(mutants(p)) for p in PROGRAMS)
print(len(PROGRAMS), count, time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        programs, count, seconds = subprocess.run([PYTHON, "-c", CODE], capture_output=True, text=True,
                                                  check=True).stdout.split()
        times.append(float(seconds))
    median = statistics.median(times)
    print(f"{machine()}; median of {args.runs} runs")
    print(f"{programs} programs, {count} mutants: {median:.1f} s, {median / int(count) * 1000:.0f} ms per mutant")


if __name__ == "__main__":
    main()
