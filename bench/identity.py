"""Fingerprints of everything generation writes: a refactor must leave them byte-identical.

    python bench/identity.py [--per-topic 50] [--json] [--detail FILE]

Prints one sha256 over every mutant of every clean program (its class, site, form, line, scope
and source), one per topic over the first ``--per-topic`` exercises ``choose`` draws with seed 0
(plain text, reference and header), and the total. Run it before and after a change: the same
lines mean the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json


def digests(per_topic: int, detail: list[str] | None = None) -> dict[str, str]:
    from bughunt.clean_programs import PROGRAMS, TOPICS, programs_of
    from bughunt.exercise import mutants
    from bughunt.generation import choose

    found: dict[str, str] = {}
    h = hashlib.sha256()
    for program in PROGRAMS:
        for m in mutants(program):
            h.update(f"{program.id}|{m.bug}|{m.site}|{m.form}|{m.line}|{m.scope}\n".encode())
            h.update(m.source.encode())
            if detail is not None:
                detail.append(f"{program.id} {m.bug} {m.site} {m.form!r} {hashlib.sha256(m.source.encode()).hexdigest()[:16]}")
    found["mutants"] = h.hexdigest()
    for topic in TOPICS:
        h = hashlib.sha256()
        for exercise in choose(programs_of(topic.id), per_topic, 0):
            name = f"{topic.id}_01.py"
            h.update(exercise.text(name).encode())
            h.update(exercise.reference(name).encode())
            if detail is not None:
                detail.append(f"{topic.id} {exercise.program.id} {exercise.seed} "
                              f"{hashlib.sha256(exercise.text(name).encode()).hexdigest()[:16]}")
        found[f"exercises/{topic.id}"] = h.hexdigest()
    found["total"] = hashlib.sha256("".join(found.values()).encode()).hexdigest()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-topic", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--detail", help="also write one line per mutant and exercise to this file (to diff)")
    args = parser.parse_args()
    detail: list[str] | None = [] if args.detail else None
    found = digests(args.per_topic, detail)
    if args.detail:
        with open(args.detail, "w") as f:
            f.write("\n".join(detail) + "\n")
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        for key, value in found.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
