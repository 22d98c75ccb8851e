"""The child-process side of verification. Nothing here runs in the parent.

A worker loads one program (a candidate or a reference) from source, then answers
requests: each is a configuration for ``main(**config)``; each answer is an
observation (see ``checks``): what main returned and what the instrumentation saw.
Hooks are global (module forward pre-hooks, optimizer step pre-hooks) and the
program's own top-level functions are wrapped to know the current *phase*
(``train``, ``validate``...).

Learner code is untrusted. The worker is its own process group (the parent kills
the group on a timeout, children included), its output goes to /dev/null, its
address space is bounded, it works in a scratch directory, it cannot import
bughunt or Hypothesis, and after every run the worker checks that its hooks and
the torch entry points it relies on are still the originals ("tampered" if not).
On Linux it runs in a sandbox (``sandbox``): no bughunt files, no user files, no network.
"""

from __future__ import annotations

import functools
import inspect
import os
import random
import resource
import sys
import traceback
import types
from typing import Any

from bughunt.detector import sandbox

MEMORY_HEADROOM = 4 << 30  # bytes of address space a program may add to the worker's own
MAX_VALUES = 4096  # tensor values kept per observed tensor
BLOCKED = ("bughunt", "hypothesis")  # packages an exercise may not import: they hold the answers


def serve(conn: Any, source: str, filename: str, scratch: str, sandboxed: bool = False) -> None:
    """Entry point of a worker process: load the program, then answer run requests. The first
    answer says that the program loaded, or why it did not, or that the sandbox could not be
    built (the parent then starts the worker again without one)."""
    import multiprocessing

    import torch

    from bughunt.detector import virtual_cuda

    multiprocessing.current_process().daemon = False  # the program may start processes of its own
    try:
        _isolate(scratch, sandboxed)
    except sandbox.Unavailable as refusal:
        conn.send({"sandbox_refused": str(refusal)})
        return
    torch.set_num_threads(1)
    if os.environ.get("BUGHUNT_DEVICE") != "native":  # native: a real GPU checks the virtual one
        virtual_cuda.install()  # the program sees a CUDA device; device bugs raise as on a GPU
    recorder = Recorder()
    recorder.install()
    guard = Guard(recorder)
    sys.meta_path.insert(0, _Blocker())
    for name in [n for n in sys.modules if n.split(".")[0] in BLOCKED]:
        del sys.modules[name]  # this code keeps running; the program just cannot reach it
    try:
        module = load(source, filename, recorder)
    except BaseException as exc:  # the program's own top level failed
        conn.send({"load_error": describe(exc, filename)})
        return
    conn.send({"ready": True})
    while True:
        try:
            config = conn.recv()
        except EOFError:
            return
        if config is None:
            return
        observation = observe(module, config, recorder, filename)
        tampered = guard.changes()
        if tampered:
            observation["error"] = {"kind": "tampered", "type": "", "line": None, "function": None,
                                    "message": f"the program replaced {tampered}, which verification relies on"}
        conn.send(observation)


def _isolate(scratch: str, sandboxed: bool) -> None:
    """Silence the program's output, bound its memory, give it a scratch directory and
    its own process group (so that a timeout kills whatever it started too); then, when
    ``sandboxed``, move it into the sandbox (see ``sandbox``): only the Python environment
    and the scratch directory exist, bughunt's files are gone, and no network."""
    os.setpgrp()
    _die_with_parent()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):  # no /proc (macOS): run without a memory bound
        pass
    if sandboxed:
        sandbox.enter(scratch)
    os.chdir(scratch)


def _die_with_parent() -> None:
    """Linux: end this worker when the fork server (and so bughunt) ends, even if it is killed."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Blocker:
    """An import hook that refuses bughunt and Hypothesis to the program."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"exercises cannot import {name.split('.')[0]}", name=name)
        return None


class Guard:
    """Notices a program that replaces the hooks or torch entry points the recorder relies on."""

    def __init__(self, recorder: "Recorder") -> None:
        self.recorder = recorder
        self.baseline = self._snapshot()

    @staticmethod
    def _watched() -> dict[str, Any]:
        import torch
        import torch.nn.functional as F

        watched = {
            "torch.nn.Module.__call__": torch.nn.Module.__call__,
            "torch.nn.Module._call_impl": torch.nn.Module._call_impl,
            "torch.nn.Module.train": torch.nn.Module.train,
            "torch.nn.Module.eval": torch.nn.Module.eval,
            "torch.Tensor.backward": torch.Tensor.backward,
            "torch.autograd.backward": torch.autograd.backward,
            "torch.optim.Optimizer.zero_grad": torch.optim.Optimizer.zero_grad,
            "torch.optim.lr_scheduler.LRScheduler.step": torch.optim.lr_scheduler.LRScheduler.step,
            "torch.nn.functional.cross_entropy": F.cross_entropy,
            "torch.manual_seed": torch.manual_seed,
        }
        for name in ("SGD", "Adam", "AdamW", "RMSprop"):
            watched[f"torch.optim.{name}.step"] = getattr(torch.optim, name).step
        return watched

    def _snapshot(self) -> dict[str, int]:
        return {name: id(value) for name, value in self._watched().items()}

    def changes(self) -> str:
        """The first watched name that no longer holds its original, or ''."""
        from torch.nn.modules.module import _global_forward_pre_hooks
        from torch.optim.optimizer import _global_optimizer_pre_hooks

        if self.recorder.on_forward not in _global_forward_pre_hooks.values():
            return "torch's global module hooks"
        if self.recorder.on_step not in _global_optimizer_pre_hooks.values():
            return "torch's global optimizer hooks"
        current = self._snapshot()
        return next((name for name, ident in self.baseline.items() if current.get(name) != ident), "")


