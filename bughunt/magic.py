"""The IPython extension: ``%load_ext bughunt``, then ``%bughunt verify`` or ``%bughunt hint``
in a notebook exercise verifies the notebook it runs in, the verdict in the cell's output.

Which notebook: the one named (``%bughunt verify training_01.ipynb``, as the generated last cell
does), else the one Jupyter says the kernel belongs to (``JPY_SESSION_NAME``, VS Code's
``__vsc_ipynb_file__``), else the only notebook exercise of the workspace the kernel runs in.
verify reads the file: save the notebook first.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any, Optional

from bughunt.errors import BadInput, InternalError
from bughunt.grading import prestart, verify_targets
from bughunt.learner import HINT_STEPS, hints
from bughunt.notebook import SUFFIX
from bughunt.workspace import Target, Workspace, locate

USAGE = "usage: %bughunt verify [NOTEBOOK] | %bughunt hint [NOTEBOOK]"


def _this_notebook(named: Optional[str], namespace: dict[str, Any]) -> Path:
    if named:
        return Path(named)
    for found in (os.environ.get("JPY_SESSION_NAME"), namespace.get("__vsc_ipynb_file__")):
        if found and str(found).endswith(SUFFIX) and Path(found).exists():
            return Path(found)
    workspace = Workspace.open(locate())
    notebooks = [t.path for t in workspace.targets() if t.path.suffix == SUFFIX]
    if len(notebooks) != 1:
        raise BadInput(f"which notebook? name it: %bughunt verify NAME{SUFFIX}")
    return notebooks[0]


def run(line: str, namespace: dict[str, Any]) -> str:
    """What ``%bughunt LINE`` prints (one verdict, or the next hint)."""
    words = shlex.split(line)
    if not words or words[0] not in ("verify", "hint") or len(words) > 2:
        raise BadInput(USAGE)
    path = _this_notebook(words[1] if len(words) > 1 else None, namespace)
    if words[0] == "verify":
        prestart()
        [result] = verify_targets([Target.of_file(path)])
        verdict = result.verdict
        return f"{path.name}  fixed" if verdict.fixed else f"{path.name}  bug    {verdict.message}"
    shown, fixed = hints(path)
    if fixed:
        return f"{path.name} is fixed: no hint needed."
    return "\n".join(f"Hint {h.step} of {HINT_STEPS}: {h.title}\n{h.text}" for h in shown)


def register(ipython: Any) -> None:
    def bughunt(line: str) -> None:
        try:
            print(run(line, ipython.user_ns))
        except (BadInput, InternalError) as exc:
            print(f"error: {exc}")

    ipython.register_magic_function(bughunt, "line", "bughunt")
