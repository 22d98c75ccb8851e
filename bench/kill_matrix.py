"""Wall time of the full kill matrix (`bughunt selfcheck`), and per mutant.

    python bench/kill_matrix.py [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

from timing import BUGHUNT, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    start = time.perf_counter()
    out = subprocess.run([*BUGHUNT, "selfcheck", "--json"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    counts = json.loads(out.stdout)
    print(f"{machine()}")
    print(f"programs {counts['programs']}, mutants {counts['mutants']}, killed {counts['killed']}, "
          f"false alarms {counts['false_alarms']}")
    print(f"wall {seconds:.1f} s, {seconds / counts['mutants'] * 1000:.0f} ms per mutant")


if __name__ == "__main__":
    main()
