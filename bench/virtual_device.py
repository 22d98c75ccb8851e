"""What the virtual CUDA device costs, on the CPU: with it and without it, side by side.

    python bench/virtual_device.py [--topic training --topic advanced] [--runs 1]

1. `bughunt selfcheck --topic T` for each topic, interleaved: as verify runs it (the virtual
   device installed in every worker) and with BUGHUNT_DEVICE=native (plain CPU torch: no
   device tags, autocast and GradScaler switch themselves off). Natively the device and
   mixed-precision mutants survive, and a survivor costs every Hypothesis example where a
   killed mutant stops at the first, so these times mix the device's cost with that.
2. Every clean program verified against itself (every example runs in both processes, so
   this is the device's cost alone), once natively and once with the virtual device.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

from timing import BUGHUNT, PYTHON, machine, table

DEFAULT_TOPICS = ("training", "intermediate", "advanced", "transformers")


def selfcheck(topic: str, native: bool) -> float:
    start = time.perf_counter()
    subprocess.run([*BUGHUNT, "selfcheck", "--topic", topic, "--json"], capture_output=True, env=_env(native),
                   check=False)
    return time.perf_counter() - start


CLEAN = """
import time
from bughunt.clean_programs import PROGRAMS
from bughunt.grading import verifier

if __name__ == "__main__":
    with verifier() as session:
        session.verify(PROGRAMS[0], PROGRAMS[0].source(), PROGRAMS[0].source(), "warm-up")
        start = time.perf_counter()
        for program in PROGRAMS:
            assert session.verify(program, program.source(), program.source(), program.id).fixed, program.id
        print(time.perf_counter() - start)
"""


def clean_programs(native: bool) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
        script.write(CLEAN)
        script.flush()
        out = subprocess.run([PYTHON, script.name], capture_output=True, text=True, env=_env(native), check=True)
    return float(out.stdout.split()[-1])


def _env(native: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BUGHUNT_DEVICE"}
    if native:
        env["BUGHUNT_DEVICE"] = "native"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", action="append", dest="topics")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--clean-only", action="store_true", help="only part 2")
    args = parser.parse_args()
    print(f"{machine()}; median of {args.runs} run(s)")
    if not args.clean_only:
        selfchecks(args.topics or DEFAULT_TOPICS, args.runs)
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.runs):
        for native in (True, False):
            times[native].append(clean_programs(native))
    plain, virtual = statistics.median(times[True]), statistics.median(times[False])
    print()
    table([("every clean program vs itself", f"{plain:.1f}", f"{virtual:.1f}", f"{virtual / plain:.2f}x")],
          ("verify", "plain CPU s", "virtual CUDA s", "ratio"))


def selfchecks(topics: list[str], runs: int) -> None:
    rows, totals = [], {False: 0.0, True: 0.0}
    for topic in topics:
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(runs):
            for native in (True, False):
                times[native].append(selfcheck(topic, native))
        plain, virtual = statistics.median(times[True]), statistics.median(times[False])
        totals[True] += plain
        totals[False] += virtual
        rows.append((topic, f"{plain:.1f}", f"{virtual:.1f}", f"{virtual / plain:.2f}x"))
    rows.append(("all of the above", f"{totals[True]:.1f}", f"{totals[False]:.1f}", f"{totals[False] / totals[True]:.2f}x"))
    table(rows, ("selfcheck --topic", "plain CPU s", "virtual CUDA s", "ratio"))


if __name__ == "__main__":
    main()
