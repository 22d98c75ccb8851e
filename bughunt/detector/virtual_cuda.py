"""A CUDA device that exists only as a tag, so that device bugs show on a CPU-only machine.

Inside a worker, ``torch.cuda.is_available()`` is true and ``cuda`` tensors can be made
(``.to(device)``, ``.cuda()``, ``device=`` in factories) while every computation stays on
the CPU. Each tensor carries the device it would be on (a weak, id-keyed tag; untagged
means CPU). A ``TorchFunctionMode`` sees every torch call first and

- answers ``.device``, ``.is_cuda``, ``get_device()`` from the tag;
- moves between devices by copying and re-tagging (a move makes a new tensor, as on a GPU);
- refuses to mix a would-be CUDA tensor with a CPU tensor (0-d CPU scalars excepted), with
  the real error's wording, and ``.numpy()`` of a CUDA tensor with the real TypeError;
- tags what an op returns with the device of its inputs, so gradients (read through
  ``.grad``), optimizer state (``zeros_like(param)``) and buffers follow their parameters.

``torch.autocast("cuda")`` becomes CPU autocast to float16 and ``GradScaler("cuda")`` stays
enabled (its kernels exist on the CPU), so mixed-precision bugs behave as on a GPU: scaled
gradients, a moving scale, the same assertions.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any, Callable, Iterator

import torch
from torch.overrides import TorchFunctionMode

CUDA = torch.device("cuda", 0)
CPU = torch.device("cpu")
Tensor = torch.Tensor

class _Tags:
    """The tensors tagged CUDA, by id, each entry dropped when its tensor dies. A plain dict
    of weak references: every torch call looks here, and torch's WeakIdKeyDictionary makes
    a new reference object for each lookup (it cost as much as the programs themselves)."""

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref] = {}

    def __contains__(self, tensor: Tensor) -> bool:
        ref = self._refs.get(id(tensor))
        return ref is not None and ref() is tensor

    def add(self, tensor: Tensor) -> None:
        key, refs = id(tensor), self._refs
        if tensor not in self:  # the callback runs as the tensor dies, before its id can be reused
            refs[key] = weakref.ref(tensor, lambda ref: refs.pop(key, None) if refs.get(key) is ref else None)

    def discard(self, tensor: Tensor) -> None:
        if tensor in self:
            del self._refs[id(tensor)]


_tags = _Tags()  # tensors on the virtual CUDA device; the others are on the CPU
_installed = False


def device_of(tensor: Tensor) -> torch.device:
    return CUDA if tensor in _tags else CPU


def installed() -> bool:
    """This process runs on the virtual device (``install`` was called)."""
    return _installed


def _tag(tensor: Any, device: torch.device) -> None:
    if isinstance(tensor, Tensor):
        if device.type == "cuda":
            _tags.add(tensor)
        else:
            _tags.discard(tensor)


def _as_device(spec: Any) -> torch.device | None:
    """``"cuda"``, ``0``, ``torch.device("cuda:0")`` -> the device it names (CUDA is always cuda:0)."""
    if spec is None:
        return None
    device = torch.device("cuda", spec) if isinstance(spec, int) else torch.device(spec)
    return CUDA if device.type == "cuda" else device


def _tensors(args: tuple, kwargs: dict) -> Iterator[Tensor]:
    """Tensor arguments, looking one level into lists and tuples (foreach ops, torch.cat)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, Tensor):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Tensor):
                    yield item


def _tag_all(value: Any, device: torch.device) -> None:
    if isinstance(value, Tensor):
        _tag(value, device)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _tag(item, device)


_MATMUL = {"linear", "addmm", "mm", "matmul", "bmm", "baddbmm", "addmv", "mv"}


def _mismatch(func: Callable, tensors: list[Tensor], devices: list[torch.device]) -> RuntimeError:
    name = getattr(func, "__name__", "")
    first, others = devices[0], [d for d in devices if d != devices[0]]
    if name in _MATMUL and others:
        return RuntimeError(
            f"Expected all tensors to be on the same device, but got mat1 is on {first}, different from other "
            f"tensors on {others[0]} (when checking argument in method wrapper_CUDA_addmm)")
    pair = sorted({str(d) for d in devices}, reverse=True)
    return RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                        f"{pair[0]} and {pair[1]}!")


