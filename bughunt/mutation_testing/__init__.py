"""``bughunt mutate``: the bug classes as mutation testing for a user's own project.

Each bug class's mutator runs over the project's files; each mutant is written into a copy
of the project (the project itself is never written: a killed run leaves it as it was) and
the project's own test command judges it there. A mutant is

- **killed** when the tests fail, **timed out** when they run past the timeout (derived
  from the clean run), **survived** when they pass;
- **not covered** when no test executes its lines (coverage.py, when installed, records
  which test runs which line; such a mutant costs nothing, and a covered one runs only the
  tests that reach it);
- **not testable here** when it is a device or mixed-precision mutant and no test that
  reaches it puts a tensor on a CUDA device (the tests run on the virtual CUDA device, so
  a test that does can kill it on a CPU).

Results are cached by the mutated file's content, the tests' content and the command, so a
second run after editing one file re-runs that file's mutants only.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from bughunt import __version__, cache_folder
from bughunt.bug_catalog import BugClass, all_classes, get_class
from bughunt.errors import BadInput
from bughunt.mutator import Tree, mutants_of
from bughunt.mutator.statements import passed_between

KILLED, SURVIVED, TIMED_OUT, NOT_COVERED, NOT_TESTABLE = "killed", "survived", "timed out", "not covered", \
    "not testable here"
STATUSES = (KILLED, SURVIVED, TIMED_OUT, NOT_COVERED, NOT_TESTABLE)

#: folders never copied nor searched: environments, caches, version control
SKIPPED = {".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "__pycache__", ".pytest_cache", ".mypy_cache",
           ".ruff_cache", ".tox", ".nox", "node_modules", "build", "dist", ".eggs", ".bughunt"}

#: for a survivor: the kind of test that would have killed it. A class missing here gets
#: :data:`GENERIC_CATCH`; a class may also carry its own text as a ``catch`` attribute.
CATCH = {
    "float-labels": "a test that computes the loss on a real batch (integer class labels), or checks the labels' dtype",
    "wrong-cat-dim": "a test that checks the output shape for a batch of at least two samples",
    "missing-zero-grad": "a test that steps twice on the same batch and compares each gradient with one computed from scratch, or that the loss goes down over a few steps",
    "missing-eval-dropout": "a test that evaluates the same weights twice and expects the same numbers, or checks `model.training` is False during evaluation",
    "missing-eval-batchnorm": "a test that checks `model.training` is False during evaluation, or that evaluation leaves the BatchNorm running statistics unchanged",
    "forward-skips-backbone": "a test that checks every parameter receives a gradient after one backward()",
    "inplace-relu": "a test that runs backward() through the block and compares its output with a hand-computed one",
    "target-shape": "a test that computes the loss on a real batch and checks the target's shape matches what the loss expects",
    "scheduler-per-batch": "a test that reads `optimizer.param_groups[0]['lr']` after each epoch and compares it with the schedule",
    "device-mismatch": "a test that runs a training step on the device the code picks (a CUDA device, virtual or real)",
    "validation-without-no-grad": "a test that checks evaluation builds no autograd graph (outputs have requires_grad False)",
    "softmax-before-cross-entropy": "a test that overfits one batch (the loss must get close to zero)",
    "step-before-backward": "a test that checks the parameters change after the first step, by the gradient of that batch",
    "residual-missing": "a test that compares a block's output with its input plus the branch's output",
    "stack-instead-of-cat": "a test that checks the output shape",
    "loss-accumulated-as-tensor": "a test that checks the returned loss is a Python float",
    "train-mode-not-restored": "a test that checks `model.training` is True again after validation",
    "save-best-inverted": "a test that checks the saved checkpoint is the one with the best validation score",
}
GENERIC_CATCH = "a test that compares results with known-good values: outputs, the loss after a few steps, the parameters after a step"

#: classes whose mutants can only fail where a tensor lives on a CUDA device
DEVICE_CLASSES = ("device-mismatch",)
DEVICE_PREFIXES = ("amp-",)


def device_class(bug: str) -> bool:
    return bug in DEVICE_CLASSES or bug.startswith(DEVICE_PREFIXES)


def catch_text(bug: BugClass) -> str:
    return getattr(bug, "catch", None) or CATCH.get(bug.id, GENERIC_CATCH)


@dataclass
class ProjectMutant:
    file: str  # relative to the project root, with /
    line: int
    lines: tuple[int, int]  # first and last line of the code the mutant changes, in the original
    bug: str
    form: str
    scope: str
    source: str = field(repr=False)  # the whole mutated file
    diff: str = field(repr=False)

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.file}\0{self.source}".encode()).hexdigest()


@dataclass
class Outcome:
    mutant: ProjectMutant
    status: str
    seconds: float = 0.0
    tests: int | None = None  # tests run (None: the whole command, unselected)
    cached: bool = False


@dataclass
class Report:
    root: str
    command: str
    clean_seconds: float
    timeout: float
    outcomes: list[Outcome]
    notes: list[str]
    coverage: bool
    virtual_cuda: bool
    jobs: int
    seconds: float = 0.0

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            row = table.setdefault(outcome.mutant.bug, dict.fromkeys(STATUSES, 0))
            row[outcome.status] += 1
        return dict(sorted(table.items()))

    @property
    def score(self) -> float:
        """Detected mutants (killed or timed out) among those the tests could have detected:
        a mutant no test covers counts against the score; one not testable here does not."""
        detected = sum(o.status in (KILLED, TIMED_OUT) for o in self.outcomes)
        counted = sum(o.status != NOT_TESTABLE for o in self.outcomes)
        return 100.0 * detected / counted if counted else 100.0

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == SURVIVED]

    def as_json(self) -> dict:
        return {
            "project": self.root, "test_command": self.command, "clean_seconds": round(self.clean_seconds, 2),
            "timeout": round(self.timeout, 1), "coverage": self.coverage, "virtual_cuda": self.virtual_cuda,
            "jobs": self.jobs, "seconds": round(self.seconds, 2), "score": round(self.score, 1),
            "classes": self.counts(), "notes": self.notes,
            "mutants": [{**mutant_json(o.mutant), "status": o.status, "seconds": round(o.seconds, 2),
                         "tests": o.tests, "cached": o.cached} for o in self.outcomes],
            "survivors": [{**mutant_json(o.mutant), "why": get_class(o.mutant.bug).why,
                           "catch": catch_text(get_class(o.mutant.bug))} for o in self.survivors],
        }


def mutant_json(mutant: ProjectMutant) -> dict:
    return {"file": mutant.file, "line": mutant.line, "class": mutant.bug, "form": mutant.form,
            "scope": mutant.scope, "diff": mutant.diff}


# ----------------------------------------------------------------------------------- finding

def python_files(root: Path, paths: Iterable[str]) -> list[Path]:
    """The .py files named by ``paths`` (files, or folders searched recursively), each inside
    ``root``; test files (``test_*.py``, ``*_test.py``, ``conftest.py``) are not mutated."""
    found: list[Path] = []
    for given in paths:
        path = (root / given).resolve()
        if not path.exists():
            raise BadInput(f"{given}: no such file or folder")
        if root not in (path, *path.parents):
            raise BadInput(f"{given}: not inside the project folder {root} (run bughunt mutate from the project's root)")
        if path.is_file():
            if path.suffix != ".py":
                raise BadInput(f"{given}: not a Python file")
            found.append(path)
            continue
        for file in sorted(path.rglob("*.py")):
            parts = file.relative_to(root).parts
            if any(part in SKIPPED or part.endswith(".egg-info") for part in parts) or is_test_file(file):
                continue
            found.append(file)
    return sorted(set(found))


def is_test_file(path: Path) -> bool:
    return path.name.startswith("test_") or path.name.endswith("_test.py") or path.name == "conftest.py"


def find_mutants(root: Path, paths: Iterable[str], classes: Iterable[str] = ()) -> tuple[list[ProjectMutant], list[str]]:
    """Every mutant of the chosen classes (default: all) in the files; notes say what was skipped."""
    chosen = [get_class(c) for c in classes] or list(all_classes())
    mutants, notes = [], []
    parsed: dict[Path, tuple[str, Tree]] = {}
    for path in python_files(root, paths):
        try:
            source = path.read_text(encoding="utf-8")
            parsed[path] = source, Tree(source)
        except Exception as exc:  # not Python 3 LibCST can parse: skip the file, say so
            notes.append(f"{path.relative_to(root).as_posix()}: skipped, cannot be parsed ({type(exc).__name__})")
    passed_between({**_callers(root, parsed), **{module_name(root, path): tree for path, (_, tree) in parsed.items()}})
    for path, (source, tree) in parsed.items():
        relative = path.relative_to(root).as_posix()
        for bug in chosen:
            try:
                found = mutants_of(source, bug.id, bug.mutate, tree)
            except Exception as exc:  # a mutator that fails on unusual code must not stop the run
                notes.append(f"{relative}: {bug.id} skipped ({type(exc).__name__}: {exc})")
                continue
            for mutant in found:
                try:
                    text = mutant.source
                    compile(text, relative, "exec")
                except (AssertionError, SyntaxError, ValueError) as exc:
                    notes.append(f"{relative}:{mutant.line}: {bug.id} ({mutant.form}) skipped: {exc}")
                    continue
                first = min(tree.line(mutant.edit.node), mutant.line)
                last = max(tree.last_line(mutant.edit.node), tree.last_line(mutant.edit.site))
                mutants.append(ProjectMutant(relative, mutant.line, (first, last), bug.id, mutant.form, mutant.scope,
                                             text, unified_diff(relative, source, text)))
    return mutants, notes


def module_name(root: Path, path: Path) -> str:
    """``pkg.train`` for ``pkg/train.py``, ``pkg`` for ``pkg/__init__.py``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def _callers(root: Path, parsed: dict[Path, tuple[str, Tree]]) -> dict[str, Tree]:
    """The project's other Python files that use torch and name a module being mutated (its
    tests, its scripts), parsed: their calls may pass a loss or a scaler to a function of it.
    Unreadable ones are left out."""
    names = {module_name(root, path).rpartition(".")[2] for path in parsed}
    found = {}
    for file in sorted(root.rglob("*.py")):
        parts = file.relative_to(root).parts
        if file in parsed or any(part in SKIPPED or part.endswith(".egg-info") for part in parts):
            continue
        try:
            source = file.read_text(encoding="utf-8")
            if "torch" in source and "import" in source and any(name in source for name in names):
                found[module_name(root, file)] = Tree(source)
        except Exception:  # noqa: BLE001 - evidence only: a file that cannot be read gives none
            continue
    return found


