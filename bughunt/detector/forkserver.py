"""The fork server every worker is forked from, and starting it early.

Light on purpose (multiprocessing only): a command imports this first and starts the server, so
that torch imports in it while the command imports the rest of bughunt (libcst, Hypothesis).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

_CONTEXT: Any = None


def context() -> Any:
    """The multiprocessing context of the workers: a fork server that has imported torch and
    warmed it up, where the platform has one (else spawn)."""
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            # the sandbox module after torch: it plans the sandbox's file system once, there
            _CONTEXT.set_forkserver_preload(["bughunt.detector.warmup", "bughunt.detector.sandbox"])
    return _CONTEXT


def prestart() -> None:
    """Start the fork server now, so that torch imports while the caller does other work."""
    found = context()
    if hasattr(found, "get_start_method") and found.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
