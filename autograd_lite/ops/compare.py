"""Comparisons, logical ops and float tests (bool results, never differentiable), and
the indices where a condition holds (`nonzero`)."""
import numpy as np

from .. import _dtypes
from ..tensor import Tensor
from ._util import as_tensor, binary_operands, broadcast_error, const


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _comparison(ufunc, name):
    def fn(input, other):
        a, b = binary_operands(input, other, name)
        try:
            return const(ufunc(_data(a), _data(b)))
        except ValueError:
            raise broadcast_error(name, a, b) from None

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}, broadcasting; a bool tensor."
    return fn


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(ufunc, name):
    def fn(input, other):
        a = _data(as_tensor(input, name))
        b = _data(as_tensor(other, name))
        try:
            return const(ufunc(a.astype(bool, copy=False), b.astype(bool, copy=False)))
        except ValueError:
            raise broadcast_error(name, a, b) from None

    fn.__name__ = name
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input):
    return const(np.logical_not(as_tensor(input, "logical_not")._data))


class BitwiseOfFloat(TypeError, NotImplementedError):
    """A bitwise op on a float tensor (PyTorch raises NotImplementedError, a
    RuntimeError: code written for it catches ours)."""


def _bitwise(ufunc, name):
    def fn(input, other):
        a, b = binary_operands(input, other, name)
        if _dtypes.is_floating(a.dtype):
            raise BitwiseOfFloat(f"{name}: not supported for floating point tensors ({a.dtype})")
        return const(ufunc(_data(a), _data(b)))

    fn.__name__ = name
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def _shift(left, name):
    def fn(input, other):
        a, b = binary_operands(input, other, name)
        x, n = _data(a), _data(b)
        if _dtypes.is_floating(x.dtype):
            raise BitwiseOfFloat(f"{name}: not supported for floating point tensors ({x.dtype})")
        if x.dtype == _dtypes.bool_:
            raise NotImplementedError(f"{name}: not implemented for bool tensors (as PyTorch)")
        bits = x.dtype.itemsize * 8
        try:
            wide = np.asarray(n) >= bits  # NumPy leaves shifts by the width or more undefined
            out = (np.left_shift if left else np.right_shift)(x, np.where(wide, 0, n).astype(x.dtype))
        except ValueError:
            raise broadcast_error(name, a, b) from None
        if np.any(wide):
            full = 0 if left or x.dtype.kind == "u" else np.where(x < 0, -1, 0)
            out = np.where(wide, np.asarray(full, x.dtype), out)
        return const(np.asarray(out, x.dtype))

    fn.__name__ = name
    fn.__doc__ = (f"Elementwise {'left' if left else 'right'} shift of integer tensors by "
                  f"`other` bits, broadcast, with type promotion (`{'<<' if left else '>>'}`); "
                  f"shifting by the width or more gives {'0' if left else '0, or -1 for negative values'}."
                  f" Float operands raise NotImplementedError (also a TypeError).")
    return fn


bitwise_left_shift = _shift(True, "bitwise_left_shift")
bitwise_right_shift = _shift(False, "bitwise_right_shift")


def bitwise_not(input):
    x = as_tensor(input, "bitwise_not")._data
    if _dtypes.is_floating(x.dtype):
        raise BitwiseOfFloat(f"bitwise_not: not supported for floating point tensors ({x.dtype})")
    return const(np.invert(x))


def isnan(input):
    return const(np.isnan(as_tensor(input, "isnan")._data))


def isinf(input):
    return const(np.isinf(as_tensor(input, "isinf")._data))


def isfinite(input):
    return const(np.isfinite(as_tensor(input, "isfinite")._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = binary_operands(input, other, "isclose")
    x, y = _data(a), _data(b)
    if _dtypes.bfloat16 in (x.dtype, y.dtype):
        return const(_isclose_bfloat16(x, y, rtol, atol, equal_nan))
    return const(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _isclose_bfloat16(x, y, rtol, atol, equal_nan):
    """PyTorch's isclose on bfloat16: |x - y| <= atol + |rtol * y|, each step rounded
    to bfloat16 as its tensor ops are (NumPy's isclose rounds differently from one
    ml_dtypes version to the next)."""
    def rounded(v):
        return _dtypes.cast(v, _dtypes.bfloat16).astype(np.float32)

    xf, yf = x.astype(np.float32), y.astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        allowed = rounded(np.float32(atol) + np.abs(rounded(np.float32(rtol) * yf)))
        actual = np.abs(rounded(xf - yf))
        close = (xf == yf) | (np.isfinite(actual) & (actual <= allowed))
    if equal_nan:
        close |= np.isnan(xf) & np.isnan(yf)
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def nonzero(input, as_tuple=False):
    x = as_tensor(input, "nonzero")._data
    nz = np.nonzero(x) if x.ndim else np.nonzero(x.reshape(1))
    if as_tuple:
        return tuple(const(a.astype(np.int64)) for a in nz)
    return const(np.stack(nz, axis=1).astype(np.int64) if x.ndim else np.zeros((int(bool(x)), 0), np.int64))
