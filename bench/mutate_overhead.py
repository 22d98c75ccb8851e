"""What `bughunt mutate` costs per mutant beyond the project's own tests, on tests/sample_project.

    python bench/mutate_overhead.py [--class ID ...] [--runs 3]

For each run: a fresh copy of the sample project and an empty cache; `mutate_project` with one
job (so times add up); then, for every mutant it ran, the same tests run directly on the same
mutated copy (`python -m pytest -q -p no:cacheprovider NODEIDS`, no plugin, no virtual device).
Overhead per mutant = (mutate's wall time - its clean run) / mutants run - mean direct time.
It holds copying, the plugin and the virtual CUDA device in the test process, and the
bookkeeping; mutants that are not covered or not testable cost nothing and are left out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "sample_project"


def direct_seconds(copy: Path, mutant, nodeids: list[str] | None) -> float:
    target = copy / mutant.file
    original = target.read_bytes()
    target.write_text(mutant.source)
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1"}
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(nodeids or [])],
                       cwd=copy, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        target.write_bytes(original)


def one_run(classes: list[str]) -> tuple[float, float, int]:
    from bughunt.mutation_testing import KILLED, SURVIVED, TIMED_OUT, mutate_project, tests_for

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        project = Path(tmp) / "project"
        shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        captured = {}
        import bughunt.mutation_testing as mt

        real_clean = mt._clean_run

        def clean_run(*args, **kwargs):
            start = time.perf_counter()
            captured["clean_result"] = result = real_clean(*args, **kwargs)
            captured["clean"] = time.perf_counter() - start
            return result

        mt._clean_run = clean_run
        start = time.perf_counter()
        report = mutate_project(project, ["tinyclf"], classes=classes, jobs=1, use_cache=False)
        total = time.perf_counter() - start
        mt._clean_run = real_clean
        ran = [o for o in report.outcomes if o.status in (KILLED, SURVIVED, TIMED_OUT)]
        direct = [direct_seconds(project, o.mutant, sorted(tests_for(o.mutant, captured["clean_result"]) or []))
                  for o in ran]
        per_mutant = (total - captured["clean"]) / len(ran)
        return per_mutant, statistics.mean(direct), len(ran)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--class", dest="classes", action="append",
                        default=None, help="bug classes (default: missing-zero-grad, wrong-cat-dim, float-labels)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    classes = args.classes or ["missing-zero-grad", "wrong-cat-dim", "float-labels"]
    overheads = []
    for run in range(args.runs):
        per_mutant, direct, n = one_run(classes)
        overheads.append(per_mutant - direct)
        print(f"run {run + 1}: {n} mutants run; mutate {per_mutant:.2f} s/mutant, the same tests directly "
              f"{direct:.2f} s, overhead {per_mutant - direct:+.2f} s", flush=True)
    print(f"median overhead per mutant: {statistics.median(overheads):+.2f} s "
          f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
