"""A workspace, the one owner of the learner's state: exercise files, the manifest that can
regenerate each one's reference, the progress (verdicts, hints), backups of edited files.

The manifest (``.bughunt/manifest.json``) records, per exercise file, the program
id, the exercise seed and the tool version: enough to rebuild the exercise and its
reference from the installed package, and nothing that names the bug. Every
write is atomic (a temporary file renamed over the target), and an existing file
is never overwritten: a learner's edited file is first kept as ``NAME.bak``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterator, Optional

from bughunt import __version__
from bughunt.errors import BadInput

DEFAULT_DIR = "bughunt-workspace"
MANIFEST = Path(".bughunt") / "manifest.json"
STATE = Path(".bughunt") / "state.json"  # the learner's progress: verdicts and hints used
LOCK = Path(".bughunt") / "lock"
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    file: str  # file name inside the workspace
    program: str  # program id
    seed: int  # exercise seed: selects the bug sites and the camouflage
    sha256: str  # of the file as generated: tells "edited" from "as generated"
    tool: str = __version__
    bugs: int = 1
    fingerprint: str = ""  # layout- and name-blind hash: no two exercises of a workspace share one
    plain: bool = False  # generated without camouflage


@dataclass(frozen=True)
class Progress:
    """What bughunt remembers of the learner's work on one exercise."""

    hints: int = 0  # hint steps shown so far
    verified: str = ""  # sha256 of the file content the last verdict is about
    fixed: bool = False
    message: str = ""  # the last verdict's symptom


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(path: Path) -> str:
    """sha256 of the file's text as it is now; "" when it cannot be read (missing, mid-save, not UTF-8)."""
    try:
        return sha256(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


def free_backup(path: Path) -> Path:
    """``name.py.bak``, or ``name.py.bak2``... whichever does not exist yet."""
    n = 1
    while (candidate := path.with_name(path.name + (".bak" if n == 1 else f".bak{n}"))).exists():
        n += 1
    return candidate


def keep_copy(path: Path) -> Path:
    """Copy ``path`` beside itself (``NAME.bak``...) before it is replaced; returns the copy."""
    backup = free_backup(path)
    shutil.copy2(path, backup)
    return backup


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

    def targets(self) -> list["Target"]:
        """Every exercise of the workspace, by file name; an empty workspace is an error."""
        if not self.entries:
            raise BadInput(f"{self.root} has no exercises; run `bughunt generate` first")
        return [Target(self, e) for e in sorted(self.entries.values(), key=lambda e: e.file)]

    def path(self, entry: Entry) -> Path:
        return self.root / entry.file

    @contextlib.contextmanager
    def guarded(self) -> Iterator[list[str]]:
        """Around a run of learner code: afterwards, put back the manifest if it changed and any
        exercise file that disappeared. The yielded list names what had to be put back."""
        manifest = self.root / MANIFEST
        saved = {manifest: _read_bytes(manifest)}
        saved.update({self.path(e): _read_bytes(self.path(e)) for e in self.entries.values()})
        restored: list[str] = []
        try:
            yield restored
        finally:
            for path, content in saved.items():
                if content is None:
                    continue
                now = _read_bytes(path)
                if (path == manifest and now != content) or now is None:  # learners edit exercises, not these
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(path, content.decode("utf-8"), overwrite=True)
                    restored.append(str(path.relative_to(self.root)))

    # --- progress ------------------------------------------------------------------------

    def progress(self) -> dict[str, Progress]:
        path = self.root / STATE
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {name: Progress(**fields) for name, fields in data["exercises"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{path} is unreadable: {exc}") from None

    @contextlib.contextmanager
    def updating_progress(self) -> Iterator[dict[str, Progress]]:
        """Read, change and atomically rewrite the progress, holding the workspace lock so that
        two bughunt processes never lose each other's updates."""
        (self.root / LOCK).parent.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+") as lock:
            _lock(lock)
            progress = self.progress()
            yield progress
            data = {"format": FORMAT, "exercises": {k: asdict(v) for k, v in sorted(progress.items())}}
            write_atomic(self.root / STATE, json.dumps(data, indent=2) + "\n", overwrite=True)

    def record(self, entry: Entry, **changes: object) -> Progress:
        with self.updating_progress() as progress:
            progress[entry.file] = replace(progress.get(entry.file, Progress()), **changes)
            return progress[entry.file]

    def state_of(self, entry: Entry, progress: Progress) -> str:
        """``new`` (as generated), ``fixed`` (its current text passed verify), ``edited`` or ``missing``."""
        current = digest(self.path(entry))
        if not current:
            return "missing"
        if progress.fixed and progress.verified == current:
            return "fixed"
        return "new" if current == entry.sha256 else "edited"

    def keep_edits(self, name: str, text: str) -> Optional[Path]:
        """Before ``name`` is replaced by ``text``: copy it aside if it holds anything else than
        what bughunt wrote there (the generated text, or ``text`` itself). Returns the copy."""
        path = self.root / name
        if not path.exists():
            return None
        entry, current = self.entries.get(name), digest(path)
        if current and ((entry and current == entry.sha256) or current == sha256(text)):
            return None
        return keep_copy(path)

    def add(self, entry: Entry, text: str, *, overwrite: bool = False) -> Path:
        """Write an exercise file (over an existing one only if told), then record it."""
        target = self.root / entry.file
        write_atomic(target, text, overwrite=overwrite)
        self.entries[entry.file] = entry
        self.save()
        if overwrite:
            with self.updating_progress() as progress:
                progress.pop(entry.file, None)
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


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _lock(file: object) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; writes stay atomic
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # released when the file is closed


@dataclass(frozen=True)
class Target:
    """One exercise of a workspace: what verify, hint, watch and reset work on."""

    workspace: Workspace
    entry: Entry

    @property
    def path(self) -> Path:
        return self.workspace.path(self.entry)

    @classmethod
    def of_file(cls, path: Path) -> "Target":
        return cls(*Workspace.of_file(path))

    def progress(self) -> Progress:
        return self.workspace.progress().get(self.entry.file, Progress())

    def record(self, **changes: object) -> Progress:
        return self.workspace.record(self.entry, **changes)


def targets(paths: tuple[Path, ...], workspace_dir: Path) -> list[Target]:
    """The exercises named on the command line, or every exercise of the workspace."""
    if paths:
        return [Target.of_file(path) for path in paths]
    return Workspace.open(workspace_dir).targets()
