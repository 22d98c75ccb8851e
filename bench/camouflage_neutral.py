"""Does the neutral camouflage keep every clean program's behaviour? Each program, rewritten by
several seeds (names, spellings, order; numbers kept), is verified against its plain text.

    python bench/camouflage_neutral.py [--seeds 4]

`bughunt selfcheck` checks one seed per program; this checks more (each rewrite verified with
every Hypothesis example, about 30 s per seed on 2 cores).
"""

from __future__ import annotations

import argparse
import time

from timing import machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()

    from bughunt.clean_programs import PROGRAMS
    from bughunt.camouflage import camouflage
    from bughunt.grading import verifier

    start, texts, changed = time.perf_counter(), 0, []
    with verifier() as session:
        for program in PROGRAMS:
            plain = program.source()
            for text in {camouflage(plain, seed, program.params, vary=False) for seed in range(args.seeds)}:
                texts += 1
                verdict = session.verify(program, plain, text, f"<camouflaged {program.id}>", shrink=False)
                if not verdict.fixed:
                    changed.append(f"{program.id}: {verdict.message}")
    print(f"{machine()}; seeds 0-{args.seeds - 1}")
    print(f"{len(PROGRAMS)} programs, {texts} camouflaged texts, behaviour changed in {len(changed)}, "
          f"{time.perf_counter() - start:.0f} s")
    for line in changed:
        print("  " + line)


if __name__ == "__main__":
    main()
