"""How `bughunt generate` cost grows with --n, for one topic.

    python bench/generate_scaling.py [--topic training] [--sizes 5 50 500] [--runs 1]

Times `generate --topic T --n N` into a fresh folder for each N (median of --runs). Every
exercise generate writes is camouflaged, checked to be new, and verified to be caught by the
detectors first, so the cost per exercise is mostly that verification.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

from timing import BUGHUNT, machine, table, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="training")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 500])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        times = [timed([*BUGHUNT, "generate", "--topic", args.topic, "--n", str(n), "--seed", "1",
                        "--out", tempfile.mkdtemp()]) for _ in range(args.runs)]
        t = statistics.median(times)
        rows.append((str(n), f"{t:.1f}", f"{t / n:.2f}", f"{n / t:.2f}"))
    print(f"{machine()}; topic {args.topic}; median of {args.runs} run(s)")
    table(rows, ("n", "seconds", "s per exercise", "exercises/s"))


if __name__ == "__main__":
    main()