class VirtualCuda(TorchFunctionMode):
    def __torch_function__(self, func: Callable, types: tuple, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        special = _SPECIAL.get(func)
        if special is not None:
            return special(func, args, kwargs)
        name = getattr(func, "__name__", "")
        if name == "__get__":
            return _get(func, args)
        if name == "__set__":
            result = func(*args)
            if func.__self__.__name__ == "data":
                _tag(args[0], device_of(args[1]))
            return result

        target = None
        if "device" in kwargs:  # a factory or *_like asked for a device
            target = _as_device(kwargs["device"])
            if target is not None and target.type == "cuda":
                kwargs = {**kwargs, "device": CPU}
        tensors = [t for t in _tensors(args, kwargs) if t.dim() > 0 or t in _tags]
        devices = [device_of(t) for t in tensors]
        if len(set(devices)) > 1 and func not in _CROSS_DEVICE:
            raise _mismatch(func, tensors, devices)
        out = func(*args, **kwargs)
        device = target or (devices[0] if devices else CPU)
        if name.endswith("_") and args and out is args[0]:
            return out  # in place: the tensor keeps its device (copy_ from another device too)
        if device.type == "cuda":
            _tag_all(out, device)
        return out


def _get(func: Callable, args: tuple) -> Any:
    attribute, tensor = func.__self__.__name__, args[0]
    if attribute == "device":
        return device_of(tensor)
    if attribute == "is_cuda":
        return device_of(tensor).type == "cuda"
    if attribute == "is_cpu":
        return device_of(tensor).type == "cpu"
    value = func(*args)
    if attribute in ("grad", "data", "real", "imag", "T", "mT", "H", "mH") and isinstance(value, Tensor):
        if device_of(tensor).type == "cuda" and value not in _tags:
            _tag(value, CUDA)  # autograd and views made it in C++: it lives where its owner lives
    return value


def _move(tensor: Tensor, target: torch.device | None, func: Callable, args: tuple, kwargs: dict) -> Tensor:
    """Tensor.to / cuda / cpu: convert the dtype physically, move by copying and re-tagging."""
    out = func(*args, **kwargs)
    if target is None or target == device_of(tensor):
        if out is not tensor:
            _tag(out, device_of(tensor))
        return out
    if out is tensor:
        out = tensor.clone()  # a real move always makes a new tensor
    _tag(out, target)
    return out


def _to(func: Callable, args: tuple, kwargs: dict) -> Tensor:
    tensor, rest = args[0], args[1:]
    if rest and isinstance(rest[0], Tensor):  # x.to(other): other's device and dtype
        other = rest[0]
        return _move(tensor, device_of(other), func, (tensor, other.dtype, *rest[1:]), kwargs)
    options = {k: v for k, v in kwargs.items() if k != "copy"}
    device, dtype, non_blocking, memory_format = torch._C._nn._parse_to(*rest, **options)
    physical = {"dtype": dtype, "non_blocking": non_blocking, "copy": kwargs.get("copy", False)}
    if memory_format is not None:
        physical["memory_format"] = memory_format
    return _move(tensor, _as_device(device), func, (tensor,), {k: v for k, v in physical.items() if v is not None})


def _cuda(func: Callable, args: tuple, kwargs: dict) -> Tensor:
    return _move(args[0], CUDA, Tensor.to, (args[0],), {})


def _cpu(func: Callable, args: tuple, kwargs: dict) -> Tensor:
    return _move(args[0], CPU, Tensor.to, (args[0],), {})


def _numpy(func: Callable, args: tuple, kwargs: dict) -> Any:
    if device_of(args[0]).type == "cuda":
        raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                        "tensor to host memory first.")
    return func(*args, **kwargs)


def _get_device(func: Callable, args: tuple, kwargs: dict) -> int:
    return 0 if device_of(args[0]).type == "cuda" else -1


