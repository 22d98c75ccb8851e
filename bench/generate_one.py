"""`bughunt generate --n 1` next to a bare `import torch` (issue 18's target: at most 2x).

    python bench/generate_one.py [--runs 5]

Medians of --runs interleaved runs; each generate writes into a fresh folder.
"""

from __future__ import annotations

import argparse
import tempfile

from timing import BUGHUNT, PYTHON, machine, medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        generate = " ".join([*BUGHUNT, "generate", "--topic", "training", "--n", "1", "--seed", "3"])
        found = medians({"import torch": [PYTHON, "-c", "import torch"],
                         "generate --n 1": ["sh", "-c", f"rm -rf {folder}/ws && {generate} --out {folder}/ws"]},
                        args.runs)
    print(f"{machine()}; median of {args.runs} runs")
    for name, seconds in found.items():
        print(f"{name:16s} {seconds:5.2f} s  {seconds / found['import torch']:.2f}x import torch")


if __name__ == "__main__":
    main()
