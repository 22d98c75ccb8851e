"""Watch mode: the one place to stay. Each save of an exercise is verified at once; single keys
ask for the next hint, the list, a reset, the next exercise, or quit (like rustlings).

The watcher keeps one verification session for its whole life: the fork server
keeps torch imported, the reference workers keep their cached observations, so a
saved file gets its verdict in a fraction of a cold ``bughunt verify``. After a verdict
that is not "fixed", the reference runs the configurations it has not run yet while the
learner edits, so the fixed verdict only waits for the candidate.

A check runs in a thread while this one keeps watching the files and the keys: a newer save of
the file being checked cancels the check (its candidate's workers are killed, see
``runner.Cancel``) and checks the new text, so a save that hangs never holds up the next one.
Changes arrive through inotify on Linux; elsewhere, or with ``poll=True``, the exercise files
are checked every ``interval`` seconds. Keys come from the terminal in cbreak mode
(``terminal_keys``); without a terminal there are none and the rest works the same.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import select
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from bughunt.grading import Cancel, Cancelled, Session, Verdict, plan, verifier, verify_target, warm_target
from bughunt.workspace import Target, Workspace, digest

KEYS = {"h": "hint", "l": "list", "r": "reset", "n": "next", "q": "quit"}


@dataclass(frozen=True)
class Focus:
    """The exercise to work on now."""

    target: Target


@dataclass(frozen=True)
class Checking:
    """A check started; ``again`` when a newer save replaced the check in progress."""

    target: Target
    again: bool = False


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


@dataclass(frozen=True)
class Hinted:
    target: Target
    hints: list  # learner.Hint, the next step
    fixed: bool


@dataclass(frozen=True)
class Listed:
    rows: list  # learner.Status, one per exercise


@dataclass(frozen=True)
class Restored:
    target: Target
    backup: Optional[Path]


@dataclass(frozen=True)
class Waiting:
    """A key that needs the session (a hint) waits for the check in progress."""

    key: str


Event = Union[Focus, Checking, Checked, AllFixed, Hinted, Listed, Restored, Waiting]


@dataclass
class _Check:
    target: Target
    cancel: Cancel
    start: float
    result: object = None  # a Verdict, or the exception the check raised
    requeue: bool = False  # cancelled by a newer save: check the file again
    done: threading.Event = field(default_factory=threading.Event)  # set before the thread wakes the loop


@dataclass
class Watcher:
    """The state of a watch and what each event (a save, a key, a finished check) does to it.
    Single-threaded but for the checks, which run one at a time in a thread of their own
    (``_start``)."""

    workspace: Workspace
    targets: list[Target]
    session: Session
    emit: Callable[[Event], None]
    changes: Optional["Changes"] = None
    wake: Optional[int] = None  # a pipe's write end: a finished check writes a byte to it
    fixed: set[str] = field(default_factory=set)
    current: Optional[Target] = None
    pending: list[Target] = field(default_factory=list)
    running: Optional[_Check] = None
    deferred: str = ""  # keys pressed during a check that need the session
    checks: Optional["queue.Queue[Optional[_Check]]"] = None  # the checking thread's, once started

    def begin(self) -> bool:
        """Focus on the first unfixed exercise and queue its check; False when all are fixed."""
        self.fixed = {t.entry.file for t in self.targets if _is_fixed(t)}
        self.current = _next(self.targets, self.fixed, None)
        if self.current is None:
            self.emit(AllFixed(len(self.targets)))
            return False
        self.emit(Focus(self.current))
        self.pending = [self.current]
        return True

    def saved(self, names: set[str]) -> None:
        """Files were saved: check them (a check of one of them in progress starts over)."""
        self.pending += [t for t in self.targets if t.entry.file in names and t not in self.pending]
        if self.running and self.running.target.entry.file in names:
            self.running.requeue = True
            self.running.cancel()

    def press(self, key: str) -> bool:
        """One key; False to stop watching."""
        action = KEYS.get(key.lower())
        if action == "quit":
            return False
        if action == "list":
            from bughunt.learner import status

            self.emit(Listed(status(self.workspace)))
        elif action == "hint":
            if self.running:
                if "h" not in self.deferred:
                    self.deferred += "h"
                    self.emit(Waiting(key))
                return True
            from bughunt.learner import next_hints

            shown, fixed = next_hints(self.current, session=self.session)
            self.emit(Hinted(self.current, shown, fixed))
        elif action == "reset":
            from bughunt.learner import reset_target

            self._drop(self.current)
            backup = reset_target(self.current)
            if self.changes:
                self.changes.note(self.current.entry.file)  # our own write: not a save to react to
            self.emit(Restored(self.current, backup))
            self.pending.insert(0, self.current)
        elif action == "next":
            self._drop(self.current)
            self.current = _next(self.targets, self.fixed, self.current) or self.current
            self.emit(Focus(self.current))
            self.pending = [self.current] + [t for t in self.pending if t != self.current]
        return True

    def _drop(self, target: Target) -> None:
        """Forget a check of ``target``: cancel one in progress, unqueue it."""
        if self.running and self.running.target == target:
            self.running.requeue = False
            self.running.cancel()
        self.pending = [t for t in self.pending if t != target]

    def step(self) -> bool:
        """Take a finished check's verdict, start the next check; False when all are fixed."""
        if self.running and self.running.done.is_set():  # not is_alive(): the thread may still be ending
            check, self.running = self.running, None
            # no thread.join(): a Ctrl-C inside one breaks the next (CPython's "assert self._is_stopped");
            # the thread has set done and has nothing left to do
            if isinstance(check.result, Cancelled):
                if check.requeue and check.target not in self.pending:
                    self.pending.insert(0, check.target)
            elif isinstance(check.result, BaseException):
                raise check.result
            elif not self._verdict(check):
                return False
            if not self.running and self.deferred and not self.pending:
                keys, self.deferred = self.deferred, ""
                for key in keys:
                    self.press(key)
        if self.running is None and self.pending:
            self._start(self.pending.pop(0))
        return True

    def _verdict(self, check: _Check) -> bool:
        verdict, target = check.result, check.target
        (self.fixed.add if verdict.fixed else self.fixed.discard)(target.entry.file)
        self.emit(Checked(target, verdict, time.perf_counter() - check.start, len(self.fixed), len(self.targets)))
        if not verdict.fixed and not verdict.unusable and not self.pending:
            warm_target(self.session, target)  # while the learner edits: the fixed verdict waits less
        if verdict.fixed and target == self.current:
            self.current = _next(self.targets, self.fixed, self.current)
            if self.current is None:
                self.emit(AllFixed(len(self.targets)))
                return False
            self.emit(Focus(self.current))
            if self.current not in self.pending:
                self.pending.append(self.current)  # show where it stands right away
        return True

    def _start(self, target: Target) -> None:
        check = _Check(target, Cancel(), time.perf_counter())
        self.running = check
        self.emit(Checking(target))
        if self.checks is None:
            # One thread for the watch's life, not one per check: Hypothesis sets up each thread it
            # first runs in with a full garbage collection, which every verdict would wait for.
            self.checks = queue.Queue()
            threading.Thread(target=self._run_checks, args=(self.checks,), name="checks", daemon=True).start()
        self.checks.put(check)

    def _run_checks(self, checks: "queue.Queue[Optional[_Check]]") -> None:
        while (check := checks.get()) is not None:
            try:
                check.result = verify_target(self.session, check.target, check.cancel)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                check.result = exc
            check.done.set()
            if self.wake is not None:
                with contextlib.suppress(OSError):
                    os.write(self.wake, b"x")

    def stop(self) -> None:
        """Cancel a check in progress and wait for it to end."""
        if self.running:
            self.running.cancel()
            self.running.done.wait()  # not join(): see step()
            self.running = None
        if self.checks is not None:
            self.checks.put(None)  # the checking thread ends
            self.checks = None


