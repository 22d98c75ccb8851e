"""A workspace, the one owner of the learner's state: exercise files, the manifest that can
regenerate each one's reference, the progress (verdicts, hints), backups of edited files.

The manifest (``.bughunt/manifest.json``) records, per exercise file, the program
id, the exercise seed and the tool version: enough to rebuild the exercise and its
reference from the installed package, and nothing that names the bug. Every
write is atomic (a temporary file renamed over the target), and an existing file
is never overwritten: a learner's edited file is first kept as ``NAME.bak``.

Commands find their workspace as git finds a repository: the folder they run in or the
nearest one above it that holds ``.bughunt/`` (else ``./bughunt-workspace``). The manifest
and the progress file change only under the workspace lock (read, modify, write), so two
bughunt processes never lose each other's updates. A lost or corrupted manifest is rebuilt
from the exercise files, whose header names the program and seed (``exercise.identify``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from bughunt import __version__
from bughunt.errors import BadInput

if TYPE_CHECKING:
    from bughunt.exercise import Exercise

DEFAULT_DIR = "bughunt-workspace"
MANIFEST = Path(".bughunt") / "manifest.json"
STATE = Path(".bughunt") / "state.json"  # the learner's progress: verdicts and hints used
LOCK = Path(".bughunt") / "lock"
FORMAT = 1

_notice: Callable[[str], None] = lambda message: None


def on_notice(callback: Callable[[str], None]) -> None:
    """Where one-line notices go (a manifest rebuilt on the fly): the CLI prints them on stderr."""
    global _notice
    _notice = callback


def natural(name: str) -> list:
    """Sort key: ``training_2`` before ``training_10`` before ``training_100``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def locate(given: Optional[Path] = None, start: Optional[Path] = None) -> Path:
    """The workspace a command works on: ``given`` (``--workspace``) as it is; else the folder
    it runs in or the nearest one above that holds ``.bughunt/`` (as git looks for ``.git``);
    else ``./bughunt-workspace`` if it exists; else the current folder if it holds exercise files
    (a workspace that lost ``.bughunt/``); else ``./bughunt-workspace``."""
    if given is not None:
        return given
    here = Path.cwd() if start is None else start
    for folder in [here, *here.parents]:
        if (folder / MANIFEST.parent).is_dir():
            return Path(os.path.relpath(folder, here)) if start is None else folder
    default = here / DEFAULT_DIR
    if not default.is_dir() and exercise_files(here):
        return Path(".") if start is None else here
    return Path(DEFAULT_DIR) if start is None else default


def exercise_files(folder: Path) -> list[Path]:
    """The ``*.py`` files (and notebooks) of ``folder`` that start with an exercise header, in natural order."""
    from bughunt.notebook import SUFFIX, first_line

    found = []
    try:
        candidates = sorted([*folder.glob("*.py"), *folder.glob(f"*{SUFFIX}")], key=lambda p: natural(p.name))
    except OSError:
        return []
    for path in candidates:
        try:
            with open(path, encoding="utf-8") as f:
                first = first_line(f.read()) if path.suffix == SUFFIX else f.readline()
        except (OSError, UnicodeDecodeError):
            continue
        if first.startswith("# bughunt exercise:"):
            found.append(path)
    return found


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
    origin: str = ""  # a user's program (--programs): its file, whose text the exercise was made from
    origin_sha256: str = ""  # ... and the digest of that text: a changed program is refused, never graded


