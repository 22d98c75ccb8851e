"""The parent side of verification: worker processes, the Hypothesis search, verdicts.

The parent never imports torch. Programs run in worker processes forked from a
server that has torch imported and warmed up (``warmup``), so starting a worker
costs milliseconds, and learner code never runs in the bughunt process itself.
For one configuration the reference and the candidate run side by side (two
cores); reference observations are cached, so a reference runs once per config.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from bughunt.clean_programs import Program
from bughunt.detector import forkserver, sandbox, worker
from bughunt.detector.checks import Check, Obs, crash, describe_error, unobserved
from bughunt.errors import InternalError

Config = dict[str, Any]


class RunFailure(Exception):
    """A worker did not answer: timed out, exited, or was killed. str() is the symptom."""


class Cancelled(Exception):
    """A verification stopped by its ``Cancel`` (watch: a newer save arrived): there is no verdict."""


class Cancel:
    """Stops a verification from another thread: calling it kills the candidate's workers at once
    (a run in progress ends), and the verification raises ``Cancelled`` at its next step."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._runners: list["Runner"] = []

    def __call__(self) -> None:
        with self._lock:
            self._event.set()
            runners = list(self._runners)
        for runner in runners:
            runner.kill()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def follow(self, runner: "Runner") -> None:
        with self._lock:
            self._runners.append(runner)
            if not self._event.is_set():
                return
        runner.kill()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class Verdict:
    fixed: bool
    message: str = ""  # the symptom and the configuration it showed with; "" when fixed
    config: Optional[Config] = None
    unusable: bool = False  # the file cannot be verified at all (syntax error): exit code 2
    remaining: Optional[int] = None  # bugs left, when the exercise had several and it could tell


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start a child without it re-running the parent's main script. multiprocessing has every
    child import the script that started the parent (so that functions defined there can be
    unpickled); the worker needs nothing from it, and for the installed `bughunt` command that
    import (the CLI, click, rich) cost more than the rest of a worker's start. The child skips it
    when the main module has no __file__. A main run with ``python -m`` goes by its module name
    instead (the child skips a package's __main__, as for ``python -m bughunt``): left as it is."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


class Worker:
    """One child process running one program, in a scratch directory this side owns; an
    unobserved one (``observed=False``) runs it without any instrumentation."""

    def __init__(self, source: str, filename: str, timeout: float, observed: bool = True) -> None:
        self.timeout, self.observed = timeout, observed
        spare = _take_spare(observed, timeout)
        if spare is not None:  # started ahead: isolated and set up, waiting for its program
            self.scratch, self.conn, self.process = spare.scratch, spare.conn, spare.process
            with contextlib.suppress(BrokenPipeError, OSError):  # gone: receive() says how
                self.conn.send((source, os.path.basename(filename)))
            first = self._receive()
        else:
            first = self._start(source, filename, sandboxed=sandbox.off_reason() is None)
        if "sandbox_refused" in first:  # the kernel refused: this command goes on without
            sandbox.refused(first["sandbox_refused"])
            self.close(graceful=False)
            first = self._start(source, filename, sandboxed=False)
        self.load_error: Optional[dict[str, Any]] = first.get("load_error")

    def _start(self, source: str, filename: str, sandboxed: bool) -> dict[str, Any]:
        self._launch(source, os.path.basename(filename), sandboxed)
        return self._receive()

    def _launch(self, source: Optional[str], name: Optional[str], sandboxed: bool) -> None:
        """Start the process; without a ``source`` it is a spare that waits for one."""
        context = forkserver.context()
        self.scratch = tempfile.mkdtemp(prefix="bughunt-run-")
        self.conn, child = context.Pipe()
        # The program sees only its file's name, not where the workspace is.
        self.process = context.Process(target=worker.serve, args=(child, source, name, self.scratch, sandboxed,
                                                                  self.observed), daemon=True)
        with _STARTING, _main_script_hidden():  # one start at a time: __main__ is shared by threads
            self.process.start()
        child.close()

    @classmethod
    def spare(cls, timeout: float, observed: bool) -> "Worker":
        """A worker started ahead, isolated and set up, that gets its program later (``__init__``)."""
        self = cls.__new__(cls)
        self.timeout, self.observed = timeout, observed
        self._launch(None, None, sandboxed=sandbox.off_reason() is None)
        return self

    def send(self, config: Config) -> None:
        try:
            self.conn.send(config)
        except (BrokenPipeError, OSError):
            pass  # the process is gone; receive() says how

    def _receive(self) -> dict[str, Any]:
        try:
            if self.conn.poll(self.timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(5)
            raise RunFailure(self._how_it_ended()) from None
        self.close()
        raise RunFailure(f"the program timed out after {self.timeout:g} s")

    def receive(self) -> Obs:
        return self._receive()

    def _how_it_ended(self) -> str:
        code = self.process.exitcode
        if code is None:
            return "the program stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return f"the program was killed by signal {name}"
        return f"the program exited early with code {code}"

    def kill(self) -> None:
        """Kill the process and whatever it started, now, from any thread (close, a cancel)."""
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the program's own children go too
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()

    def close(self, graceful: bool = True, wait: bool = True) -> None:
        """Stop the worker and whatever it started, and remove its scratch folder. Without
        ``wait`` this happens in the background: a verdict need not wait for a sandboxed worker
        to be torn down (bughunt waits for those still closing when it exits)."""
        if not wait:
            _in_background(lambda: self.close(graceful))
            return
        if graceful and self.process.is_alive():
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.process.join(1)
        self.kill()
        self.process.join(5)
        self.conn.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


_SPARES: dict[tuple[bool, float], list[Worker]] = {}  # started ahead, by (observed, timeout)
_SPARES_LOCK = threading.Lock()


def _take_spare(observed: bool, timeout: float) -> Optional[Worker]:
    with _SPARES_LOCK:
        found = _SPARES.get((observed, timeout))
        return found.pop() if found else None


def keep_spares(timeout: float) -> None:
    """Have one observed and one unobserved worker started ahead, so that the next verification
    (watch: the next save) does not wait for a process to start and isolate itself."""
    for observed in (True, False):
        with _SPARES_LOCK:
            if _SPARES.get((observed, timeout)):
                continue
        worker = Worker.spare(timeout, observed)
        with _SPARES_LOCK:
            _SPARES.setdefault((observed, timeout), []).append(worker)


def close_spares() -> None:
    with _SPARES_LOCK:
        spares = [w for found in _SPARES.values() for w in found]
        _SPARES.clear()
    for spare in spares:
        spare.close(wait=False)


_CLOSING: list[threading.Thread] = []  # workers being closed in the background
_STARTING = threading.Lock()


def _in_background(close: Callable[[], None]) -> None:
    closer = threading.Thread(target=close, daemon=True)
    _CLOSING[:] = [c for c in _CLOSING if c.is_alive()] + [closer]
    closer.start()


@atexit.register
def _closed() -> None:
    for closer in _CLOSING:
        closer.join(10)


class Runner:
    """A program's worker plus a cache: each configuration runs at most once."""

    def __init__(self, source: str, filename: str, timeout: float, observed: bool = True) -> None:
        self.source, self.filename, self.timeout, self.observed = source, filename, timeout, observed
        self._worker: Optional[Worker] = None
        self._cache: dict[tuple, Obs] = {}
        self._pending: list[tuple] = []  # configurations sent to the worker, answers not read yet, in order
        self.failure: Optional[str] = None  # once a run fails, every later run fails the same way
        self._starting: Optional[threading.Event] = None  # set once a background start has ended
        self._queued: list[Config] = []  # submitted while starting in the background: sent once up
        self._queue_lock = threading.Lock()
        self._start_failure: Optional[RunFailure] = None

    @property
    def load_error(self) -> Optional[dict[str, Any]]:
        return self._start().load_error

    def start_soon(self) -> None:
        """Start the worker in the background, so that its start and the program's loading overlap
        other work; runs submitted meanwhile are sent once it is up."""

        started = threading.Event()  # waited on, not join()ed: a Ctrl-C inside join() breaks the next one

        def start() -> None:
            try:
                worker = Worker(self.source, self.filename, self.timeout, self.observed)
            except RunFailure as failure:
                self._start_failure = failure
                worker = None
            with self._queue_lock:
                self._worker = worker
                for config in self._queued if worker is not None else ():
                    worker.send(config)
                self._queued = []
                started.set()

        self._starting = started
        threading.Thread(target=start, daemon=True).start()

    def _start(self) -> Worker:
        if self._starting is not None:
            self._starting.wait()
            self._starting = None
        if self._start_failure is not None:
            self.failure = str(self._start_failure)
            raise self._start_failure
        if self._worker is None:
            self._worker = Worker(self.source, self.filename, self.timeout, self.observed)
        return self._worker

    def submit(self, config: Config) -> None:
        """Ask for a run without waiting for it (the worker answers in order)."""
        key = _key(config)
        if self.failure is None and key not in self._cache and key not in self._pending:
            self._pending.append(key)
            with self._queue_lock:
                if self._starting is not None and not self._starting.is_set():
                    self._queued.append(config)
                    return
            self._start().send(config)

    def collect(self, config: Config) -> Obs:
        if self.failure is not None:
            raise RunFailure(self.failure)
        key = _key(config)
        self.submit(config)
        while key not in self._cache:
            try:
                observed = self._start().receive()
            except RunFailure as failure:
                self.failure = str(failure)
                raise
            self._cache[self._pending.pop(0)] = observed
        return self._cache[key]

    def kill(self) -> None:
        """Kill the worker now, from any thread; what waits for it sees it gone, close() tidies up."""
        worker = self._worker
        if worker is not None:
            worker.kill()

    def close(self, wait: bool = True) -> None:
        """Stop the worker; without ``wait`` in the background (see ``Worker.close``)."""
        if not wait and self._starting is not None:  # still starting: close it once it has started
            _in_background(self.close)
            return
        if self._starting is not None:
            self._starting.wait()
            self._starting = None
        if self._worker is not None:
            self._worker.close(graceful=not self._pending, wait=wait)  # a worker still busy is stopped at once
            self._worker = None


def _key(config: Config) -> tuple:
    return tuple(sorted(config.items()))


def describe_config(config: Config) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items())


class _Mismatch(Exception):
    def __init__(self, symptom: str, config: Config) -> None:
        super().__init__(symptom)
        self.symptom, self.config = symptom, config


def _space(space: Any) -> st.SearchStrategy:
    if isinstance(space, range):
        return st.integers(space.start, space.stop - 1)
    return st.sampled_from(tuple(space))


def search(program: Program, run: Callable[[Config], tuple[Obs, Obs]], checks: Iterable[Check],
           *, shrink: bool = True, witnesses: Optional[Sequence[Config]] = None) -> Optional[_Mismatch]:
    """Look for a configuration on which a check fails; None if all examples pass.

    The smallest configuration runs first, then the ones Hypothesis draws (a failure among them
    is shrunk), then the ``witnesses`` (default: the program's, ``bughunt.witnesses``): the few
    configurations that reach every branch of the reference, which the draws may all miss."""
    checks = tuple(checks)
    witnesses = program.witnesses if witnesses is None else witnesses
    strategy = st.fixed_dictionaries({name: _space(space) for name, space in program.params.items()})
    phases = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if shrink else ())
    first = {name: (space.start if isinstance(space, range) else space[0]) for name, space in program.params.items()}

    @settings(max_examples=program.max_examples, derandomize=True, database=None, deadline=None,
              report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet, phases=phases, print_blob=False)
    @given(config=strategy)
    @example(config=first)  # smallest everything first: batch size 1, one epoch, seed 0
    def behaves_like_reference(config: Config) -> None:
        try:
            ref, cand = run(config)
        except RunFailure as failure:
            raise _Mismatch(str(failure), config) from None
        for check in checks:
            symptom = check(ref, cand)
            if symptom:
                raise _Mismatch(symptom, config)

    # Hypothesis derives its derandomized draws from this test's source: keep it as it is, so that a
    # program gets the same configurations (and a file the same verdict) from one release to the next
    compare = behaves_like_reference.hypothesis.inner_test

    try:
        behaves_like_reference()
        for config in witnesses:
            compare(config=dict(config))
    except _Mismatch as mismatch:
        return mismatch
    except Flaky:
        return _Mismatch("gives different results on repeated runs with the same configuration", {})
    return None