def watch(workspace: Workspace, emit: Callable[[Event], None], *, poll: bool = False,
          interval: float = 0.5, timeout: Optional[float] = None, keys: Optional["Keys"] = None) -> None:
    """Verify on every save until every exercise is fixed, ``q`` is pressed, or the caller interrupts."""
    targets = workspace.targets()
    changes = Changes(workspace.root, {t.entry.file for t in targets}, poll, interval)
    woken, wake = os.pipe()
    try:
        for target in targets:
            plan(target)  # now, so that warming later runs no Hypothesis in this (the Ctrl-C) thread
        with verifier(timeout, spares=True) as session:
            loop = Watcher(workspace, targets, session, _restarts(emit), changes, wake)
            if not loop.begin():
                return
            try:
                while loop.step():
                    select.select([woken, *changes.fds(), *(keys.fds() if keys else [])], [], [],
                                  changes.wait_time())
                    _drain(woken)
                    saved = changes.read()
                    if saved:
                        loop.saved(saved)
                    for key in keys.read() if keys else "":
                        if not loop.press(key):
                            return
            finally:
                loop.stop()
    finally:
        changes.close()
        os.close(woken)
        os.close(wake)


def _restarts(emit: Callable[[Event], None]) -> Callable[[Event], None]:
    """Mark a Checking that follows a cancelled check of the same file (no verdict between) as ``again``."""
    last: list[Event] = []

    def forward(event: Event) -> None:
        if isinstance(event, Checking) and last and isinstance(last[0], Checking) and last[0].target == event.target:
            event = Checking(event.target, again=True)
        last[:] = [event]
        emit(event)

    return forward


