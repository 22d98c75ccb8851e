"""The child-process side of verification. Nothing here runs in the parent.

A worker loads one program (a candidate or a reference) from source, then answers
requests: each is a configuration for ``main(**config)``; each answer is an
observation (see ``checks``): what main returned and what the instrumentation saw.
Hooks are global (module forward pre-hooks and hooks, optimizer step pre-hooks) and the
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
import weakref
from typing import Any, Optional

from bughunt.detector import sandbox

MEMORY_HEADROOM = 4 << 30  # bytes of address space a program may add to the worker's own
MAX_VALUES = 4096  # tensor values kept per observed tensor
BLOCKED = ("bughunt", "hypothesis")  # packages an exercise may not import: they hold the answers


def serve(conn: Any, source: str, filename: str, scratch: str, sandboxed: bool = False,
          observed: bool = True) -> None:
    """Entry point of a worker process: load the program, then answer run requests. The first
    answer says that the program loaded, or why it did not, or that the sandbox could not be
    built (the parent then starts the worker again without one). An unobserved worker
    (``observed=False``) installs no hooks and wraps nothing: it only returns what main()
    returns, to check that the program does the same when nothing watches it."""
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
    recorder, guard = Recorder(), None  # unobserved: a recorder that installs nothing sees nothing
    if observed:
        recorder.install()
        guard = Guard(recorder)
    sys.meta_path.insert(0, _Blocker())
    for name in [n for n in sys.modules if n.split(".")[0] in BLOCKED]:
        del sys.modules[name]  # this code keeps running; the program just cannot reach it
    if source is None:  # a spare, started ahead (watch): its program comes when it is needed
        try:
            given = conn.recv()
        except EOFError:
            return
        if given is None:
            return
        source, filename = given
    try:
        module = load(source, filename, recorder if observed else None)
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
        tampered = guard.changes() if guard is not None else ""
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
        from torch.nn.modules.module import _global_forward_hooks, _global_forward_pre_hooks
        from torch.optim.optimizer import _global_optimizer_pre_hooks

        if (self.recorder.on_forward not in _global_forward_pre_hooks.values()
                or self.recorder.on_output not in _global_forward_hooks.values()):
            return "torch's global module hooks"
        if self.recorder.on_step not in _global_optimizer_pre_hooks.values():
            return "torch's global optimizer hooks"
        current = self._snapshot()
        return next((name for name, ident in self.baseline.items() if current.get(name) != ident), "")


def load(source: str, filename: str, recorder: "Recorder | None") -> types.ModuleType:
    module = types.ModuleType("exercise")
    module.__file__ = filename
    sys.modules["exercise"] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    if recorder is None:  # unobserved: the program's functions stay as written
        return module
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
    """One run of main(**config): its result or error, and what the recorder saw (nothing when
    it was never installed: an unobserved run)."""
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
        params, unoptimized = recorder.final_params()
        return {
            "error": error,
            "result": plain(result, recorder=recorder),
            "steps": recorder.steps,
            "empty_steps": recorder.empty_steps,
            "modes": sorted(recorder.modes),
            "targets": sorted(recorder.targets),
            "params": params,
            "unoptimized": unoptimized,
            "placement": recorder.final_placement(),
            "precision": sorted(recorder.precision),
            "graphs": sorted(recorder.graphs),
            "loaders": recorder.loader_passes(),
            "kept_graphs": recorder.kept_graphs,
        }


def plain(value: Any, depth: int = 0, recorder: Optional["Recorder"] = None) -> Any:
    """Tensors, modules, containers and numbers as plain, picklable Python data. With the
    ``recorder``, a tensor also says which device it is on and a module's tensors say what
    they are (see ``Recorder.describe``), so that modules registered under other names match."""
    import torch

    if depth > 8:
        return "<too deep>"
    if isinstance(value, torch.Tensor):
        flat = value.detach().cpu().reshape(-1)
        if flat.is_floating_point() or flat.is_complex():
            flat = flat.double()
        found = {
            "__tensor__": True,
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "requires_grad": value.requires_grad,
            "values": flat[:MAX_VALUES].tolist(),
        }
        if recorder is not None:
            found["device"] = str(recorder.device_of(value))
        return found
    if isinstance(value, torch.nn.Module):
        state = value.state_dict(keep_vars=True)  # the tensors themselves: the recorder knows them
        owners = {}
        if recorder is not None:
            for prefix, sub in value.named_modules():
                for local, tensor in (*sub._parameters.items(), *sub._buffers.items()):
                    owners.setdefault(id(tensor), (type(sub).__name__, local))
        entries = {}
        for name, tensor in state.items():
            entries[name] = plain(tensor, depth + 1, recorder)
            if recorder is not None and isinstance(tensor, torch.Tensor) and isinstance(entries[name], dict):
                entries[name].update(recorder.describe(tensor, owners.get(id(tensor))))
        return {"__module__": True, "state": entries}
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1, recorder) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1, recorder) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


class _Mark:
    """Attached to an autograd graph's node, it lives as long as the node does."""

    __slots__ = ("__weakref__",)


