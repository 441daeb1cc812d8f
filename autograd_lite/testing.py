"""`torch.testing.assert_close`: the check PyTorch users' own tests call, with PyTorch's
default tolerances per dtype, its rules for numbers, sequences and mappings, and its
messages."""
import collections.abc
import math
import numbers

import numpy as np

from . import _dtypes
from .tensor import Tensor

# PyTorch's defaults (rtol, atol) per dtype; integers and bool compare exactly
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    _dtypes.bfloat16: (1.6e-2, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def _tolerances(*dtypes):
    pairs = [_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _is_tensor_like(x):
    return isinstance(x, (Tensor, np.ndarray))


def _array(x):
    return x.detach()._data if isinstance(x, Tensor) else np.asarray(x)


class _Mismatch(AssertionError):
    """A failed comparison; `where` is filled in as the failure travels out of containers."""

    def __init__(self, message):
        super().__init__(message)
        self.message, self.where = message, []


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless `actual` and `expected` are close: tensors (or NumPy
    arrays) of one shape and, with `check_dtype`, one dtype, whose elements satisfy
    |actual - expected| <= atol + rtol * |expected|; Python numbers likewise; sequences
    and mappings item by item. `rtol` and `atol` default to PyTorch's per-dtype values
    (float32: 1.3e-6 and 1e-5) and are given both or neither. `msg` (a string, or a
    function of the generated message) replaces the message. The device, layout and
    stride checks have nothing to tell apart here (one device, strided tensors)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    try:
        _compare(actual, expected, rtol, atol, equal_nan, check_dtype, allow_subclasses)
    except _Mismatch as failure:
        message = failure.message
        if failure.where:
            message += "\n\nThe failure occurred for item " + "".join(f"[{k!r}]" for k in reversed(failure.where))
        if msg is not None:
            message = msg(message) if callable(msg) else msg
        raise AssertionError(message) from None


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, allow_subclasses):
    if _is_tensor_like(actual) and _is_tensor_like(expected):
        if not allow_subclasses and type(actual) is not type(expected):
            raise TypeError(f"assert_close: inputs of types {type(actual)} and {type(expected)} "
                            f"with allow_subclasses=False")
        _compare_arrays(_array(actual), _array(expected), rtol, atol, equal_nan, check_dtype)
    elif _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, rtol, atol, equal_nan)
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _inside(i, a, e, rtol, atol, equal_nan, check_dtype, allow_subclasses)
    elif isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            raise _Mismatch(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                            f"{sorted(set(expected) - set(actual), key=repr)}\nAdditional keys in the actual "
                            f"mapping: {sorted(set(actual) - set(expected), key=repr)}")
        for key in expected:
            _inside(key, actual[key], expected[key], rtol, atol, equal_nan, check_dtype, allow_subclasses)
    else:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and "
                        f"{type(expected)}.")


def _inside(key, actual, expected, *args):
    try:
        _compare(actual, expected, *args)
    except _Mismatch as failure:
        failure.where.append(key)
        raise


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, np.ndarray)


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))


def _compare_numbers(actual, expected, rtol, atol, equal_nan):
    exact = all(isinstance(v, (numbers.Integral, bool)) for v in (actual, expected))
    if rtol is None:
        rtol, atol = (0.0, 0.0) if exact else _TOLERANCES[np.dtype(np.float64)]
    if actual == expected or (equal_nan and math.isnan(actual) and math.isnan(expected)):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    _scalar_mismatch(actual, expected, rtol, atol, exact)


def _scalar_mismatch(actual, expected, rtol, atol, exact):
    diff = abs(actual - expected)
    rel = diff / abs(expected) if expected else math.inf
    if exact:
        raise _Mismatch(f"Scalars are not equal!\n\nExpected {expected} but got {actual}.\n"
                        f"Absolute difference: {diff}\nRelative difference: {rel}")
    raise _Mismatch(f"Scalars are not close!\n\nExpected {expected} but got {actual}.\n"
                    f"Absolute difference: {diff} (up to {atol} allowed)\n"
                    f"Relative difference: {rel} (up to {rtol} allowed)")


def _compare_arrays(actual, expected, rtol, atol, equal_nan, check_dtype):
    if actual.shape != expected.shape:
        raise _Mismatch(f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Mismatch(f"The values for attribute 'dtype' do not match: {_dtype_name(actual.dtype)} != "
                        f"{_dtype_name(expected.dtype)}.")
    if rtol is None:
        rtol, atol = _tolerances(actual.dtype, expected.dtype)
    common = _dtypes.promote_types(actual.dtype, expected.dtype)
    if not _dtypes.is_floating(common):
        common = np.dtype(np.float64)  # integers: differences without overflow
    elif common.itemsize < 4:
        common = np.dtype(np.float32)
    a, e = actual.astype(common), expected.astype(common)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        diff = np.abs(a - e)
        close = diff <= atol + rtol * np.abs(e)
        close |= a == e  # equal infinities
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        if close.all():
            return
        rel = diff / np.abs(e)
    exact = rtol == 0 and atol == 0
    if close.ndim == 0:  # 0-d tensors are reported as numbers, as PyTorch does
        _scalar_mismatch(actual.item(), expected.item(), rtol, atol, exact)
    bad = ~close
    n_bad, total = int(bad.sum()), close.size
    lines = [f"Tensor-likes are not {'equal' if exact else 'close'}!", "",
             f"Mismatched elements: {n_bad} / {total} ({100 * n_bad / total:.1f}%)"]
    for label, values, allowed in (("absolute", diff, atol), ("relative", rel, rtol)):
        masked = np.where(bad, values, -np.inf).ravel()
        nans = np.flatnonzero(np.isnan(masked))
        flat = int(nans[0]) if nans.size else int(np.argmax(masked))  # a NaN is the greatest
        index = np.unravel_index(flat, values.shape)
        value = values.ravel()[flat]
        if _dtypes.is_floating(actual.dtype):
            shown = float(value)
        else:  # integers: PyTorch shows the absolute difference as an int, the relative in float32
            shown = int(value) if label == "absolute" else float(np.float32(value))
        lines.append(f"Greatest {label} difference: {shown} at index {tuple(int(i) for i in index)}"
                     + ("" if exact else f" (up to {allowed} allowed)"))
    raise _Mismatch("\n".join(lines))


def _dtype_name(dtype):
    return "bfloat16" if dtype is _dtypes.bfloat16 else dtype.name