def _drain(fd: int) -> None:
    while select.select([fd], [], [], 0)[0]:
        if not os.read(fd, 4096):
            return


def _is_fixed(target: Target) -> bool:
    return target.workspace.state_of(target.entry, target.progress()) == "fixed"


def _next(targets: list[Target], fixed: set[str], after: Optional[Target]) -> Optional[Target]:
    """The first unfixed exercise after ``after`` (wrapping around)."""
    start = targets.index(after) + 1 if after in targets else 0
    for target in targets[start:] + targets[:start]:
        if target.entry.file not in fixed:
            return target
    return None


class Changes:
    """Which exercise files changed content since last asked. Watching starts when it is made,
    so a save while bughunt is busy still counts."""

    def __init__(self, root: Path, names: set[str], poll: bool, interval: float) -> None:
        self.root, self.interval = root, interval
        self._fd = None if poll else _inotify(root)
        self._seen = {name: digest(root / name) for name in names}
        self._due = time.monotonic() + interval

    def fds(self) -> list[int]:
        return [] if self._fd is None else [self._fd]

    def wait_time(self) -> float:
        """How long the caller may sleep before ``read`` has something new to look at."""
        return 0.5 if self._fd is not None else max(0.0, self._due - time.monotonic())

    def read(self) -> set[str]:
        """The files whose content changed (a file mid-save or deleted waits for the next change)."""
        if self._fd is not None:
            events = _drain_events(self._fd)
            if not events:
                return set()
            if any(mask & _IN_CREATE and name in self._seen for mask, name in events):
                # an exercise file created anew may still be being written; a save that closes
                # the file or renames a finished one over it is complete when its event comes
                time.sleep(0.05)
        elif time.monotonic() < self._due:
            return set()
        else:
            self._due = time.monotonic() + self.interval
        changed = set()
        for name in self._seen:
            now = digest(self.root / name)
            if now != self._seen[name] and now:
                self._seen[name] = now
                changed.add(name)
        return changed

    def wait(self, seconds: float) -> set[str]:
        """``read`` after waiting up to ``seconds`` for something to happen."""
        deadline = time.monotonic() + seconds
        while True:
            select.select(self.fds(), [], [], max(0.0, min(self.wait_time(), deadline - time.monotonic())))
            changed = self.read()
            if changed or time.monotonic() >= deadline:
                return changed

    def note(self, name: str) -> None:
        """bughunt itself wrote ``name`` (reset): not a change to report."""
        self._seen[name] = digest(self.root / name)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


_IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE = 0x008, 0x080, 0x100
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


def _inotify(folder: Path) -> Optional[int]:
    """A non-blocking inotify descriptor that becomes readable when something in ``folder`` is
    written, or None when inotify is not available (not Linux): the caller then polls."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        if libc.inotify_add_watch(fd, os.fsencode(folder), _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE) < 0:
            os.close(fd)
            return None
    except (OSError, AttributeError):
        return None
    return fd


def _drain_events(fd: int) -> list[tuple[int, str]]:
    """Read every pending inotify event: (mask, file name) each."""
    events: list[tuple[int, str]] = []
    while True:
        try:
            data = os.read(fd, 64 * 1024)
        except OSError:  # BlockingIOError: none left
            return events
        if not data:
            return events
        offset = 0
        while offset + _EVENT.size <= len(data):  # struct inotify_event, then its name
            _, mask, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0")
            events.append((mask, os.fsdecode(name)))
            offset += _EVENT.size + length


class Keys:
    """Single key presses from a terminal in cbreak mode (no Enter needed, Ctrl-C still works)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fds(self) -> list[int]:
        return [self.fd]

    def read(self) -> str:
        if not select.select([self.fd], [], [], 0)[0]:
            return ""
        try:
            return os.read(self.fd, 64).decode("utf-8", "ignore")
        except OSError:
            return ""


@contextlib.contextmanager
def terminal_keys(stream=None) -> Iterator[Optional[Keys]]:
    """Keys from ``stream`` (default stdin) while it is a terminal, in cbreak mode, the terminal's
    settings put back afterwards; None when it is not a terminal (a pipe, a test)."""
    stream = sys.stdin if stream is None else stream
    try:
        fd = stream.fileno()
        interactive = os.isatty(fd)
    except (AttributeError, ValueError, OSError):
        interactive = False
    if not interactive:
        yield None
        return
    try:
        import termios
        import tty
    except ImportError:  # Windows: no cbreak mode here
        yield None
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield Keys(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
