"""The global numeric settings PyTorch programs set: float32 matmul precision and
deterministic algorithms. Recorded, and read back by the getters; see `ag.backends`
for why they change no result here."""
import warnings

_PRECISIONS = ("highest", "high", "medium")
_state = {"matmul_precision": "highest", "deterministic": False, "warn_only": False}


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium', as PyTorch; recorded only (see the module doc)."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    """The precision set by `set_float32_matmul_precision` ("highest" by default; on the
    CPU it changes nothing)."""
    return _state["matmul_precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: no op here has a nondeterministic (atomic-add) kernel to forbid."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not "
                        f"{type(mode).__name__}")
    _state["deterministic"] = mode
    _state["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    """What `use_deterministic_algorithms` last set (every op here is deterministic anyway)."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    """The `warn_only` flag of the last `use_deterministic_algorithms` call."""
    return _state["warn_only"]
