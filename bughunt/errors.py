"""The two error types the CLI turns into a one-line message and exit code 2."""


class BadInput(Exception):
    """A usage error or input bughunt cannot work with. str(error) is the whole message."""


def interrupted(exc: BaseException) -> bool:
    """Ctrl-C, or an error raised while one was being handled (a library that was interrupted
    inside its own code may raise something else on its way out: Hypothesis does)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class InternalError(Exception):
    """Something bughunt itself got wrong (a reference that fails to run): never the learner's doing."""
