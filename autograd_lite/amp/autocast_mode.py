"""`autocast`: PyTorch's mixed-precision context manager and decorator, honestly.

autograd_lite does not autocast. NumPy has no bfloat16, and a float16 matmul or
convolution here would run without BLAS or Numba kernels (slower than float32, the
opposite of why programs autocast), so running matmul/linear/conv in a lower precision
is not implemented. What each request does:

- `enabled=False`: a no-op, as in PyTorch.
- a device other than "cpu" ("cuda", "mps", ...): a warning and a no-op, as PyTorch
  does when that device is not available.
- "cpu" with a dtype PyTorch's CPU autocast does not support (float32, float64): a
  warning and a no-op, as PyTorch.
- "cpu" with bfloat16 (the default) or float16: NotImplementedError, since silently
  computing in float32 would give other numbers than the program asked for.
"""
import functools
import warnings

import numpy as np

from autograd_lite import _dtypes
from autograd_lite.devices import DEVICE_TYPES

_LOWER_PRECISION = (np.dtype(np.float16), _dtypes.bfloat16)  # what CPU autocast computes in


def _check_device_type(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"autocast: expected `device_type` of type `str`, got "
                         f"`{type(device_type).__name__}`")
    if device_type not in DEVICE_TYPES:
        raise RuntimeError(f"autocast: expected one of {', '.join(DEVICE_TYPES)} device type, "
                           f"got {device_type!r}")


class autocast:
    """`autocast(device_type, dtype=None, enabled=True, cache_enabled=None)`, usable as
    `with autocast(...):` or `@autocast(...)`; see the module doc for what it does."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        _check_device_type(device_type)
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        if not self._enabled:
            return
        if device_type != "cpu":
            warnings.warn(f"autocast: device_type {device_type!r} is not available "
                          f"(autograd_lite runs on the CPU only). Disabling autocast.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        elif dtype is not None and np.dtype(dtype) not in _LOWER_PRECISION:
            warnings.warn(f"In CPU autocast, but the target dtype {dtype} is not supported. "
                          f"Disabling autocast.\nCPU Autocast only supports dtypes of "
                          f"bfloat16 and float16.", UserWarning, stacklevel=2)
            self._enabled = False
        else:
            raise NotImplementedError(
                f"autocast('cpu', dtype={'bfloat16' if dtype is None else dtype}): autograd_lite "
                f"does not implement lower-precision autocasting (NumPy has no bfloat16, and "
                f"float16 matmul/linear/conv would run without BLAS or Numba kernels). Run in "
                f"float32: drop the autocast or pass enabled=False.")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


def is_autocast_available(device_type):
    """False for every device: autograd_lite never autocasts (see the module doc), so
    code that checks before autocasting runs in full precision."""
    _check_device_type(device_type)
    return False


def is_autocast_enabled(device_type=None):
    """False: an autocast region here never changes a dtype."""
    return False


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom autograd Function's forward under autocast. Autocast is never
    active here, so the forward runs as written (and `cast_inputs` never applies)."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom autograd Function's backward; the backward runs as written."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
