"""How often verify misses a wrong program, by how much of the declared space it differs on.

    python bench/detection_power.py [--programs industry/early_stopping ...] [--topic industry]
                                    [--variants all|catalog|hand] [--samples 30] [--seed 0]
                                    [--fractions all|missed]

For every program, the wrong variants are every catalog mutant (``bughunt.exercise.mutants``)
and the hand-written ones of ``wrong_variants.py`` (branchy programs: early stopping,
save-best, accumulation). For each variant:

- **differs**: the fraction of ``--samples`` configurations drawn uniformly from the declared
  space (a seed of their own, not the witnesses' pool) on which the variant differs from the
  reference, by the checks verify uses (a crash, a failed run, any detector's symptom);
- **before**: whether verify as it was without witnesses catches it (one of the configurations
  the search draws, the smallest first, differs);
- **after**: whether verify catches it now (``Session``'s own search, witnesses included, on the
  observations already made: the same configurations, the same checks).

A *miss* is a variant that differs somewhere in the samples and that verify calls fixed. The
target: no miss for a variant that differs on 5% or more of the space.

Cost: each variant runs on ``--samples`` configurations plus the search's (~10), beside the
reference (cached across a program's variants). Measured on this shared 2-core machine: the
four branchy programs (146 variants, catalog and hand-written) 11 minutes; the hand-written
variants alone (``--variants hand``, 20 in 4 programs) 3.5 minutes; the other 25 programs'
676 catalog mutants with ``--fractions missed`` 7 minutes. Every program with every variant
sampled (the default, no options) comes to about an hour at 4.4 s per variant.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrong_variants import VARIANTS  # noqa: E402

BUCKETS = ((0.0, 0.0, "0"), (0.0, 0.05, "<5%"), (0.05, 0.2, "5-20%"), (0.2, 0.5, "20-50%"), (0.5, 1.01, ">=50%"))


@dataclass
class Row:
    program: str
    variant: str
    kind: str  # "catalog" or "hand"
    differs: Optional[float]  # None: caught, and not sampled (--fractions missed)
    before: bool
    after: bool


def bucket(fraction: Optional[float]) -> str:
    if fraction is None:
        return "caught, not sampled"
    if fraction == 0:
        return "0"
    return next(name for low, high, name in BUCKETS[1:] if low <= fraction < high)


def sample(program: Any, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"detection-power/{seed}/{program.id}")
    return [{name: (rng.randrange(space.start, space.stop, space.step) if isinstance(space, range)
                    else rng.choice(tuple(space))) for name, space in program.params.items()} for _ in range(n)]


def variants_of(program: Any, which: str) -> list[tuple[str, str, str]]:
    """(kind, name, source) of every wrong variant of ``program``."""
    from bughunt.exercise import mutants

    found = []
    if which in ("all", "catalog"):
        found += [("catalog", f"{m.bug} line {m.line} ({m.form})", m.source) for m in mutants(program)]
    if which in ("all", "hand"):
        source = program.source()
        found += [("hand", v.name, v.apply(source)) for v in VARIANTS if v.program == program.id]
    return found


def measure_program(session: Any, program: Any, which: str, samples: int, seed: int,
                    fractions: str = "all", on_row: Any = None) -> list[Row]:
    from bughunt.detector.runner import RunFailure, Runner, _key, search

    reference_source = program.source()
    reference = session._reference(program, reference_source)
    drawn = sample(program, samples, seed)
    before: list[dict[str, Any]] = []  # the search as it was: the smallest, then the drawn ones
    search(program, lambda c: (before.append(dict(c)), ({}, {}))[1], (), shrink=False, witnesses=())
    witnesses = list(program.witnesses)
    configs = list({_key(c): c for c in drawn + before + witnesses}.values())

    rows = []

    def run(candidate: Any, configs: list[dict[str, Any]], loads: bool, differs: dict[tuple, bool]) -> None:
        todo = [c for c in configs if _key(c) not in differs]
        for config in todo:
            reference.submit(config)
            if loads:
                candidate.submit(config)
        for config in todo:
            ref = reference.collect(config)
            if not loads:
                differs[_key(config)] = True
                continue
            try:
                cand = candidate.collect(config)
            except RunFailure:
                differs[_key(config)] = True
                continue
            differs[_key(config)] = any(check(ref, cand) for check in session.checks)

    for kind, name, source in variants_of(program, which):
        candidate = Runner(source, f"<{name}>", session.timeout)
        try:
            differs: dict[tuple, bool] = {}
            loads = candidate.load_error is None
            searched = list({_key(c): c for c in before + witnesses}.values())
            wanted = configs if fractions == "all" else searched
            run(candidate, wanted, loads, differs)
            caught = any(differs[_key(c)] for c in searched)
            if fractions == "missed" and not caught:  # sample the space only where verify misses
                run(candidate, configs, loads, differs)
            sampled = all(_key(c) in differs for c in drawn)
            fraction = sum(differs[_key(c)] for c in drawn) / len(drawn) if sampled else None
            caught_before = any(differs[_key(c)] for c in before)
            if loads:
                caught_after = session._search(program, reference, candidate, False, False) is not None
            else:
                caught_after = True
            expected = caught_before or any(differs[_key(c)] for c in witnesses)
            if caught_after != expected:
                print(f"  note: {program.id} {name}: the search says {caught_after}, the configurations {expected}",
                      file=sys.stderr)
        finally:
            candidate.close()
        row = Row(program.id, name, kind, fraction, caught_before, caught_after)
        rows.append(row)
        if on_row:
            on_row(row)
    return rows


def report(rows: list[Row]) -> None:
    programs = sorted({r.program for r in rows}, key=[r.program for r in rows].index)
    names = [name for _, _, name in BUCKETS]
    if any(r.differs is None for r in rows):
        names.append("caught, not sampled")
    head = ("program", "variants", *(f"differ {n}" for n in names), "missed before", "missed after",
            "missed >=5% before", "missed >=5% after")
    lines = []
    for program in programs + ["all"]:
        mine = [r for r in rows if program in ("all", r.program)]
        counts = [sum(bucket(r.differs) == n for r in mine) for n in names]
        missed_b = [r for r in mine if r.differs != 0 and not r.before]
        missed_a = [r for r in mine if r.differs != 0 and not r.after]
        big_b = [r for r in missed_b if r.differs >= 0.05]
        big_a = [r for r in missed_a if r.differs >= 0.05]
        lines.append((program, str(len(mine)), *map(str, counts), str(len(missed_b)), str(len(missed_a)),
                      str(len(big_b)), str(len(big_a))))
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    for row in [head, tuple("-" * w for w in widths), *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    misses = [r for r in rows if r.differs != 0 and not (r.before and r.after)]
    if misses:
        print("\nmisses (differs on a fraction of the samples; caught before -> after):")
        for r in sorted(misses, key=lambda r: -(r.differs or 0)):
            print(f"  {r.differs or 0:5.0%}  {'caught' if r.before else 'MISSED'} -> {'caught' if r.after else 'MISSED'}"
                  f"  {r.program}: {r.variant} [{r.kind}]")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", nargs="*", default=[], help="program ids (default: all)")
    parser.add_argument("--topic", action="append", default=[], help="only these topics")
    parser.add_argument("--variants", choices=("all", "catalog", "hand"), default="all")
    parser.add_argument("--samples", type=int, default=30, help="configurations per variant for its fraction")
    parser.add_argument("--seed", type=int, default=0, help="of the sampled configurations")
    parser.add_argument("--fractions", choices=("all", "missed"), default="all",
                        help="sample the space for every variant, or only for those verify misses (fast)")
    args = parser.parse_args(argv)

    from bughunt.clean_programs import PROGRAMS, get_program
    from bughunt.grading import verifier

    programs = [get_program(p) for p in args.programs] if args.programs else list(PROGRAMS)
    if args.topic:
        programs = [p for p in programs if p.topic in args.topic]
    if args.variants == "hand":
        programs = [p for p in programs if any(v.program == p.id for v in VARIANTS)]
    start = time.perf_counter()
    rows: list[Row] = []

    def progress(row: Row) -> None:
        flag = "" if row.differs == 0 or row.after else "  <- MISSED"
        differs = "   - " if row.differs is None else f"{row.differs:5.0%}"
        print(f"  {differs} before={row.before!s:5} after={row.after!s:5} {row.program}: {row.variant}{flag}",
              file=sys.stderr, flush=True)

    with verifier() as session:
        for program in programs:
            rows += measure_program(session, program, args.variants, args.samples, args.seed, args.fractions,
                                    progress)
            session.close()  # one reference worker at a time
    print(f"{len(programs)} programs, {len(rows)} variants ({args.variants}), {args.samples} samples each "
          f"({'every variant' if args.fractions == 'all' else 'variants verify misses'}), "
          f"{time.perf_counter() - start:.0f} s\n")
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
