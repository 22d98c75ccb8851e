"""Run the adversarial suite (tests/adversarial/: hand-written fake and alternative fixes, one
module per bug class) and print the README's counts per class.

    python bench/adversarial_table.py [-k EXPR]

Runs `pytest tests/test_adversarial.py -m "slow or not slow"` (about 10 minutes on 2 cores) and
reads its JUnit report: for each class, fakes refused out of fakes, alternatives accepted out of
alternatives. Exit code 1 when any case got the wrong verdict.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose id matches (pytest -k)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_adversarial.py",
                   "-m", "slow or not slow", f"--junitxml={report}", "-k", args.k or "hand_written"]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        cases = ET.parse(report).getroot().iter("testcase")
        counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"fake": [0, 0], "fix": [0, 0]})
        wrong = []
        for case in cases:
            name = case.get("name", "")
            if "[" not in name:
                continue
            bug, kind, _ = name[name.index("[") + 1:-1].rsplit("-", 2)
            ok = case.find("failure") is None and case.find("error") is None
            counts[bug][kind][0] += ok
            counts[bug][kind][1] += 1
            if not ok:
                wrong.append(name)
    print("| bug class | fakes refused | alternatives accepted |")
    print("| --- | --- | --- |")
    for bug in sorted(counts):
        (fr, ft), (ar, at) = counts[bug]["fake"], counts[bug]["fix"]
        print(f"| `{bug}` | {fr}/{ft} | {ar}/{at} |")
    fakes = [sum(c["fake"][i] for c in counts.values()) for i in (0, 1)]
    fixes = [sum(c["fix"][i] for c in counts.values()) for i in (0, 1)]
    print(f"| all {len(counts)} classes | {fakes[0]}/{fakes[1]} | {fixes[0]}/{fixes[1]} |")
    for name in wrong:
        print(f"wrong verdict: {name}", file=sys.stderr)
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