@functools.lru_cache(maxsize=64)
def planned(program: Program) -> tuple[Config, ...]:
    """The configurations a search draws when every check passes, in order, witnesses last (the
    draws are derandomized: they depend on the program's parameters and example count alone)."""
    configs: list[Config] = []

    def run(config: Config) -> tuple[Obs, Obs]:
        configs.append(dict(config))
        return {}, {}

    search(program, run, (), shrink=False)
    return tuple(configs)


class Session:
    """Verifies candidates; keeps one reference worker (and its cache) per reference source."""

    KEEP = 4  # reference workers kept warm (least recently used go first)

    def __init__(self, checks: Iterable[Check], timeout: float, spares: bool = False) -> None:
        self.checks = tuple(checks)
        self.timeout = timeout
        self.spares = spares  # after each verification, start the next one's workers ahead (watch)
        self._references: OrderedDict[str, Runner] = OrderedDict()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for runner in self._references.values():
            runner.close()
        self._references.clear()
        if self.spares:
            close_spares()

    def _reference(self, program: Program, source: str, keep: bool = True) -> Runner:
        runner = self._references.get(source)
        if runner is not None:
            self._references.move_to_end(source)
        else:
            runner = Runner(source, f"<reference {program.id}>", self.timeout)
            if keep:
                self._references[source] = runner
                while len(self._references) > self.KEEP:
                    self._references.popitem(last=False)[1].close()
            if runner.load_error:
                raise InternalError(f"reference {program.id} does not load: {runner.load_error}")
        return runner

    def warm(self, program: Program, reference_source: str) -> None:
        """Start the reference on every configuration a passing verification draws and return at
        once: its worker runs them while the learner edits (watch calls this after a buggy
        verdict, which needed the reference on one or two configurations only), so the fixed
        verdict waits for the candidate alone."""
        reference = self._reference(program, reference_source)
        for config in planned(program):
            reference.submit(config)

    def verify(self, program: Program, reference_source: str, candidate_source: str, filename: str,
               *, shrink: bool = True, partials: Sequence[tuple[int, str]] = (),
               cancel: Optional[Cancel] = None) -> Verdict:
        """Compare the candidate with the reference. ``partials`` are (bugs left, source) versions
        of the exercise with only some bugs fixed: when the candidate fails, the most bugs of a
        version it behaves like is the verdict's ``remaining`` (a bug that crashes hides the
        others, so the count errs on the side of more). ``cancel`` may stop it from another thread
        (then it raises ``Cancelled``)."""
        try:
            compile(candidate_source, filename, "exec")
        except SyntaxError as exc:
            return Verdict(False, f"syntax error at line {exc.lineno} column {exc.offset}: {exc.msg}",
                           unusable=True)
        except ValueError as exc:  # e.g. null bytes in the source
            return Verdict(False, f"cannot be compiled: {exc}", unusable=True)

        candidate = Runner(candidate_source, filename, self.timeout)
        twin = Runner(candidate_source, filename, self.timeout, observed=False)
        stop = cancel.check if cancel is not None else (lambda: None)
        if cancel is not None:
            cancel.follow(candidate)
            cancel.follow(twin)
        try:
            try:
                load_error = candidate.load_error
            except RunFailure as failure:
                stop()
                return Verdict(False, f"while loading, {failure}")
            stop()
            if load_error:
                return Verdict(False, f"while loading, {describe_error(load_error)}")
            mismatch = self._compare(program, reference_source, candidate, shrink, twin=twin, stop=stop)
            stop()
            if mismatch is None:
                return Verdict(True)
            remaining = next((left for left, source in sorted(partials, reverse=True)
                              if self._compare(program, source, candidate, shrink=False, partial=True,
                                               stop=stop) is None), None)
            stop()
        finally:
            candidate.close(wait=False)  # the verdict is known: tidy up meanwhile
            twin.close(wait=False)
            if self.spares:
                _in_background(lambda: keep_spares(self.timeout))
        where = f"with {describe_config(mismatch.config)}: " if mismatch.config else ""
        return Verdict(False, where + mismatch.symptom, mismatch.config, remaining=remaining)

    def _compare(self, program: Program, reference_source: str, candidate: Runner,
                 shrink: bool, partial: bool = False, twin: Optional[Runner] = None,
                 stop: Callable[[], None] = lambda: None) -> Optional[_Mismatch]:
        """Search for a configuration where the candidate differs from the reference. A
        ``partial`` reference is a partly fixed exercise: its worker is not kept for later
        candidates, and it may raise (the candidate then matches it when it raises the same
        exception). A ``twin`` runs the candidate unobserved on the same configurations; when
        the search finds no difference, the twin must return what the observed candidate did."""
        reference = self._reference(program, reference_source, keep=not partial)
        tried: list[Config] = []
        try:
            mismatch = self._search(program, reference, candidate, shrink, partial, twin, tried, stop)
            if mismatch is None and twin is not None:
                mismatch = _unobserved_differs(candidate, twin, tried)
            return mismatch
        finally:
            if partial:
                reference.close()

    def _search(self, program: Program, reference: Runner, candidate: Runner, shrink: bool,
                partial: bool, twin: Optional[Runner] = None, tried: Optional[list[Config]] = None,
                stop: Callable[[], None] = lambda: None) -> Optional[_Mismatch]:
        failed: list[bool] = []  # once a check fails the rest is shrinking a bug: the twin has no part in it

        def noting(check: Check) -> Check:
            def noted(ref: Obs, cand: Obs) -> Optional[str]:
                symptom = check(ref, cand)
                if symptom:
                    failed.append(True)
                return symptom
            return noted

        checks = tuple(map(noting, (_like_buggy(self.checks),) if partial else self.checks))

        def run(config: Config) -> tuple[Obs, Obs]:
            stop()  # cancelled: Cancelled leaves the search (Hypothesis re-raises it)
            reference.submit(config)
            candidate.submit(config)
            if twin is not None and tried is not None and not failed:  # runs meanwhile, on the other core
                tried.append(dict(config))
                if len(tried) == 2:  # the first configuration passed: this may be a fix; the twin
                    twin.start_soon()  # starts now (a bug, most often told by the first, never pays for it)
                if len(tried) > 1:  # and runs them all
                    for earlier in tried:
                        twin.submit(earlier)  # once each: submit skips what it has
            try:
                ref = reference.collect(config)
            except RunFailure as failure:
                if partial:
                    raise  # a partly fixed version that hangs: the candidate is not like it
                raise InternalError(f"reference {program.id} {failure}") from None
            if ref["error"] and not partial:
                raise InternalError(f"reference {program.id} fails with {describe_config(config)}: {ref['error']}")
            try:
                return ref, candidate.collect(config)
            except RunFailure:
                failed.append(True)
                stop()  # killed by a cancel, not by its own doing
                raise

        return search(program, run, checks, shrink=shrink)


