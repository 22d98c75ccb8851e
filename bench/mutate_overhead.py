"""What `bughunt mutate` costs per mutant beyond the project's own tests, on tests/sample_project.

    python bench/mutate_overhead.py [--class ID ...] [--rounds 3]

Once: a copy of the sample project, its mutants, the clean run under coverage (what a real
run does before any mutant). Then, for each mutant that is run (covered and testable), in
--rounds rounds and alternating which goes first, two timings back to back on the same
mutated copy:
  * bughunt's: `run_mutant` as `mutate` calls it (mutant written in, environment built, the
    test command with the plugin and the virtual CUDA device, the selected tests, file put back);
  * direct: `python -m pytest -q -p no:cacheprovider NODEIDS` with the same mutant in place, no
    plugin, no virtual device: what running those tests by hand costs.
Reported: the median over all pairs of (bughunt's - direct). Pairs taken back to back keep a
shared machine's changing load out of the difference.
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


def direct(copy: Path, mutant, nodeids: list[str]) -> float:
    target = copy / mutant.file
    original = target.read_bytes()
    target.write_text(mutant.source)
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}  # as mutate runs them: one core each
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *nodeids],
                       cwd=copy, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        target.write_bytes(original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--class", dest="classes", action="append", default=None,
                        help="bug classes (default: missing-zero-grad, wrong-cat-dim)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bughunt import mutation_testing as mt

    classes = args.classes or ["missing-zero-grad", "wrong-cat-dim"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        project = Path(tmp) / "project"
        shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        mutants, _ = mt.find_mutants(project.resolve(), ["tinyclf"], classes)
        virtual = not mt.real_cuda()
        harness = mt.Harness(project.resolve(), mt.default_command(), mt.has_coverage(), virtual)
        try:
            clean = mt._clean_run(harness, mt.Cache(project, False), None)
            copy = mt.project_copy(project, harness.tmp / "copy0")
            ran = [m for m in mutants if mt._decide(m, harness, clean, None) is None]
            pairs = []
            for round_ in range(args.rounds):
                for i, mutant in enumerate(ran):
                    selected = mt.tests_for(mutant, clean)
                    nodeids = sorted(selected or [])

                    def ours() -> float:
                        start = time.perf_counter()
                        mt.run_mutant(copy, harness.plugins, harness.command, virtual, mutant.file, mutant.source,
                                      selected, 600)
                        return time.perf_counter() - start

                    first_ours = (round_ + i) % 2 == 0
                    a = ours() if first_ours else direct(copy, mutant, nodeids)
                    b = direct(copy, mutant, nodeids) if first_ours else ours()
                    mine, theirs = (a, b) if first_ours else (b, a)
                    pairs.append((mine, theirs))
                    print(f"{mutant.file}:{mutant.line} {mutant.bug} ({len(nodeids) or 'all'} tests): "
                          f"mutate {mine:.2f} s, direct {theirs:.2f} s, {mine - theirs:+.2f} s", flush=True)
        finally:
            harness.close()
    overhead = statistics.median(m - t for m, t in pairs)
    print(f"{len(ran)} mutants x {args.rounds} rounds; median direct run {statistics.median(t for _, t in pairs):.2f} s; "
          f"median overhead per mutant {overhead:+.2f} s (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
