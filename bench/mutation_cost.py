"""What finding every mutant costs: parse each clean program once, run every bug class's
mutator over it (the work `generate` and `verify` start with), then write out each mutant's
program (what `selfcheck` adds; an exercise writes only its own few).

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
found = [m for p in PROGRAMS for m in mutants(p)]
middle = time.perf_counter()
written = sum(len(m.source) > 0 for m in found)
print(len(PROGRAMS), len(found), middle - start, time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    found, written = [], []
    for _ in range(args.runs):
        programs, count, sites, sources = subprocess.run([PYTHON, "-c", CODE], capture_output=True, text=True,
                                                         check=True).stdout.split()
        found.append(float(sites))
        written.append(float(sources))
    print(f"{machine()}; median of {args.runs} runs")
    for what, times in (("found", found), ("found and written out", written)):
        median = statistics.median(times)
        print(f"{programs} programs, {count} mutants {what}: {median:.1f} s, "
              f"{median / int(count) * 1000:.0f} ms per mutant")


if __name__ == "__main__":
    main()