def load(source: str, filename: str, recorder: "Recorder") -> types.ModuleType:
    module = types.ModuleType("exercise")
    module.__file__ = filename
    sys.modules["exercise"] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and value.__module__ == "exercise":
            setattr(module, name, recorder.phase(value))
    return module


def describe(exc: BaseException, filename: str) -> dict[str, Any]:
    """Type, first message line, and where in the program it was raised."""
    line, function = None, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line, function = frame.lineno, frame.name
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line, function = exc.lineno, "<module>"
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    message = text[0][:300] if text else ""
    if type(exc).__name__ == "ProcessRaisedException" and text:  # a child process failed: its error is last
        message = text[-1].strip()[:300]
    kind = "exception"
    if isinstance(exc, SystemExit):
        kind, message = "exit", f"sys.exit({exc.code!r})"
    elif isinstance(exc, MemoryError) or "can't allocate memory" in message:
        kind, message = "memory", f"more than {MEMORY_HEADROOM >> 30} GiB"
    return {"kind": kind, "type": type(exc).__name__, "message": message, "line": line, "function": function}


def observe(module: types.ModuleType, config: dict[str, Any], recorder: "Recorder", filename: str) -> dict[str, Any]:
    import torch

    recorder.reset()
    random.seed(0)  # the program seeds itself; this covers whatever it forgets
    torch.manual_seed(0)
    torch.set_grad_enabled(True)
    error, result = None, None
    main = getattr(module, "main", None)
    if not callable(main):
        error = {"kind": "missing", "type": "", "message": "main", "line": None, "function": None}
    else:
        try:
            result = main(**config)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt from the program too
            error = describe(exc, filename)
        finally:
            torch.set_grad_enabled(True)
    with torch._C.DisableTorchFunction():  # reading the results needs no virtual device
        return {
            "error": error,
            "result": plain(result),
            "steps": recorder.steps,
            "modes": sorted(recorder.modes),
            "targets": sorted(recorder.targets),
            "params": recorder.final_params(),
        }


def plain(value: Any, depth: int = 0) -> Any:
    """Tensors, modules, containers and numbers as plain, picklable Python data."""
    import torch

    if depth > 8:
        return "<too deep>"
    if isinstance(value, torch.Tensor):
        flat = value.detach().cpu().reshape(-1)
        if flat.is_floating_point() or flat.is_complex():
            flat = flat.double()
        return {
            "__tensor__": True,
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "requires_grad": value.requires_grad,
            "values": flat[:MAX_VALUES].tolist(),
        }
    if isinstance(value, torch.nn.Module):
        return plain(dict(value.state_dict()), depth + 1)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


class Recorder:
    """What the global hooks see during one run of main()."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.stack: list[str] = []
        self.steps: list[dict[str, Any]] = []
        self.modes: set[tuple[str, str, bool, bool]] = set()
        self.targets: set[tuple[str, str, str, int, int]] = set()
        self.names: dict[int, str] = {}
        self.optimizers: list[Any] = []

    @property
    def current(self) -> str:
        return self.stack[-1] if self.stack else "main"

    def phase(self, function: Any) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(function.__name__)
            try:
                return function(*args, **kwargs)
            finally:
                self.stack.pop()

        return wrapper

    def install(self) -> None:
        import torch
        from torch.nn.modules.batchnorm import _BatchNorm
        from torch.nn.modules.dropout import _DropoutNd
        from torch.nn.modules.loss import CrossEntropyLoss, NLLLoss
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        quiet = torch._C.DisableTorchFunction  # the recorder's own torch calls skip the virtual device

        def on_forward(module: Any, args: tuple) -> None:
            with quiet():
                record_forward(module, args)

        def on_step(optimizer: Any, args: tuple, kwargs: dict) -> None:
            with quiet():
                record_step(optimizer)

        def record_forward(module: Any, args: tuple) -> None:
            if isinstance(module, _DropoutNd):
                kind = "Dropout"
            elif isinstance(module, _BatchNorm):
                kind = "BatchNorm"
            else:
                kind = type(module).__name__
            self.modes.add((self.current, kind, module.training, torch.is_grad_enabled()))
            if isinstance(module, (CrossEntropyLoss, NLLLoss)) and len(args) >= 2:
                logits, target = args[0], args[1]
                if isinstance(logits, torch.Tensor) and isinstance(target, torch.Tensor):
                    self.targets.add((self.current, type(module).__name__, str(target.dtype), target.dim(), logits.dim()))
            for name, param in module.named_parameters():
                self.names.setdefault(id(param), name)

        def record_step(optimizer: Any) -> None:
            if all(o is not optimizer for o in self.optimizers):
                self.optimizers.append(optimizer)
            total, missing = 0.0, []
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        if param.requires_grad:
                            missing.append(self.names.get(id(param), "an unnamed parameter"))
                    else:
                        total += float(param.grad.detach().double().pow(2).sum())
            self.steps.append({
                "phase": self.current,
                "lr": [float(group["lr"]) for group in optimizer.param_groups],
                "grad": total ** 0.5,
                "missing": missing,
            })

        self.on_forward, self.on_step = on_forward, on_step
        torch.nn.modules.module.register_module_forward_pre_hook(on_forward)
        register_optimizer_step_pre_hook(on_step)

    def final_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for i, optimizer in enumerate(self.optimizers):
            for group in optimizer.param_groups:
                for param in group["params"]:
                    name = self.names.get(id(param), f"#{len(params)}")
                    params[f"{i}:{name}" if i else name] = plain(param)
        return params