def unified_diff(relative: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{relative}", f"b/{relative}", n=2))


# ----------------------------------------------------------------------------------- running

def default_command() -> str:
    return f"{shlex.quote(sys.executable)} -m pytest -q"


def project_copy(root: Path, target: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIPPED or n.endswith(".egg-info")}

    shutil.copytree(root, target, ignore=ignore, symlinks=True)
    return target


def digest_files(root: Path, select: Callable[[Path], bool]) -> str:
    """One digest over the content of the project's files that ``select`` keeps."""
    sha = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder, name)
            if select(path):
                sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


_CONFIG = {"pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "conftest.py"}


def tests_digest(root: Path) -> str:
    return digest_files(root, lambda p: (p.suffix == ".py" and is_test_file(p)) or p.name in _CONFIG)


class Cache:
    """Outcomes by key, in one JSON file per project under the user's cache folder."""

    def __init__(self, root: Path, enabled: bool) -> None:
        self.path = cache_folder("mutate") / (hashlib.sha256(str(root).encode()).hexdigest()[:20] + ".json")
        self.enabled = enabled
        self.entries: dict[str, dict] = {}
        if enabled and self.path.exists():
            try:
                self.entries = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self.entries = {}

    def get(self, key: str) -> dict | None:
        return self.entries.get(key) if self.enabled else None

    def put(self, key: str, value: dict) -> None:
        self.entries[key] = value

    def save(self) -> None:
        if not self.enabled:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.entries))
        os.replace(temporary, self.path)


