"""The two error types the CLI turns into a one-line message and exit code 2."""


class BadInput(Exception):
    """A usage error or input bughunt cannot work with. str(error) is the whole message."""


class InternalError(Exception):
    """Something bughunt itself got wrong (a reference that fails to run): never the learner's doing."""
