"""Names a re-export module takes from autograd_lite.nn when they are asked for, so a
class added to autograd_lite.nn later (or loaded lazily) appears under PyTorch's path
without this package changing."""
from autograd_lite import nn


def deferred_names(module_name, eager, deferred):
    """(__getattr__, __dir__) for a module that imports `eager` itself and takes the
    `deferred` names from autograd_lite.nn once they exist there."""
    def available():
        return [name for name in deferred if hasattr(nn, name)]

    def __getattr__(name):
        if name == "__all__":
            return list(eager) + available()
        if name in deferred and hasattr(nn, name):
            return getattr(nn, name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(eager) | set(available()) | {"__all__"})

    return __getattr__, __dir__