@dataclass(frozen=True)
class Progress:
    """What bughunt remembers of the learner's work on one exercise."""

    hints: int = 0  # hint steps shown so far
    verified: str = ""  # sha256 of the file content the last verdict is about
    fixed: bool = False
    message: str = ""  # the last verdict's symptom
    symptoms: tuple[str, ...] = ()  # stacked exercise: the symptom of each bug on its own (for hints)


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
        self._held = threading.local()  # lock depth, per thread (watch verifies in a thread)

    @classmethod
    def open(cls, root: Path, *, create: bool = False) -> "Workspace":
        """The workspace at ``root``. A manifest that is missing (while exercise files are there)
        or unreadable is rebuilt from the exercise files, with a notice; ``create``: an empty
        workspace when there is nothing at all."""
        workspace = cls(root, {})
        manifest = root / MANIFEST
        if not manifest.exists() and not exercise_files(root):
            if create:
                return workspace
            raise BadInput(f"{root} is not a bughunt workspace (no {MANIFEST}); run `bughunt generate` first")
        try:
            workspace.entries = workspace._read()
        except BadInput:
            for line in workspace.repair():
                _notice(line)
        return workspace

    def _read(self) -> dict[str, Entry]:
        manifest = self.root / MANIFEST
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return {e["file"]: Entry(**e) for e in data["exercises"]}
        except FileNotFoundError:
            raise BadInput(f"{self.root} has no manifest") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{manifest} is unreadable: {exc}") from None

    def reload(self) -> None:
        """Read the manifest again (another bughunt process may have added exercises)."""
        with contextlib.suppress(BadInput):
            self.entries = self._read()

    def repair(self) -> list[str]:
        """Make the manifest and the progress file readable and complete again: a missing or
        unreadable manifest is rebuilt from the exercise files (an unreadable one is kept as
        ``manifest.json.bak``), exercise files the manifest lacks are added, an unreadable
        progress file is kept aside and started afresh, and temporary files a killed bughunt left
        behind (older than a minute: no write takes that long) are removed. Returns one line per
        thing done."""
        done: list[str] = []
        stale = [p for folder in (self.root, self.root / MANIFEST.parent) if folder.is_dir()
                 for p in folder.glob(".*.tmp") if time.time() - p.stat().st_mtime > 60]
        for path in stale:
            path.unlink(missing_ok=True)
        if stale:
            done.append(f"removed {len(stale)} temporary file{'s' if len(stale) > 1 else ''} left by a killed bughunt")
        with self.locked():
            manifest = self.root / MANIFEST
            damaged = False
            try:
                entries = self._read()
            except BadInput as problem:
                entries, damaged = {}, manifest.exists()
                if damaged:
                    kept = keep_copy(manifest)
                    done.append(f"{problem}; kept it as {kept.relative_to(self.root)}")
            found = {}
            for path in exercise_files(self.root):
                if path.name in entries:
                    continue
                try:
                    found[path.name] = entry_of(path.name, path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, BadInput) as exc:
                    done.append(f"{path.name} cannot be rebuilt ({exc}); left as it is")
            if found:
                verb = "rebuilt" if not entries else "added to"
                names = ", ".join(sorted(found, key=natural))
                done.append(f"{verb} {self.root / MANIFEST} from {len(found)} exercise file"
                            f"{'' if len(found) == 1 else 's'} ({names})")
            if found or damaged or not manifest.exists():
                self.entries = {**entries, **found}
                self.save()
            else:
                self.entries = entries
            try:
                self.progress()
            except BadInput as problem:
                kept = keep_copy(self.root / STATE)
                os.unlink(self.root / STATE)
                done.append(f"{problem}; kept it as {kept.relative_to(self.root)} and started afresh")
        missing = [name for name in sorted(self.entries, key=natural) if not (self.root / name).exists()]
        if missing:
            done.append(f"missing: {', '.join(missing)} (`bughunt reset FILE` writes one again)")
        return done

    @classmethod
    def of_file(cls, path: Path, *, missing_ok: bool = False,
                workspace: Optional[Path] = None) -> tuple["Workspace", Entry]:
        """The workspace an exercise file belongs to, and its entry. A bare file name that is not
        in the current folder is looked up in the workspace (``locate``); with ``missing_ok`` the
        file itself may be gone as long as the workspace knows it (reset writes it again)."""
        if not path.exists() and path.parent == Path(".") and not (path.parent / MANIFEST.parent).is_dir():
            found = _known(locate(workspace), path.name)  # `bughunt verify training_01.py` from above it
            if found is not None and (missing_ok or found[0].path(found[1]).exists()):
                return found
        if not path.exists():
            if not missing_ok or not (path.parent / MANIFEST.parent).is_dir():
                raise BadInput(f"{path}: no such file")
        elif not path.is_file():
            raise BadInput(f"{path} is not a file")
        workspace_ = cls.open(path.parent)
        entry = workspace_.entries.get(path.name)
        if entry is None:
            if not path.exists():
                raise BadInput(f"{path}: no such file")
            raise BadInput(f"{path} is not an exercise of the workspace {workspace_.root.resolve()}")
        return workspace_, entry

    def targets(self) -> list["Target"]:
        """Every exercise of the workspace, in natural order; an empty workspace is an error."""
        if not self.entries:
            raise BadInput(f"{self.root} has no exercises; run `bughunt generate` first")
        return [Target(self, e) for e in sorted(self.entries.values(), key=lambda e: natural(e.file))]

    def check_writable(self) -> None:
        """One line naming the folder when exercises cannot be written there (before any work)."""
        try:
            (self.root / MANIFEST.parent).mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".probe.", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise BadInput(f"cannot write exercises to {self.root}: {exc.strerror or exc}") from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace lock (re-entrant within one thread); other processes and threads wait."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        (self.root / LOCK).parent.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+") as lock:
            _lock(lock)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0

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
                if (path == manifest and now != content and not self._only_added(content, now)) or now is None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(path, content.decode("utf-8"), overwrite=True)
                    restored.append(str(path.relative_to(self.root)))

    @staticmethod
    def _only_added(before: bytes, now: Optional[bytes]) -> bool:
        """The manifest ``now`` keeps every entry of ``before`` as it was: another bughunt process
        (a ``generate`` meanwhile) added exercises, and that is no tampering."""
        try:
            old = json.loads(before)["exercises"]
            new = json.loads(now or b"")["exercises"]
            return all(e in new for e in old) and all(Entry(**e) for e in new)
        except (ValueError, KeyError, TypeError):
            return False

    # --- progress ------------------------------------------------------------------------

    def progress(self) -> dict[str, Progress]:
        path = self.root / STATE
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {name: Progress(**{**fields, "symptoms": tuple(fields.get("symptoms", ()))})
                    for name, fields in data["exercises"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{path} is unreadable: {exc}") from None

    @contextlib.contextmanager
    def updating_progress(self) -> Iterator[dict[str, Progress]]:
        """Read, change and atomically rewrite the progress, holding the workspace lock so that
        two bughunt processes never lose each other's updates."""
        with self.locked():
            progress = self.progress()
            yield progress
            data = {"format": FORMAT, "exercises": {k: asdict(v) for k, v in sorted(progress.items(),
                                                                                   key=lambda kv: natural(kv[0]))}}
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
        """Write an exercise file (over an existing one only if told), then record it: a
        read-modify-write of the manifest under the lock."""
        with self.locked():
            self.reload()
            target = self.root / entry.file
            write_atomic(target, text, overwrite=overwrite)
            self.entries[entry.file] = entry
            self.save()
            if overwrite:
                with self.updating_progress() as progress:
                    progress.pop(entry.file, None)
        return target

    def add_new(self, topic: str, make: Callable[[str], tuple[Entry, str]], suffix: str = ".py") -> Path:
        """Add an exercise under the next free ``<topic>_NN.py``, the name chosen under the lock so
        that two ``generate`` runs at once never pick the same one; ``make(name)`` gives the entry
        and text for a name."""
        with self.locked():
            self.reload()
            entry, text = make(self.free_name(topic, suffix))
            return self.add(entry, text)

    def save(self) -> None:
        with self.locked():
            data = {"format": FORMAT,
                    "exercises": [asdict(e) for e in sorted(self.entries.values(), key=lambda e: natural(e.file))]}
            write_atomic(self.root / MANIFEST, json.dumps(data, indent=2) + "\n", overwrite=True)

    def free_name(self, topic: str, suffix: str = ".py") -> str:
        """The next ``<topic>_NN.py`` (or ``suffix``) that is neither recorded nor present on disk."""
        n = 1
        while (name := f"{topic}_{n:02d}{suffix}") in self.entries or (self.root / name).exists():
            n += 1
        return name


def _known(root: Path, name: str) -> Optional[tuple[Workspace, Entry]]:
    """The workspace at ``root`` and its entry ``name``, if both exist."""
    if not (root / MANIFEST.parent).is_dir():
        return None
    try:
        workspace = Workspace.open(root)
    except BadInput:
        return None
    entry = workspace.entries.get(name)
    return (workspace, entry) if entry else None


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
    def of_file(cls, path: Path, *, missing_ok: bool = False, workspace: Optional[Path] = None) -> "Target":
        return cls(*Workspace.of_file(path, missing_ok=missing_ok, workspace=workspace))

    def progress(self) -> Progress:
        return self.workspace.progress().get(self.entry.file, Progress())

    def record(self, **changes: object) -> Progress:
        return self.workspace.record(self.entry, **changes)


def targets(paths: tuple[Path, ...], workspace_dir: Optional[Path] = None) -> list[Target]:
    """The exercises named on the command line (a folder: every exercise in it), or every
    exercise of the workspace (``locate``)."""
    if not paths:
        return Workspace.open(locate(workspace_dir)).targets()
    found: list[Target] = []
    for path in paths:
        if path.is_dir():
            inner = path / DEFAULT_DIR
            root = inner if not (path / MANIFEST.parent).is_dir() and (inner / MANIFEST.parent).is_dir() else path
            found += Workspace.open(root).targets()
        else:
            found.append(Target.of_file(path, workspace=workspace_dir))
    return found


def exercise_of(entry: Entry) -> "Exercise":
    """The exercise a manifest entry records (its program, seed, bugs, camouflage)."""
    from bughunt.clean_programs import get_program
    from bughunt.exercise import Exercise  # here, not above: the CLI imports this module on every command
    from bughunt.programs import recorded
    from bughunt.witnesses import measured

    program = measured(recorded(entry.program, entry.origin, entry.origin_sha256)) if entry.origin \
        else get_program(entry.program)
    return Exercise(program, entry.seed, entry.bugs, entry.plain)


def entry_of(file: str, text: str) -> Entry:
    """The manifest entry of an exercise file, rebuilt from its header."""
    from bughunt.exercise import identify

    exercise = identify(text)
    generated = exercise.text(file)
    return Entry(file, exercise.program.id, exercise.seed, sha256(generated), bugs=exercise.bugs,
                 fingerprint=exercise.fingerprint(), plain=exercise.plain)
