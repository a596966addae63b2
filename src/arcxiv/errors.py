"""One small exception tree; the CLI maps each class to an exit code."""


class ArcxivError(Exception):
    """Anything ArcXiv reports to a user instead of a traceback."""

    exit_code = 1


class InputError(ArcxivError):
    """The paper file cannot be read as a paper (exit code 2)."""

    exit_code = 2


class GroundingError(ArcxivError):
    """Strict mode found statements that break the grounding contract (exit code 3)."""

    exit_code = 3


class ServeError(ArcxivError):
    """The web app cannot start: its port is busy or its address is not this machine's (exit code 5)."""

    exit_code = 5
