"""bughunt: practise PyTorch debugging on generated, behaviour-checked exercises."""

__version__ = "0.1.0"