def _same(func: Callable, args: tuple, kwargs: dict) -> Any:
    return args[0]


def _unchecked(func: Callable, args: tuple, kwargs: dict) -> Any:
    return func(*args, **kwargs)


def _index(func: Callable, args: tuple, kwargs: dict) -> Any:
    """x[i] and x[i] = v: CPU indices are fine for any tensor, GPU indices only for GPU tensors."""
    tensor, index = args[0], args[1]
    home = device_of(tensor)
    indices = index if isinstance(index, tuple) else (index,)
    for item in indices:
        if isinstance(item, Tensor) and device_of(item).type == "cuda" and home.type == "cpu":
            raise RuntimeError(f"indices should be either on cpu or on the same device as the indexed tensor ({home})")
    if len(args) > 2 and isinstance(args[2], Tensor) and (args[2].dim() > 0 or args[2] in _tags):
        if device_of(args[2]) != home:
            raise _mismatch(func, [], [home, device_of(args[2])])
    out = func(*args, **kwargs)
    if isinstance(out, Tensor) and out is not tensor:
        _tag(out, home)
    return out


_SPECIAL: dict[Callable, Callable[[Callable, tuple, dict], Any]] = {
    Tensor.to: _to,
    Tensor.cuda: _cuda,
    Tensor.cpu: _cpu,
    Tensor.numpy: _numpy,
    Tensor.get_device: _get_device,
    Tensor.pin_memory: _same,
    torch._has_compatible_shallow_copy_type: _unchecked,
    Tensor.__getitem__: _index,
    Tensor.__setitem__: _index,
}
# ops that legitimately take tensors from two devices on a real GPU
_CROSS_DEVICE = {Tensor.copy_}


def _no_op() -> Callable[..., None]:
    def no_op(*args: Any, **kwargs: Any) -> None:
        return None

    return no_op


def install() -> VirtualCuda:
    """Make this process see one CUDA device. Returns the (entered) mode."""
    global _installed
    _installed = True
    cuda = torch.cuda
    patches = {
        "is_available": lambda: True, "device_count": lambda: 1, "current_device": lambda: 0,
        "is_initialized": lambda: True, "get_device_name": lambda *a, **k: "bughunt virtual GPU",
        "get_device_capability": lambda *a, **k: (9, 0), "is_bf16_supported": lambda *a, **k: True,
        "memory_allocated": lambda *a, **k: 0, "max_memory_allocated": lambda *a, **k: 0,
    }
    for name in ("set_device", "synchronize", "empty_cache", "manual_seed", "manual_seed_all", "seed", "seed_all",
                 "reset_peak_memory_stats"):
        patches[name] = _no_op()  # one function object each: torch._dynamo indexes them by identity
    for name, value in patches.items():
        setattr(cuda, name, value)

    autocast_init = torch.amp.autocast_mode.autocast.__init__

    @functools.wraps(autocast_init)
    def init(self: Any, device_type: str, dtype: Any = None, enabled: bool = True, cache_enabled: Any = None) -> None:
        if device_type == "cuda":  # CUDA autocast computes in float16: do that on the CPU
            device_type, dtype = "cpu", dtype or torch.float16
        autocast_init(self, device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    torch.amp.autocast_mode.autocast.__init__ = init

    real_load = torch.load

    @functools.wraps(real_load)
    def load(f: Any, map_location: Any = None, *args: Any, **kwargs: Any) -> Any:
        target = map_location if isinstance(map_location, (str, int, torch.device)) else None
        device = _as_device(target)
        if device is not None and device.type == "cuda":
            loaded = real_load(f, *args, map_location="cpu", **kwargs)
            _tag_nested(loaded, CUDA)
            return loaded
        return real_load(f, *args, map_location=map_location, **kwargs)

    torch.load = load
    mode = VirtualCuda()
    mode.__enter__()
    return mode


def _tag_nested(value: Any, device: torch.device) -> None:
    if isinstance(value, Tensor):
        _tag(value, device)
    elif isinstance(value, dict):
        for item in value.values():
            _tag_nested(item, device)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _tag_nested(item, device)
