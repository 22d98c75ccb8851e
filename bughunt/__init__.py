"""bughunt: practise PyTorch debugging on generated, behaviour-checked exercises."""

__version__ = "0.1.0"


def cache_folder(name: str) -> "Path":
    """bughunt's cache folder ``name`` (``mutate``, ``witnesses``): under ``$XDG_CACHE_HOME`` or
    ``~/.cache``; without a home folder (a bare container), under the temporary folder."""
    import os
    import tempfile
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            base = tempfile.gettempdir()
    return Path(base) / "bughunt" / name


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext bughunt`` in IPython or Jupyter: adds ``%bughunt verify`` and ``%bughunt hint``."""
    from bughunt.magic import register

    register(ipython)
