"""One verification inside a warm session (what watch pays per save, without the file watching):
a fixed training exercise, with and without the unobserved run of the candidate.

    python bench/session_verify.py [--runs 5]

Prints the median seconds of `Session.verify` after a first, warming verification.
"""

from __future__ import annotations

import argparse
import statistics
import time

from timing import machine


def measure(runs: int, twin: bool) -> float:
    from bughunt.clean_programs import get_program
    from bughunt.detector import runner
    from bughunt.grading import verifier

    submit, differs = runner.Runner.submit, runner._unobserved_differs
    if not twin:  # the unobserved run left out: what it costs
        runner.Runner.submit = lambda self, config: None if not self.observed else submit(self, config)
        runner._unobserved_differs = lambda *args: None
    try:
        program = get_program("training/classification_loop")
        source = program.source()
        fixed = source.replace("# ", "#  ")  # another text, the same program
        times = []
        with verifier() as session:
            session.verify(program, source, fixed, "warm.py")
            for i in range(runs):
                start = time.perf_counter()
                assert session.verify(program, source, f"{fixed}\n# {i}\n", "fixed.py").fixed
                times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        runner.Runner.submit, runner._unobserved_differs = submit, differs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{machine()}; median of {args.runs} runs")
    print(f"verify, fixed, with the unobserved run:    {measure(args.runs, True):.3f} s")
    print(f"verify, fixed, without the unobserved run: {measure(args.runs, False):.3f} s")


if __name__ == "__main__":
    main()
