"""Cold `bughunt verify` of one exercise, next to the floor every fresh process pays.

    python bench/cold_verify.py [--topic training] [--runs 5]

Compares (medians of --runs interleaved runs):
- `python -c "import torch"`: the floor of any fresh process;
- `python <clean program>.py`: the program the exercise is made from, run on its own;
- `bughunt verify <exercise>` of a buggy exercise and of a fixed one.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from timing import BUGHUNT, PYTHON, machine, medians, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="training")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from bughunt.workspace import Workspace
    from bughunt.clean_programs import get_program
    from importlib import resources

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([*BUGHUNT, "generate", "--topic", args.topic, "--n", "2", "--seed", "1", "--out", folder],
                       check=True, capture_output=True)
        buggy, fixed = sorted(Path(folder).glob(f"{args.topic}_*.py"))
        diff = subprocess.run([*BUGHUNT, "reveal", str(fixed), "--yes"], check=True, capture_output=True, text=True)
        subprocess.run(["patch", "--quiet", str(fixed)], input=diff.stdout, text=True, check=True)
        program = get_program(Workspace.open(Path(folder)).entries[buggy.name].program)
        clean = resources.files("bughunt.clean_programs").joinpath(program.topic, program.filename)
        result = medians({
            "import torch": [PYTHON, "-c", "import torch"],
            "clean program": [PYTHON, str(clean)],
            "verify buggy": [*BUGHUNT, "verify", str(buggy)],
            "verify fixed": [*BUGHUNT, "verify", str(fixed)],
        }, args.runs)
    floor, own = result["import torch"], result["clean program"]
    print(f"{machine()}; {program.id}; median of {args.runs} runs")
    table([(name, f"{t:.2f}", f"{t / floor:.2f}x", f"{t / own:.2f}x") for name, t in result.items()],
          ("command", "seconds", "vs import torch", "vs clean program"))


if __name__ == "__main__":
    main()