def _unobserved_differs(candidate: Runner, twin: Runner, tried: list[Config]) -> Optional[_Mismatch]:
    """The first configuration on which the candidate, run without any instrumentation, does not
    return what it returned while observed: a program that reads the instrumentation (hooks,
    wrappers) and behaves well only while watched cannot pass."""
    for config in tried:
        try:
            alone = twin.collect(config)
        except RunFailure as failure:
            return _Mismatch(f"when not observed by verify, {failure}", config)
        symptom = unobserved(candidate.collect(config), alone)
        if symptom:
            return _Mismatch(symptom, config)
    return None


def _like_buggy(checks: tuple[Check, ...]) -> Check:
    """Compare with a partly fixed exercise, which may raise: then the candidate must raise the
    same exception, and what both did before it (modes, steps, targets) must agree too, so that
    a bug the crash comes after still counts."""

    def check(ref: Obs, cand: Obs) -> Optional[str]:
        if ref["error"] is None:
            return next((symptom for c in checks if (symptom := c(ref, cand))), None)
        mine, theirs = cand["error"] or {}, ref["error"]
        if (mine.get("type"), mine.get("message")) != (theirs["type"], theirs["message"]):
            return "raises differently"
        return next((symptom for c in checks if c is not crash and (symptom := c(ref, cand))), None)

    return check
