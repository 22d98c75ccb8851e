"""Preloaded into the fork server: import torch once and pay its lazy imports up front.

Every worker process is forked from a process that has run this module, so a worker starts
with torch imported and its first optimizer step already paid for.

An optimizer's step and zero_grad() reach into ``torch._dynamo`` (the compiler) only to say
"no graph here" (``graph_break()``, ``disable(fn)``), which in eager mode does nothing; importing
the compiler for that costs as much as importing torch itself. So the fork server holds a
stand-in for it (:class:`_Deferred`) that answers those three calls as eager mode does and loads
the real ``torch._dynamo`` the moment anything asks it for more (``torch.compile``,
``torch.utils.checkpoint``, an import of one of its submodules).
"""

import importlib
import importlib.abc
import io
import sys
import types

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

_DYNAMO = "torch._dynamo"


def _real_dynamo() -> types.ModuleType:
    if isinstance(sys.modules.get(_DYNAMO), _Deferred):
        del sys.modules[_DYNAMO]
        vars(torch).pop("_dynamo", None)
    return importlib.import_module(_DYNAMO)


class _Deferred(types.ModuleType):
    """``torch._dynamo`` until something needs the compiler: what eager mode asks of it."""

    @staticmethod
    def graph_break(*args: object, **kwargs: object) -> None:
        return None

    @staticmethod
    def disable(fn: object = None, recursive: bool = True, **kwargs: object) -> object:
        return fn if fn is not None else (lambda f: f)

    @staticmethod
    def is_compiling() -> bool:
        return False

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # what a look over sys.modules asks (``__file__``): not the compiler
            raise AttributeError(name)
        return getattr(_real_dynamo(), name)


class _LoadsTheCompiler(importlib.abc.MetaPathFinder):
    """``import torch._dynamo.config``: the real package goes in first."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.startswith(_DYNAMO + ".") and isinstance(sys.modules.get(_DYNAMO), _Deferred):
            _real_dynamo()
        return None


def _defer_dynamo() -> None:
    if _DYNAMO not in sys.modules:
        sys.modules[_DYNAMO] = torch._dynamo = _Deferred(_DYNAMO)
        sys.meta_path.insert(0, _LoadsTheCompiler())


def _warm_up() -> None:
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))
    loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.randint(0, 3, (8,))), batch_size=4, shuffle=True)
    for optimizer in (torch.optim.Adam(model.parameters()), torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)):
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
    torch.save(model.state_dict(), io.BytesIO())


_defer_dynamo()
_warm_up()
