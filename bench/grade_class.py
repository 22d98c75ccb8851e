"""`bughunt grade` on a class of submissions of one training exercise (issue 17's target: 100 in < 2 min on 2 cores).

    python bench/grade_class.py [--n 100] [--jobs J]

Generates one training exercise (seed 7) in a fresh folder and writes --n submissions of it:
half its fix (the reveal diff applied, then a comment of the student's own added so no two
files are alike), a quarter left as generated, and the rest split between a syntax error, a
program that crashes (os._exit) and one that hangs (stopped by --timeout 5). Then times the
one `bughunt grade` command over all of them and prints the rows' totals.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from timing import BUGHUNT, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run([*BUGHUNT, "generate", "--topic", "training", "--n", "1", "--seed", "7", "--out",
                        root / "ws"], check=True, capture_output=True)
        [exercise] = sorted((root / "ws").glob("training_*.py"))
        diff = subprocess.run([*BUGHUNT, "reveal", exercise, "--yes"], check=True, capture_output=True, text=True).stdout
        fixed = root / "fixed.py"
        fixed.write_text(exercise.read_text())
        subprocess.run(["patch", "--quiet", fixed], input=diff, text=True, check=True)
        subs = root / "submissions"
        subs.mkdir()
        kinds = {"fixed": 0, "buggy": 0, "syntax": 0, "crash": 0, "hang": 0}
        for i in range(args.n):
            kind = "fixed" if i % 4 in (0, 1) else "buggy" if i % 4 == 2 else ("syntax", "crash", "hang")[i // 4 % 3]
            kinds[kind] += 1
            text = {"fixed": fixed.read_text(), "buggy": exercise.read_text(), "syntax": "def main(:\n",
                    "crash": "import os\n\ndef main(**config):\n    os._exit(1)\n",
                    "hang": "import time\n\ndef main(**config):\n    time.sleep(3600)\n"}[kind]
            (subs / f"student_{i:03d}.py").write_text(f"{text}\n# student {i}\n")
        command = [*BUGHUNT, "grade", exercise, subs, "--json", "--timeout", "5"]
        command += ["--jobs", str(args.jobs)] if args.jobs else []
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        rows = json.loads(done.stdout)
        kind_of = {f"student_{i:03d}.py": k for i, k in enumerate(
            "fixed" if i % 4 in (0, 1) else "buggy" if i % 4 == 2 else ("syntax", "crash", "hang")[i // 4 % 3]
            for i in range(args.n))}
    print(f"{machine()}")
    print(f"command: bughunt grade EXERCISE SUBMISSIONS/ --json --timeout 5{f' --jobs {args.jobs}' if args.jobs else ''}")
    print(f"submissions: {len(rows)} ({', '.join(f'{k} {v}' for k, v in kinds.items())}); exit code {done.returncode}")
    print(f"fixed rows: {sum(r['fixed'] for r in rows)}; wall time {seconds:.1f} s "
          f"({seconds / len(rows):.2f} s per submission)")
    for kind in kinds:
        times = sorted(r["seconds"] for r in rows if kind_of[Path(r["path"]).name] == kind)
        if times:
            print(f"  {kind:6s} rows: median {times[len(times) // 2]:.2f} s, total {sum(times):.1f} s")
    slowest = max(rows, key=lambda r: r["seconds"])
    print(f"slowest row: {slowest['seconds']} s ({Path(slowest['path']).name}: {slowest['message'][:60]})")


if __name__ == "__main__":
    main()
