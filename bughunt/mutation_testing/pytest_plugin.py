"""The pytest side of ``bughunt mutate``: loaded into the project's own test run.

This file imports nothing from bughunt: ``bughunt mutate`` copies it (with the virtual
device, ``_bughunt_virtual_cuda.py``) into a temporary folder that it puts on PYTHONPATH
and names in PYTEST_PLUGINS, so the project's tests need only pytest. What it does is
switched on by environment variables:

- ``BUGHUNT_MUTATE_VIRTUAL_CUDA=1``: the tests run on the virtual CUDA device (when torch
  has no real one), so a batch left on the CPU or an unscaled mixed-precision step fails as
  on a GPU. ``BUGHUNT_MUTATE_CUDA_LOG=FILE``: the node ids of the tests that put a tensor on
  that device are written there, one a line.
- ``BUGHUNT_MUTATE_CONTEXTS=1``: coverage.py records each test under its node id (a
  "dynamic context"), so that each mutant can run only the tests that execute its lines.
- ``BUGHUNT_MUTATE_SELECT=FILE``: only the tests whose node ids FILE lists run.
"""

from __future__ import annotations

import os

import pytest

_touched: list[bool] = [False]  # a tensor went onto the virtual device during the current test


def _install_virtual_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    if torch.cuda.is_available():  # a real GPU: nothing to pretend
        return False
    import _bughunt_virtual_cuda as virtual

    tags = virtual._tags
    add = tags.add

    def add_and_note(tensor):  # the only way a tensor becomes a CUDA one
        _touched[0] = True
        add(tensor)

    tags.add = add_and_note
    virtual.install()
    return True


_VIRTUAL = os.environ.get("BUGHUNT_MUTATE_VIRTUAL_CUDA") == "1" and _install_virtual_cuda()


def _coverage():
    if os.environ.get("BUGHUNT_MUTATE_CONTEXTS") != "1":
        return None
    try:
        import coverage
    except ImportError:
        return None
    return coverage.Coverage.current()


def pytest_collection_modifyitems(config, items):
    listed = os.environ.get("BUGHUNT_MUTATE_SELECT")
    if not listed:
        return
    with open(listed) as handle:
        wanted = set(handle.read().split("\n"))
    keep = [item for item in items if item.nodeid in wanted]
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in wanted])
    items[:] = keep


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _touched[0] = False
    cov = _coverage()
    if cov is not None:
        cov.switch_context(item.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    log = os.environ.get("BUGHUNT_MUTATE_CUDA_LOG")
    if _VIRTUAL and log and _touched[0]:
        with open(log, "a") as handle:
            handle.write(item.nodeid + "\n")


def pytest_runtest_logfinish(nodeid, location):
    cov = _coverage()
    if cov is not None:
        cov.switch_context("")
