"""Where many independent jobs run: this machine's cores, or a Dask cluster (``--cluster``).

Dask distributed, not Ray: it is pure Python (one ``pip install distributed``, no daemon or
binary to start on this side), it runs any importable function on its workers behind the
standard ``concurrent.futures.Executor`` interface that the kill matrix and ``stats --check``
already use with a process pool, and a cluster is a scheduler address (``dask scheduler`` on
one machine, ``dask worker ADDRESS`` on each of the others). Every worker needs the same
Python environment: bughunt, torch, and for ``mutate`` the project's test dependencies.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from bughunt.errors import BadInput

CONNECT_TIMEOUT = "10s"


class Pool:
    """An executor, and a way to send one large value to every worker once."""

    def __init__(self, executor: Executor, client: Any = None) -> None:
        self.executor, self.client = executor, client

    def submit(self, fn: Any, *args: Any) -> Any:
        return self.executor.submit(fn, *args)

    def share(self, value: Any) -> Any:
        """``value`` as an argument for many jobs: on a cluster it travels to each worker once."""
        if self.client is None:
            return value
        return self.client.scatter(value, broadcast=True)

    @property
    def remote(self) -> bool:
        return self.client is not None


@contextmanager
def pool(address: Optional[str], jobs: int, mp_context: Optional[multiprocessing.context.BaseContext] = None
         ) -> Iterator[Pool]:
    """Without ``address``: a process pool of ``jobs`` on this machine. With one: the Dask
    cluster whose scheduler listens there (``tcp://host:8786``); ``jobs`` is then its business."""
    if not address:
        with ProcessPoolExecutor(jobs, mp_context=mp_context) as local:
            yield Pool(local)
        return
    try:
        from distributed import Client
    except ImportError:
        raise BadInput("--cluster needs Dask distributed: pip install 'bughunt[cluster]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise BadInput(f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc})") from None
    try:
        with client.get_executor(pure=False) as executor:
            yield Pool(executor, client)
    finally:
        client.close()


def allow_children() -> None:
    """Dask runs jobs in daemonic processes, which may not start processes of their own; the
    verifier's workers are such processes. Called at the start of a job that starts them."""
    process = multiprocessing.current_process()
    if process.daemon:
        process.daemon = False
