"""The one error type the CLI turns into a one-line message and exit code 2."""


class BadInput(Exception):
    """A usage error or input bughunt cannot work with. str(error) is the whole message."""
