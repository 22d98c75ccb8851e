"""bughunt: practise PyTorch debugging on generated, behaviour-checked exercises."""

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext bughunt`` in IPython or Jupyter: adds ``%bughunt verify`` and ``%bughunt hint``."""
    from bughunt.magic import register

    register(ipython)
