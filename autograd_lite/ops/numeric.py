"""Elementwise and counting ops on numbers, composed of where, pow and NumPy's integer
and comparison kernels: fmax, fmin, float_power, gcd, lcm, isposinf, isneginf, isreal,
unravel_index, histc and frexp. fmax/fmin take their gradients from `where`, float_power from
`pow`; the others give integer or bool results (histc's counts carry no gradient, as
PyTorch's)."""
import itertools
import numbers
import operator
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from . import inplace
from ._util import as_tensor, binary_operands, const
from .arithmetic import pow as pow_
from .compare import isnan
from .elementwise import where


def _tensor(x, op, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


# ---- fmax, fmin ---------------------------------------------------------------------------------
def _nan_ignoring(input, other, op, keep_input):
    a, b = binary_operands(_tensor(input, op, "input"), _tensor(other, op, "other"), op)
    with np.errstate(invalid="ignore"):  # NaN compares False, bfloat16's compare warns
        pick = keep_input(a, b)
    if _dtypes.is_floating(a._data.dtype):
        pick = pick | isnan(b)
    return where(pick, a, b)


def fmax(input, other):
    """The elementwise maximum, a NaN losing to a number (NaN only where both are NaN);
    broadcasting and dtype promotion as `maximum`. The gradient goes to input where input
    >= other or other is NaN, else to other (PyTorch's rule: ties to input). Both must be
    tensors (TypeError)."""
    return _nan_ignoring(input, other, "fmax", lambda a, b: a >= b)


def fmin(input, other):
    """The elementwise minimum, a NaN losing to a number; as `fmax` (ties to input)."""
    return _nan_ignoring(input, other, "fmin", lambda a, b: a <= b)


# ---- float_power --------------------------------------------------------------------------------
def float_power(input, exponent):
    """`pow` in float64: both operands (tensors or one number) are converted to float64
    first, so the result is float64 whatever the inputs' dtypes; gradients flow back to
    the inputs' own dtypes."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected input or exponent to be a Tensor")
    f64 = np.dtype(np.float64)
    base = input.to(f64) if isinstance(input, Tensor) else const(np.asarray(input, f64))
    if isinstance(exponent, Tensor):
        return pow_(base, exponent.to(f64))
    if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
        raise TypeError(f"float_power(): exponent must be a real number or a Tensor, got "
                        f"{type(exponent).__name__}")
    return pow_(base, float(exponent))


def float_power_(self, exponent):
    """In-place `float_power`: the tensor must be float64 (RuntimeError otherwise, as
    PyTorch: the result's dtype is float64)."""
    if self._data.dtype != np.float64:
        raise RuntimeError(f"float_power_: the base given to float_power_ has dtype "
                           f"{self._data.dtype} but the operation's result requires dtype float64")
    return _float_power_inplace(self, exponent)


_float_power_inplace = inplace.unary_inplace(float_power, "float_power_")


# ---- gcd, lcm -----------------------------------------------------------------------------------
def _integers(input, other, op):
    a, b = binary_operands(_tensor(input, op, "input"), _tensor(other, op, "other"), op)
    dtype = a._data.dtype
    if dtype.kind not in "iu":
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for {dtype}: {op} takes integer "
                                  f"tensors")
    return a._data, b._data


def gcd(input, other):
    """The greatest common divisor of integer tensors, elementwise (non-negative; gcd(0, 0)
    = 0), broadcast and promoted. Float or bool tensors raise NotImplementedError; both
    arguments must be tensors."""
    a, b = _integers(input, other, "gcd")
    return const(np.gcd(a, b))


def lcm(input, other):
    """The least common multiple of integer tensors, elementwise (non-negative; 0 where
    either is 0); as `gcd`."""
    a, b = _integers(input, other, "lcm")
    return const(np.lcm(a, b))


# ---- isposinf, isneginf, isreal -------------------------------------------------------------
def _float_values(input, op):
    x = as_tensor(input, op)._data
    return x.astype(np.float32) if x.dtype == _dtypes.bfloat16 else x


def isposinf(input):
    """Whether each element is +inf (a bool tensor; all False for integer and bool tensors)."""
    return const(np.isposinf(_float_values(input, "isposinf")))


def isneginf(input):
    """Whether each element is -inf (a bool tensor; all False for integer and bool tensors)."""
    return const(np.isneginf(_float_values(input, "isneginf")))


def isreal(input):
    """Whether each element is real: all True (autograd_lite has no complex dtypes)."""
    return const(np.ones(as_tensor(input, "isreal")._data.shape, bool))


# ---- unravel_index --------------------------------------------------------------------------
def unravel_index(indices, shape):
    """The coordinates of flat `indices` (an integer tensor) in a tensor of `shape` (an int
    or a sequence of non-negative ints): a tuple of int64 tensors, one per dim, each of
    indices' shape. As PyTorch computes it (floor division and remainder), an index out of
    range wraps around instead of raising. Float or bool indices raise TypeError, negative
    sizes ValueError."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a Tensor, got "
                        f"{type(indices).__name__}")
    idx = indices._data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"unravel_index(): expected 'indices' to be integer dtype, but got "
                        f"{idx.dtype}")
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, (list, tuple)) and all(isinstance(s, numbers.Integral) for s in shape):
        shape = tuple(int(s) for s in shape)
    else:
        raise TypeError(f"unravel_index(): expected 'shape' to be int or sequence of ints, got "
                        f"{shape!r}")
    if any(s < 0 for s in shape):
        raise ValueError(f"unravel_index(): 'shape' cannot have negative values, but got {shape}")
    coefs = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)), operator.mul))))
    with np.errstate(divide="raise"):
        try:
            out = (idx.astype(np.int64)[..., None] // np.array(coefs, np.int64)) % np.array(
                shape, np.int64)
        except FloatingPointError:
            raise ZeroDivisionError(f"unravel_index(): shape {shape} has a zero size") from None
    return tuple(const(np.array(out[..., k])) for k in range(len(shape)))


# ---- histc ------------------------------------------------------------------------------------
def histc(input, bins=100, min=0, max=0):
    """A histogram of `input`'s values in `bins` equal bins between `min` and `max` (the
    data's own min and max when both are equal, widened by 1 each way when those are equal
    too); values outside, and NaN, are not counted; the last bin includes `max`. Counts
    in input's float dtype, binned as PyTorch's CPU kernel (`(x - min) * bins / (max -
    min)` in that dtype). Integer input, bins < 1, a non-finite range or max < min raise
    RuntimeError. Not differentiable (PyTorch has no derivative either)."""
    input = as_tensor(input, "histc")
    x = input._data
    if not _dtypes.is_floating(x.dtype):
        raise RuntimeError(f"histc: \"histogram_cpu\" not implemented for {x.dtype}: histc takes "
                           f"float tensors")
    bins = int(bins)
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        wide = x.astype(np.float32) if x.dtype == _dtypes.bfloat16 else x
        lo, hi = float(np.min(wide)), float(np.max(wide))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    bf16 = x.dtype == _dtypes.bfloat16
    dtype = _dtypes.bfloat16 if bf16 else x.dtype
    compute = np.float32 if bf16 else x.dtype

    def rounded(v):  # each step of bfloat16 arithmetic rounds, as c10::BFloat16's operators
        return _dtypes.cast(np.asarray(v, np.float32), _dtypes.bfloat16).astype(np.float32) \
            if bf16 else np.asarray(v, compute)

    left, right = rounded(lo), rounded(hi)
    values = (x.astype(np.float32) if bf16 else x).reshape(-1)
    values = values[(values >= left) & (values <= right)]
    pos = rounded(rounded(rounded(values - left) * rounded(bins)) / rounded(right - left))
    pos = np.clip(pos.astype(np.int64), 0, bins - 1)  # max itself falls in the last bin
    counts = np.bincount(pos, minlength=bins)[:bins].astype(np.float64)
    return const(_dtypes.cast(counts, dtype) if bf16 else counts.astype(dtype))



frexp_result = namedtuple("frexp", ["mantissa", "exponent"])


class Mantissa(Op):
    """frexp's mantissa, `x / 2**exponent`; the gradient is `g / 2**exponent` (PyTorch's)."""

    def forward(ctx, x):
        wide = _wide(x)
        mantissa, exponent = np.frexp(wide)
        with np.errstate(over="ignore"):  # 2**-exponent of a subnormal: inf, as PyTorch's g / 0
            ctx.scale = np.ldexp(np.ones((), wide.dtype), -exponent)
        return _dtypes.cast(mantissa, x.dtype)

    def backward(ctx, g):
        return g * const(_dtypes.cast(ctx.scale, g._data.dtype))

    def fast_backward(ctx, g):
        return g * _dtypes.cast(ctx.scale, g.dtype)


def frexp(input):
    """`input` split into a mantissa in (-1, -0.5] or [0.5, 1) (0 for 0; inf and NaN
    themselves) and an int32 exponent: `input = mantissa * 2**exponent`. Floats only
    (integer tensors raise, as PyTorch). The gradient reaches input through the mantissa."""
    input = as_tensor(input, "frexp")
    if not _dtypes.is_floating(input._data.dtype):
        raise RuntimeError(f"frexp: only supports floating-point dtypes, got {input._data.dtype}")
    exponent = np.frexp(_wide(input._data))[1].astype(np.int32)
    return frexp_result(Mantissa.apply(input), const(exponent))


def _wide(x):
    return x.astype(np.float32) if x.dtype == _dtypes.bfloat16 else x