@dataclass
class Run:
    returncode: int | None  # None: timed out
    seconds: float
    output: str


def run_command(command: str, cwd: Path, env: dict, timeout: float | None) -> Run:
    """The shell command in its own process group, killed whole on timeout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        code = None
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return Run(code, time.perf_counter() - start, out.decode(errors="replace"))


def has_coverage() -> bool:
    try:
        import coverage  # noqa: F401
    except ImportError:
        return False
    return True


def real_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def test_env(copy: Path, plugins: Path, virtual_cuda: bool, select: Path | None = None) -> dict:
    """The environment of the test command in ``copy``: the copy first on the path, bytecode
    off, the plugin loaded, threads one per job."""
    env = dict(os.environ)
    paths = [str(copy)] + ([str(copy / "src")] if (copy / "src").is_dir() else []) + [str(plugins)]
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant's bytecode must never serve the next one
    env["PYTEST_PLUGINS"] = ",".join(p for p in [env.get("PYTEST_PLUGINS"), "_bughunt_mutate_plugin"] if p)
    env["PYTEST_ADDOPTS"] = " ".join(p for p in [env.get("PYTEST_ADDOPTS"), "-p no:cacheprovider"] if p)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")  # mutants run side by side, one core each
    for name in [n for n in env if n.startswith("BUGHUNT_MUTATE_")]:
        del env[name]
    env.pop("COVERAGE_PROCESS_START", None)
    if virtual_cuda:
        env["BUGHUNT_MUTATE_VIRTUAL_CUDA"] = "1"
    if select is not None:
        env["BUGHUNT_MUTATE_SELECT"] = str(select)
    return env


class Harness:
    """The temporary folder of one run: the plugin, coverage's settings and data, the copies."""

    def __init__(self, root: Path, command: str, use_coverage: bool, virtual_cuda: bool) -> None:
        self.root, self.command = root, command
        self.tmp = Path(tempfile.mkdtemp(prefix="bughunt-mutate-"))
        self.plugins = self.tmp / "plugins"
        self.plugins.mkdir()
        here = Path(__file__).parent
        shutil.copy(here / "pytest_plugin.py", self.plugins / "_bughunt_mutate_plugin.py")
        shutil.copy(here.parent / "detector" / "virtual_cuda.py", self.plugins / "_bughunt_virtual_cuda.py")
        self.use_coverage, self.virtual_cuda = use_coverage, virtual_cuda
        self.cuda_log = self.tmp / "cuda-tests.txt"
        self.measure = self.tmp / "measure"
        self.measure.mkdir()
        (self.measure / "sitecustomize.py").write_text("import coverage\ncoverage.process_startup()\n")

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, copy: Path, select: Path | None = None, measure: bool = False) -> dict:
        env = test_env(copy, self.plugins, self.virtual_cuda, select)
        if measure:
            env["BUGHUNT_MUTATE_CUDA_LOG"] = str(self.cuda_log)
            if self.use_coverage:
                rc = self.tmp / "coveragerc"
                rc.write_text(f"[run]\ndata_file = {self.tmp / 'coverage' / 'data'}\nparallel = True\n"
                              f"source = {copy}\n")
                (self.tmp / "coverage").mkdir(exist_ok=True)
                # its sitecustomize starts coverage in every Python process
                env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(self.measure)])
                env["COVERAGE_PROCESS_START"] = str(rc)
                env["BUGHUNT_MUTATE_CONTEXTS"] = "1"
        return env

    def payload(self) -> bytes:
        """The project (as copied) and the plugin, packed for the workers of a cluster."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(project_copy(self.root, self.tmp / "payload"), arcname="project")
            tar.add(self.plugins, arcname="plugins")
        shutil.rmtree(self.tmp / "payload", ignore_errors=True)
        return buffer.getvalue()

    def line_tests(self, copy: Path) -> dict[str, dict[int, set[str]]]:
        """From the measured run: file -> line -> node ids of the tests that ran it ('' for
        code run outside any test: imports, collection, a non-pytest command)."""
        import coverage

        cov = coverage.Coverage(data_file=str(self.tmp / "coverage" / "data"))
        cov.combine(data_paths=[str(self.tmp / "coverage")], keep=False)
        data = cov.get_data()
        result: dict[str, dict[int, set[str]]] = {}
        for measured in data.measured_files():
            path = Path(measured)
            if copy not in path.parents:
                continue
            lines = data.contexts_by_lineno(measured)
            result[path.relative_to(copy).as_posix()] = {line: set(ctx) for line, ctx in lines.items()}
        return result


@dataclass
class Clean:
    seconds: float
    line_tests: dict[str, dict[int, list[str]]] | None  # None: no coverage; every mutant runs every test
    cuda_tests: list[str] | None  # None: unknown (the plugin did not run)


def mutate_project(root: Path, paths: Iterable[str], command: str | None = None, classes: Iterable[str] = (),
                   timeout: float | None = None, jobs: int | None = None, use_coverage: bool | None = None,
                   use_cache: bool = True, cluster: str | None = None,
                   on_mutant: Callable[[Outcome], None] = lambda o: None,
                   on_start: Callable[[int], None] = lambda n: None) -> Report:
    """Run the project's tests against every mutant of ``paths``; the project is not written.
    With ``cluster`` (a Dask scheduler's address) the mutants' test runs go to its workers."""
    started = time.perf_counter()
    root = root.resolve()
    command = command or default_command()
    mutants, notes = find_mutants(root, paths, classes)
    jobs = max(1, jobs or os.cpu_count() or 1)
    use_coverage = has_coverage() if use_coverage is None else use_coverage
    if use_coverage and not has_coverage():
        raise BadInput("coverage is not installed (pip install coverage)")
    virtual = os.environ.get("BUGHUNT_DEVICE") != "native" and not real_cuda()
    harness = Harness(root, command, use_coverage, virtual)
    cache = Cache(root, use_cache)
    try:
        clean = _clean_run(harness, cache, timeout)
        limit = timeout or max(10.0, 3 * clean.seconds + 5)
        tests_key = tests_digest(root)
        on_start(len(mutants))
        outcomes: dict[int, Outcome] = {}
        to_run: list[tuple[int, str, set[str] | None]] = []
        for i, mutant in enumerate(mutants):
            key = _key(mutant, harness, tests_key)
            decided = _decide(mutant, harness, clean, cache.get(key))
            if decided is None:
                to_run.append((i, key, tests_for(mutant, clean)))
            else:
                outcomes[i] = decided
                cache.put(key, {"status": decided.status, "seconds": decided.seconds, "tests": decided.tests})
                on_mutant(decided)

        def done(i: int, key: str, outcome: Outcome) -> None:
            outcomes[i] = outcome
            cache.put(key, {"status": outcome.status, "seconds": outcome.seconds, "tests": outcome.tests})
            on_mutant(outcome)

        if cluster:
            _run_on_cluster(cluster, harness, mutants, to_run, limit, done)
        else:
            _run_here(harness, mutants, to_run, limit, jobs, done)
        cache.save()
        return Report(str(root), command, clean.seconds, limit, [outcomes[i] for i in range(len(mutants))], notes,
                      use_coverage, virtual, jobs, time.perf_counter() - started)
    finally:
        harness.close()


def _run_here(harness: Harness, mutants: list[ProjectMutant], to_run: list, limit: float, jobs: int,
              done: Callable[[int, str, Outcome], None]) -> None:
    """Each job thread takes a copy of the project, writes a mutant in, runs the tests, puts it back."""
    copies: queue.Queue[Path] = queue.Queue()
    for i in range(min(jobs, len(to_run))):
        copies.put(project_copy(harness.root, harness.tmp / f"copy{i}"))

    def judge(job: tuple[int, str, set[str] | None]) -> None:
        i, key, selected = job
        copy = copies.get()
        try:
            returncode, seconds = run_mutant(copy, harness.plugins, harness.command, harness.virtual_cuda,
                                             mutants[i].file, mutants[i].source, selected, limit)
        finally:
            copies.put(copy)
        done(i, key, _outcome(mutants[i], returncode, seconds, selected))

    with ThreadPoolExecutor(max_workers=jobs) as threads:
        list(threads.map(judge, to_run))


def _run_on_cluster(address: str, harness: Harness, mutants: list[ProjectMutant], to_run: list, limit: float,
                    done: Callable[[int, str, Outcome], None]) -> None:
    """The project travels to each worker once (packed); each job is one mutant's test run."""
    from concurrent.futures import as_completed

    from bughunt.cluster import pool

    packed = harness.payload()
    digest = hashlib.sha256(packed).hexdigest()
    with pool(address, 1) as remote:
        shared = remote.share(packed)
        futures = {remote.submit(remote_run, digest, shared, harness.command, harness.virtual_cuda,
                                 mutants[i].file, mutants[i].source, None if s is None else sorted(s), limit):
                   (i, key, s) for i, key, s in to_run}
        for future in as_completed(futures):
            i, key, selected = futures[future]
            returncode, seconds = future.result()
            done(i, key, _outcome(mutants[i], returncode, seconds, selected))


_unpacked: dict[tuple[str, int], Path] = {}  # on a worker: (project digest, thread) -> its folder


def remote_run(digest: str, packed: bytes, command: str, virtual_cuda: bool, file: str, source: str,
               selected: list[str] | None, limit: float) -> tuple[int | None, float]:
    """One mutant's test run on a cluster worker, in the worker thread's own unpacked copy."""
    key = (digest, threading.get_ident())
    base = _unpacked.get(key)
    if base is None or not base.exists():
        base = Path(tempfile.mkdtemp(prefix=f"bughunt-mutate-{digest[:12]}-"))
        with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
            tar.extractall(base, filter="data")
        _unpacked[key] = base
    return run_mutant(base / "project", base / "plugins", command, virtual_cuda, file, source,
                      None if selected is None else set(selected), limit)


def run_mutant(copy: Path, plugins: Path, command: str, virtual_cuda: bool, file: str, source: str,
               selected: set[str] | None, limit: float) -> tuple[int | None, float]:
    """The test command in ``copy`` with ``file`` mutated; the file is put back after.
    Returns the exit code (None: timed out) and the seconds it took."""
    target = copy / file
    original = target.read_bytes()
    select = None
    try:
        if selected is not None:
            select = copy.parent / f"{copy.name}.select"
            select.write_text("\n".join(sorted(selected)))
        target.write_text(source, encoding="utf-8")
        run = run_command(command, copy, test_env(copy, plugins, virtual_cuda, select), limit)
    finally:
        target.write_bytes(original)
    return run.returncode, run.seconds


def _outcome(mutant: ProjectMutant, returncode: int | None, seconds: float, selected: set[str] | None) -> Outcome:
    status = TIMED_OUT if returncode is None else SURVIVED if returncode == 0 else KILLED
    return Outcome(mutant, status, seconds, None if selected is None else len(selected))


def _clean_run(harness: Harness, cache: Cache, timeout: float | None) -> Clean:
    """The tests on the unmutated project, once, measured; they must pass. Cached by the
    content of every file of the project."""
    key = "clean:" + hashlib.sha256(json.dumps([
        __version__, harness.command, harness.use_coverage, harness.virtual_cuda,
        digest_files(harness.root, lambda p: True)]).encode()).hexdigest()
    known = cache.get(key)
    if known is not None:
        return Clean(known["seconds"], known["line_tests"], known["cuda_tests"])
    copy = project_copy(harness.root, harness.tmp / "clean")
    run = run_command(harness.command, copy, harness.env(copy, measure=True), timeout or 3600)
    if run.returncode != 0:
        tail = "\n".join(run.output.rstrip().splitlines()[-15:])
        why = "ran past the timeout" if run.returncode is None else f"exited with {run.returncode}"
        raise BadInput(f"the tests fail on the unmutated project ({harness.command!r} {why}); "
                       f"mutation testing needs a passing suite. Last lines:\n{tail}")
    line_tests = None
    if harness.use_coverage:
        measured = harness.line_tests(copy)
        line_tests = {f: {str(line): sorted(t) for line, t in lines.items()} for f, lines in measured.items()}
    cuda_tests = sorted(set(harness.cuda_log.read_text().split())) if harness.cuda_log.exists() else None
    if cuda_tests is None and "pytest" in harness.command and harness.virtual_cuda:
        cuda_tests = []  # the plugin ran and no test put a tensor on the device
    cache.put(key, {"seconds": run.seconds, "line_tests": line_tests, "cuda_tests": cuda_tests})
    shutil.rmtree(copy, ignore_errors=True)
    return Clean(run.seconds, line_tests, cuda_tests)


def tests_for(mutant: ProjectMutant, clean: Clean) -> set[str] | None:
    """The node ids of the tests that execute the mutant's lines; None: every test (no
    coverage, or the lines run outside any one test)."""
    if clean.line_tests is None:
        return None
    lines = clean.line_tests.get(mutant.file, {})
    found: set[str] = set()
    for line in range(mutant.lines[0], mutant.lines[1] + 1):
        found.update(lines.get(str(line), ()))
    return None if "" in found else found


def _key(mutant: ProjectMutant, harness: Harness, tests_key: str) -> str:
    return "mutant:" + hashlib.sha256(json.dumps([
        __version__, harness.command, harness.use_coverage, harness.virtual_cuda, mutant.key, tests_key]).encode()
    ).hexdigest()


def _decide(mutant: ProjectMutant, harness: Harness, clean: Clean, known: dict | None) -> Outcome | None:
    """The outcome without a run (cached, not covered, not testable here), else None."""
    if known is not None:
        return Outcome(mutant, known["status"], known["seconds"], known["tests"], cached=True)
    lines = range(mutant.lines[0], mutant.lines[1] + 1)
    if clean.line_tests is not None and not any(str(n) in clean.line_tests.get(mutant.file, {}) for n in lines):
        return Outcome(mutant, NOT_COVERED, 0.0, 0)
    if device_class(mutant.bug) and _untestable(tests_for(mutant, clean), clean, harness):
        return Outcome(mutant, NOT_TESTABLE, 0.0, 0)
    return None


def _untestable(selected: set[str] | None, clean: Clean, harness: Harness) -> bool:
    """A device mutant is untestable when no test that reaches it touches a CUDA device."""
    if not harness.virtual_cuda:
        return not real_cuda()
    if clean.cuda_tests is None:  # not known: let the tests decide
        return False
    return not (set(clean.cuda_tests) if selected is None else selected & set(clean.cuda_tests))


def dry_run(root: Path, paths: Iterable[str], classes: Iterable[str] = ()) -> tuple[list[ProjectMutant], list[str]]:
    return find_mutants(root.resolve(), paths, classes)


