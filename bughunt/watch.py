"""Watch mode: re-verify an exercise the moment it is saved.

The watcher keeps one verification session for its whole life: the fork server
keeps torch imported, the reference workers keep their cached observations, so a
saved file gets its verdict in a fraction of a cold ``bughunt verify``. After a verdict
that is not "fixed", the reference runs the configurations it has not run yet while the
learner edits, so the fixed verdict only waits for the candidate. Changes
arrive through inotify on Linux; elsewhere, or with ``poll=True``, the exercise
files are checked every ``interval`` seconds.
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from bughunt.grading import Verdict, verifier, verify_target, warm_target
from bughunt.workspace import Target, Workspace, digest


@dataclass(frozen=True)
class Focus:
    """The exercise to work on now."""

    target: Target


@dataclass(frozen=True)
class Checked:
    target: Target
    verdict: Verdict
    seconds: float
    fixed: int  # exercises fixed so far
    total: int


@dataclass(frozen=True)
class AllFixed:
    total: int


Event = Union[Focus, Checked, AllFixed]


def watch(workspace: Workspace, emit: Callable[[Event], None], *, poll: bool = False,
          interval: float = 0.5, timeout: Optional[float] = None) -> None:
    """Verify on every save until every exercise is fixed (or the caller interrupts)."""
    targets = workspace.targets()
    with verifier(timeout) as session:
        fixed = {t.entry.file for t in targets if _is_fixed(t)}
        current = _next(targets, fixed, None)
        if current is None:
            emit(AllFixed(len(targets)))
            return
        emit(Focus(current))
        pending = [current]
        for changed in _changes(workspace.root, {t.entry.file for t in targets}, poll, interval):
            pending += [t for t in targets if t.entry.file in changed and t not in pending]
            while pending:
                target = pending.pop(0)
                start = time.perf_counter()
                verdict = verify_target(session, target)
                (fixed.add if verdict.fixed else fixed.discard)(target.entry.file)
                emit(Checked(target, verdict, time.perf_counter() - start, len(fixed), len(targets)))
                if not verdict.fixed and not verdict.unusable and not pending:
                    warm_target(session, target)  # while the learner edits: the fixed verdict waits less
                if verdict.fixed and target == current:
                    current = _next(targets, fixed, current)
                    if current is None:
                        emit(AllFixed(len(targets)))
                        return
                    emit(Focus(current))
                    if current not in pending:
                        pending.append(current)  # show where it stands right away


def _is_fixed(target: Target) -> bool:
    return target.workspace.state_of(target.entry, target.progress()) == "fixed"


def _next(targets: list[Target], fixed: set[str], after: Optional[Target]) -> Optional[Target]:
    """The first unfixed exercise after ``after`` (wrapping around)."""
    start = targets.index(after) + 1 if after in targets else 0
    for target in targets[start:] + targets[:start]:
        if target.entry.file not in fixed:
            return target
    return None


def _changes(root: Path, names: set[str], poll: bool, interval: float) -> Iterator[set[str]]:
    """Sets of exercise files whose content changed. The first set is empty (start now)."""
    events = None if poll else _inotify(root)  # watching from now on: a save while we verify still counts
    seen = {name: digest(root / name) for name in names}
    yield set()
    while True:
        if events is not None:
            next(events)
            time.sleep(0.05)  # let an editor finish its save (write + rename)
        else:
            time.sleep(interval)
        changed = set()
        for name in names:
            now = digest(root / name)  # "" mid-save or deleted: wait for the next change
            if now != seen[name] and now:
                seen[name] = now
                changed.add(name)
        if changed:
            yield changed


_IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE = 0x008, 0x080, 0x100


def _inotify(folder: Path) -> Optional[Iterator[None]]:
    """A generator that returns each time something in ``folder`` was written, or None when
    inotify is not available (not Linux): the caller then polls."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(folder), _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE) < 0:
            return None
    except (OSError, AttributeError):
        return None

    def events() -> Iterator[None]:
        while True:
            select.select([fd], [], [])
            try:
                data = os.read(fd, 64 * 1024)
            except BlockingIOError:
                continue
            if data and struct.unpack_from("iIII", data)[1]:
                yield None

    return events()