class Recorder:
    """What the global hooks see during one run of main()."""

    def __init__(self) -> None:
        from bughunt.detector import virtual_cuda

        # where a tensor is: the virtual device's tag, else its own device (natively, on a real GPU)
        self.device_of: Any = virtual_cuda.device_of if virtual_cuda.installed() else (lambda tensor: tensor.device)
        self._handles: list[Any] = []
        self.reset()

    def reset(self) -> None:
        for handle in self._handles:  # the last run's gradient hooks
            handle.remove()
        self._handles = []
        self.stack: list[str] = []
        self.steps: list[dict[str, Any]] = []
        self.empty_steps = 0  # step() calls that could change nothing: no parameter had a gradient
        self.modes: set[tuple[str, str, bool, bool]] = set()
        self.targets: set[tuple[str, str, str, int, int, bool]] = set()
        self.names: dict[int, str] = {}
        self.modules: dict[int, Any] = {}  # the modules called so far, by id
        self.optimizers: list[Any] = []
        # (phase, what, device): where parameters, buffers, the layers' inputs and the targets live
        self.placement: set[tuple[str, str, Any]] = set()
        self.precision: set[tuple[str, str, str]] = set()  # (phase, kind, autocast dtype or "off") of module calls
        self.graphs: set[str] = set()  # phases in which some module call recorded an autograd graph
        # id -> (tensor, role, order): what a parameter or buffer is (its module's class and its own
        # name there) and when the forward pass first used it; the tensor is kept so ids stay unique
        self.roles: dict[int, tuple[Any, str, int]] = {}
        # id -> (tensor, index, role): the order in which modules registered their parameters; the
        # program's own layers are made in the same order as the reference's, whatever their names
        self.created: dict[int, tuple[Any, int, str]] = {}
        self.computed: set[int] = set()  # parameters whose gradient backward() made since their last step
        self.hooked: set[int] = set()  # parameters whose accumulated gradients this run's hooks report
        # one entry per pass over a DataLoader (an iterator made from it): [phase, dataset length, indices];
        # the iterators are held weakly (one with worker processes ends them when it is dropped)
        self.loaders: list[list[Any]] = []
        self.passes: Any = weakref.WeakKeyDictionary()
        # the autograd graphs of the forward passes, each known by a mark attached to the graph node
        # of an outermost module call's output (the mark dies with the node): (steps taken before
        # that forward pass, weak reference to its mark)
        self.marks: list[tuple[int, Any]] = []
        self.depth = 0  # module calls in progress
        self.steps_taken = 0
        self.kept_graphs = 0  # the most steps, two or more back, whose graphs were alive at one step

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
        from torch.nn.modules.loss import CrossEntropyLoss, NLLLoss, _Loss
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        quiet = torch._C.DisableTorchFunction  # the recorder's own torch calls skip the virtual device
        Tensor = torch.Tensor
        device_of = self.device_of
        autocast_enabled, autocast_dtype = torch.is_autocast_enabled, torch.get_autocast_dtype
        grad_enabled = torch.is_grad_enabled

        def on_forward(module: Any, args: tuple) -> None:
            self.depth += 1
            with quiet():
                record_forward(module, args)

        def on_output(module: Any, args: tuple, output: Any) -> None:
            self.depth -= 1
            if self.depth == 0 and grad_enabled():
                with quiet():
                    mark_graphs(output)

        def on_step(optimizer: Any, args: tuple, kwargs: dict) -> None:
            with quiet():
                count_kept_graphs()
                record_step(optimizer)

        def mark_graphs(output: Any) -> None:
            for tensor in output if isinstance(output, (tuple, list)) else (output,):
                node = tensor.grad_fn if isinstance(tensor, Tensor) else None
                if node is not None:
                    mark = _Mark()
                    try:
                        node.metadata[_Mark] = mark
                    except (AttributeError, RuntimeError, TypeError):  # a node that keeps no metadata
                        continue
                    self.marks.append((self.steps_taken, weakref.ref(mark)))

        def count_kept_graphs() -> None:
            """A graph outlives its batch only while something holds a tensor of it: a running
            total, a list of outputs, a hidden state carried on. Counted at each step: the steps,
            two or more back, whose forward graphs are still alive."""
            self.marks = [(taken, ref) for taken, ref in self.marks if ref() is not None]
            kept = {taken for taken, _ in self.marks if taken <= self.steps_taken - 2}
            self.kept_graphs = max(self.kept_graphs, len(kept))
            self.steps_taken += 1

        def on_gradient(param: Any) -> None:  # backward() accumulated param.grad
            self.computed.add(id(param))

        def name_parameters(module: Any) -> None:
            """A module's first call names the parameters it holds, by their path from the first
            module called that holds them (the model). A module new to the run whose own parameters
            have no name yet may have been added to a model already called: those are walked again."""
            if any(id(p) not in self.names for p in module._parameters.values() if p is not None):
                for earlier in self.modules.values():
                    for name, param in earlier.named_parameters():
                        self.names.setdefault(id(param), name)
            self.modules[id(module)] = module  # kept, so that its id means it for the whole run
            for name, param in module.named_parameters():
                self.names.setdefault(id(param), name)

        def record_forward(module: Any, args: tuple) -> None:
            phase, grad = self.current, torch.is_grad_enabled()
            if isinstance(module, _DropoutNd):
                kind = "Dropout"
            elif isinstance(module, _BatchNorm):
                kind = "BatchNorm"
            else:
                kind = type(module).__name__
            self.modes.add((phase, kind, module.training, grad))
            loss = isinstance(module, _Loss)
            if isinstance(module, (CrossEntropyLoss, NLLLoss)) and len(args) >= 2:
                logits, target = args[0], args[1]
                if isinstance(logits, Tensor) and isinstance(target, Tensor):
                    probabilities = target.is_floating_point() and target.shape == logits.shape
                    self.targets.add((phase, type(module).__name__, str(target.dtype), target.dim(), logits.dim(),
                                      probabilities))
            if id(module) not in self.modules:
                name_parameters(module)
            graph = owns = False
            for what, store in (("parameters", module._parameters), ("buffers", module._buffers)):
                for local, tensor in store.items():
                    if tensor is None:
                        continue
                    owns, key = True, id(tensor)
                    if key not in self.roles:
                        self.roles[key] = (tensor, f"{type(module).__name__}.{local}", len(self.roles))
                    if tensor.requires_grad:
                        graph = graph or grad
                        if key not in self.hooked and tensor.is_leaf:
                            self.hooked.add(key)
                            self._handles.append(tensor.register_post_accumulate_grad_hook(on_gradient))
                    self.placement.add((phase, what, device_of(tensor)))
            if owns or loss:  # a layer's input is the batch or made from it; a loss's second one the target
                for i, value in enumerate(args):
                    if isinstance(value, Tensor):
                        graph = graph or (grad and value.requires_grad)
                        # a loss's first input is the model's output; a 0-d CPU scalar goes with any device
                        if not (loss and i == 0) and value.dim() > 0:
                            self.placement.add((phase, "targets" if loss else "inputs", device_of(value)))
            if graph:
                self.graphs.add(phase)
            if autocast_enabled("cuda"):
                amp = str(autocast_dtype("cuda"))
            elif autocast_enabled("cpu"):
                amp = str(autocast_dtype("cpu"))
            else:
                amp = "off"
            self.precision.add((phase, kind, amp))

        def record_step(optimizer: Any) -> None:
            if all(o is not optimizer for o in self.optimizers):
                self.optimizers.append(optimizer)
            total, missing, cleared = 0.0, [], []
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        if param.requires_grad:
                            name = self.names.get(id(param), "an unnamed parameter")
                            missing.append(name)
                            if id(param) in self.computed:  # backward() made it, something cleared it
                                cleared.append(name)
                    else:
                        total += float(param.grad.detach().double().pow(2).sum())
                    self.computed.discard(id(param))
            if all(p.grad is None for g in optimizer.param_groups for p in g["params"]) and not cleared:
                self.empty_steps += 1  # nothing to apply and nothing lost: every optimizer skips it
                return
            # parameters backward() reached that this step does not update but another optimizer does
            # (another model's), by name; a frozen part no optimizer holds is not another model
            trained = {id(p) for o in self.optimizers if o is not optimizer
                       for g in o.param_groups for p in g["params"]}
            others = sorted(self.names.get(key, "an unnamed parameter") for key in self.computed & trained)
            self.steps.append({
                "phase": self.current,
                "lr": [float(group["lr"]) for group in optimizer.param_groups],
                "grad": total ** 0.5,
                "missing": missing,
                "cleared": cleared,
                "others": others,
            })

        def on_register(module: Any, name: str, param: Any) -> None:
            if param is not None and id(param) not in self.created:
                self.created[id(param)] = (param, len(self.created), f"{type(module).__name__}.{name}")

        from torch.utils.data.dataloader import _BaseDataLoaderIter

        begin_pass, next_index = _BaseDataLoaderIter.__init__, _BaseDataLoaderIter._next_index

        @functools.wraps(begin_pass)
        def on_pass(iterator: Any, loader: Any, *args: Any, **kwargs: Any) -> None:
            begin_pass(iterator, loader, *args, **kwargs)
            try:
                size = len(loader.dataset)
            except TypeError:  # an iterable-style dataset: no indices to follow
                return
            entry = [self.current, size, []]
            self.loaders.append(entry)
            self.passes[iterator] = entry

        @functools.wraps(next_index)
        def on_index(iterator: Any) -> Any:
            index = next_index(iterator)
            entry = self.passes.get(iterator)
            if entry is not None and len(entry[2]) < MAX_VALUES:
                entry[2].extend(index if isinstance(index, list) else [index])
            return index

        _BaseDataLoaderIter.__init__, _BaseDataLoaderIter._next_index = on_pass, on_index
        self.on_forward, self.on_output, self.on_step = on_forward, on_output, on_step
        torch.nn.modules.module.register_module_forward_pre_hook(on_forward)
        torch.nn.modules.module.register_module_forward_hook(on_output, always_call=True)
        torch.nn.modules.module.register_module_parameter_registration_hook(on_register)
        register_optimizer_step_pre_hook(on_step)

    def describe(self, tensor: Any, owner: Optional[tuple[str, str]] = None) -> dict[str, Any]:
        """What a parameter or buffer is, independent of the attribute path it is registered
        under: its role (its module's class and its own name there: ``Linear.weight``) and the
        order in which the forward pass first used it, and the order in which it was made
        (registered with its module). ``owner`` (class, name) stands in for a tensor no module
        call used."""
        made = self.created.get(id(tensor))
        if made is not None and made[0] is not tensor:
            made = None
        created = made[1] if made is not None else None
        known = self.roles.get(id(tensor))
        if known is not None and known[0] is tensor:
            return {"role": known[1], "order": known[2], "created": created}
        # no module call used it (its forward() was called directly): the role it was registered with
        role = f"{owner[0]}.{owner[1]}" if owner else (made[2] if made is not None else None)
        return {"role": role, "order": None, "created": created}

    def final_params(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The final parameters of every optimizer, by name, each with its role and order; and the
        parameters the forward pass used that no optimizer holds."""
        import torch

        params: dict[str, Any] = {}
        held: set[int] = set()
        for i, optimizer in enumerate(self.optimizers):
            for group in optimizer.param_groups:
                for param in group["params"]:
                    held.add(id(param))
                    name = self.names.get(id(param), f"#{len(params)}")
                    params[f"{i}:{name}" if i else name] = {**plain(param, recorder=self), **self.describe(param),
                                                            "weight_decay": float(group.get("weight_decay", 0.0))}
        unoptimized = {}
        for key, (tensor, role, order) in self.roles.items():
            if key not in held and key in self.names and isinstance(tensor, torch.nn.Parameter):
                unoptimized[self.names[key]] = {**self.describe(tensor), "shape": list(tensor.shape)}
        return params, unoptimized

    def loader_passes(self) -> list[list[Any]]:
        """Every pass over a DataLoader, in the order they began: [phase, dataset length, the
        indices its sampler gave, in order]."""
        return [[phase, size, [int(i) for i in indices if isinstance(i, int)]]
                for phase, size, indices in self.loaders]

    def final_placement(self) -> list[tuple[str, str, str]]:
        """Where things were (``placement``), and where the optimizers keep their state (moments,
        momentum buffers; not step counts, which stay on the CPU), as phase "main"."""
        found = {(phase, what, str(device)) for phase, what, device in self.placement}
        for optimizer in self.optimizers:
            for state in optimizer.state.values():
                for value in state.values():
                    if hasattr(value, "dim") and value.dim() > 0:
                        found.add(("main", "optimizer state", str(self.device_of(value))))
        return sorted(found)
