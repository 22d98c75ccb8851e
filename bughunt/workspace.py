"""A workspace: exercise files plus a manifest that can regenerate each one's reference.

The manifest (``.bughunt/manifest.json``) records, per exercise file, the program
id, the exercise seed and the tool version: enough to rebuild the exercise and its
reference from the installed package, and nothing that names the bug. Every
write is atomic (a temporary file renamed over the target), and an existing file
is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bughunt import __version__
from bughunt.errors import BadInput

DEFAULT_DIR = "bughunt-workspace"
MANIFEST = Path(".bughunt") / "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    file: str  # file name inside the workspace
    program: str  # program id
    seed: int  # exercise seed: selects the bug site, later the camouflage
    sha256: str  # of the file as generated: tells "edited" from "as generated"
    tool: str = __version__


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_atomic(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` to ``path`` all at once; refuse to replace an existing file unless told."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if path exists: never clobbers a learner's file
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Workspace:
    def __init__(self, root: Path, entries: dict[str, Entry]) -> None:
        self.root = root
        self.entries = entries

    @classmethod
    def open(cls, root: Path, *, create: bool = False) -> "Workspace":
        manifest = root / MANIFEST
        if not manifest.exists():
            if create:
                return cls(root, {})
            raise BadInput(f"{root} is not a bughunt workspace (no {MANIFEST}); run `bughunt generate` first")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            entries = {e["file"]: Entry(**e) for e in data["exercises"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{manifest} is unreadable: {exc}") from None
        return cls(root, entries)

    @classmethod
    def of_file(cls, path: Path) -> tuple["Workspace", Entry]:
        """The workspace an exercise file belongs to, and its entry."""
        if not path.exists():
            raise BadInput(f"{path}: no such file")
        if not path.is_file():
            raise BadInput(f"{path} is not a file")
        workspace = cls.open(path.resolve().parent)
        entry = workspace.entries.get(path.name)
        if entry is None:
            raise BadInput(f"{path} is not an exercise of the workspace {workspace.root}")
        return workspace, entry

    def path(self, entry: Entry) -> Path:
        return self.root / entry.file

    def add(self, entry: Entry, text: str) -> Path:
        """Write a new exercise file (never over an existing one), then record it."""
        target = self.root / entry.file
        write_atomic(target, text, overwrite=False)
        self.entries[entry.file] = entry
        self.save()
        return target

    def save(self) -> None:
        data = {"format": FORMAT, "exercises": [asdict(e) for e in sorted(self.entries.values(), key=lambda e: e.file)]}
        write_atomic(self.root / MANIFEST, json.dumps(data, indent=2) + "\n", overwrite=True)

    def free_name(self, topic: str) -> str:
        """The next ``<topic>_NN.py`` that is neither recorded nor present on disk."""
        n = 1
        while (name := f"{topic}_{n:02d}.py") in self.entries or (self.root / name).exists():
            n += 1
        return name
