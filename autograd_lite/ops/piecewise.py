"""Piecewise elementwise functions: fmod, frac, heaviside, signbit and nan_to_num
(the elementwise family's remainders, steps and replacements of non-finite values)."""
import ml_dtypes
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from ._util import as_tensor, binary_operands, broadcast_error, const
from .arithmetic import IntegerDivisionByZero
from .elementwise import trunc
from .shape import sum_to


class Fmod(Op):
    """C's fmod: the remainder has the sign of the dividend. d/db = -trunc(a / b)."""

    save_inputs = (0, 1)

    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        if a.dtype.kind in "iub" and np.any(b == 0):
            raise IntegerDivisionByZero("fmod: integer division by zero (ZeroDivisionError)")
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.fmod(a, b)
        except ValueError:
            raise broadcast_error("fmod", a, b) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions
        ga = sum_to(g, ctx.a_shape) if ea is not None else None
        gb = sum_to(-g * trunc(a / b), ctx.b_shape) if eb is not None else None
        return ga, gb


def fmod(input, other):
    """The remainder of input / other with the sign of input (C's fmod)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod(): argument 'input' must be a Tensor, got {type(input).__name__}")
    a, b = binary_operands(input, other, "fmod")
    return Fmod.apply(a, b)


class Frac(Op):
    """x - trunc(x), whose gradient is the incoming gradient."""

    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return x - np.trunc(x)

    def backward(ctx, g):
        return g

    def fast_backward(ctx, g):
        return g


def frac(input):
    """The fractional part, x - trunc(x) (the sign of x); float tensors only, as PyTorch."""
    input = as_tensor(input, "frac")
    if not _dtypes.is_floating(input._data.dtype):
        raise NotImplementedError(f"frac: not implemented for {input._data.dtype} tensors")
    return Frac.apply(input)


class NanToNum(Op):
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x)
        if x.dtype is _dtypes.bfloat16:  # NumPy replaces nothing in a kind "V" array
            big = float(ml_dtypes.finfo(x.dtype).max)
            wide = np.nan_to_num(x.astype(np.float32), nan=nan, posinf=big if posinf is None else posinf,
                                 neginf=-big if neginf is None else neginf)
            return _dtypes.cast(wide, x.dtype)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        return g * ctx.finite


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the
    dtype's largest and lowest finite values); the gradient is 0 at replaced entries."""
    input = as_tensor(input, "nan_to_num")
    if not _dtypes.is_floating(input._data.dtype):
        return const(input._data.copy())
    return NanToNum.apply(input, nan, posinf, neginf)


def signbit(input):
    """True where the sign bit is set (-0.0 and negative NaNs included)."""
    x = as_tensor(input, "signbit")._data
    if _dtypes.is_floating(x.dtype):
        return const(np.signbit(x))
    return const(np.asarray(x < 0))


class Heaviside(Op):
    """The step function: 0 below 0, `values` at 0, 1 above (and 0 at NaN, as
    PyTorch). Not differentiable: its backward raises, as PyTorch's."""

    def forward(ctx, x, values):
        try:
            out = np.where(x == 0, values, x > 0)
        except ValueError:
            raise broadcast_error("heaviside", x, values) from None
        return out.astype(x.dtype)


def heaviside(input, values):
    input = as_tensor(input, "heaviside")
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' must be a Tensor, got "
                        f"{type(values).__name__}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"({input._data.dtype} and {values._data.dtype})")
    return Heaviside.apply(input, values)
