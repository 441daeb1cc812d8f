"""The errors `ag.load` raises, and the internal reason a file is unreadable."""
import pickle


class SerializationError(ValueError):
    """`ag.load` was given a file that is not a readable autograd_lite file."""


class WeightsOnlyError(SerializationError, pickle.UnpicklingError):
    """`ag.load(weights_only=True)` met an object of a class it does not rebuild by default.
    A `pickle.UnpicklingError`, so `except pickle.UnpicklingError` works as with torch.load."""


class Unreadable(Exception):
    """Internal: why a file is unreadable; `load` turns it into a SerializationError naming
    the file. `cause` is an exception raised by a class's own code while rebuilding an
    object (then chained), None for a problem of the file itself."""

    def __init__(self, reason, cause=None):
        super().__init__(reason)
        self.cause = cause


class Refused(Exception):
    """Internal: the file names classes or functions that weights_only loading does not allow."""

    def __init__(self, names):
        super().__init__(", ".join(names))
        self.names = names


class TextModeError(TypeError):
    """Internal: `load` was given a file opened in text mode (a usage error, not a bad file)."""
