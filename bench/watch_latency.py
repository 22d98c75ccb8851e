"""Time from saving an exercise to watch's verdict, next to a cold `bughunt verify` of it.

    python bench/watch_latency.py [--topic training] [--runs 5] [--think 0]

Prints the median of --runs measurements of each. Watch keeps torch imported and the
reference's observations cached, so its figure is the warm re-verify a learner waits for.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import BUGHUNT



def cold_verify(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*BUGHUNT, "verify", str(path)], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="training")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds between a verdict and the next save (a learner reads and edits "
                             "meanwhile; 0: save at once, while watch still warms the reference)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run([*BUGHUNT, "generate", "--topic", args.topic, "--n", "2", "--seed", "1", "--out", folder],
                       check=True, capture_output=True)
        path = root / f"{args.topic}_01.py"  # the second exercise keeps watch running when this one is fixed
        buggy = path.read_text()
        diff = subprocess.run([*BUGHUNT, "reveal", str(path), "--yes"], check=True, capture_output=True, text=True)
        subprocess.run(["patch", "--quiet", str(path)], input=diff.stdout, text=True, check=True)
        fixed = path.read_text()
        path.write_text(buggy)

        cold = [cold_verify(path) for _ in range(args.runs)]
        print(f"cold verify: {[round(c, 2) for c in cold]}", file=sys.stderr)

        watcher = subprocess.Popen([*BUGHUNT, "watch", "--workspace", folder], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        try:
            wait_for(watcher, f"{path.name}  bug")  # the first check, while torch warms up
            warm = []
            for i in range(args.runs * 2):
                text, expect = (fixed, "fixed") if i % 2 == 0 else (buggy, "bug")
                time.sleep(args.think)
                start = time.perf_counter()
                path.write_text(text)
                wait_for(watcher, f"{path.name}  {expect}")
                warm.append(time.perf_counter() - start)
                print(f"watch, {expect} file: {warm[-1]:.2f} s", file=sys.stderr)
                if expect == "fixed":
                    wait_for(watcher, "fixed")  # the progress bar line
        finally:
            watcher.kill()

    print(f"{'measure':44s} {'median s':>9s}")
    print(f"{'cold `bughunt verify` (fresh process)':44s} {statistics.median(cold):9.2f}")
    print(f"{'watch: save -> verdict, fixed file':44s} {statistics.median(warm[0::2]):9.2f}")
    print(f"{'watch: save -> verdict, buggy file':44s} {statistics.median(warm[1::2]):9.2f}")


def wait_for(process: subprocess.Popen, needle: str) -> str:
    while True:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"watch exited before printing {needle!r}")
        if needle in line:
            return line


if __name__ == "__main__":
    main()
