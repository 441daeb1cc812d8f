"""Piecewise-linear activations: hardtanh (relu6), hardsigmoid, threshold, hardshrink,
softshrink and rrelu's random slopes; hardswish is x * hardsigmoid(x).

Each is one op whose forward computes the output and the slope dy/dx as arrays;
the backward is g * slope, linear in g, so every higher derivative (zero, almost
everywhere) comes for free. The slopes at the kinks and the NaN handling are
PyTorch's (checked in tests/nn/test_activation_more.py).
"""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..random import generator
from ._util import const, float_operand
from .inplace import unary_inplace


class _PiecewiseLinear(Op):
    """Base: `compute(x, *params)` gives the output and the slope (arrays of x's dtype
    and shape); bfloat16 is computed in float32 and both rounded once, as PyTorch's
    CPU kernels."""

    def forward(ctx, x, *params):
        if x.dtype is _dtypes.bfloat16:
            out, slope = ctx.compute(x.astype(np.float32), *params)
            ctx.slope = _dtypes.cast(slope, x.dtype)
            return _dtypes.cast(out, x.dtype)
        out, ctx.slope = ctx.compute(x, *params)
        return out

    def backward(ctx, g):
        return g * const(ctx.slope)

    def fast_backward(ctx, g):
        return g * ctx.slope


def _as_float(mask, x):
    return mask.astype(x.dtype)


class Hardtanh(_PiecewiseLinear):
    """clamp(x, lo, hi); slope 1 strictly inside (lo, hi), 0 elsewhere (as PyTorch)."""

    @staticmethod
    def compute(x, lo, hi):
        t = x.dtype.type
        slope = _as_float((x > t(lo)) & (x < t(hi)), x)
        return np.clip(x, t(lo), t(hi)), slope


class Hardsigmoid(_PiecewiseLinear):
    """min(max(x + 3, 0), 6) / 6; slope 1/6 strictly inside (-3, 3)."""

    @staticmethod
    def compute(x):
        t = x.dtype.type
        slope = _as_float((x > t(-3)) & (x < t(3)), x) / t(6)
        out = np.minimum(np.maximum(x + t(3), t(0)), t(6))
        return out / t(6), slope


class Threshold(_PiecewiseLinear):
    """`value` where x <= threshold, else x (NaN stays NaN)."""

    @staticmethod
    def compute(x, threshold, value):
        t = x.dtype.type
        below = x <= t(threshold)
        slope = _as_float(~below, x)
        return np.where(below, t(value), x), slope


class Hardshrink(_PiecewiseLinear):
    """0 where -lambd <= x <= lambd, else x."""

    @staticmethod
    def compute(x, lambd):
        t = x.dtype.type
        inside = (x >= t(-lambd)) & (x <= t(lambd))
        slope = _as_float(~inside, x)
        return np.where(inside, t(0), x), slope


class Softshrink(_PiecewiseLinear):
    """x - lambd above lambd, x + lambd below -lambd, 0 between: x - clip(x, -lambd, lambd)."""

    @staticmethod
    def compute(x, lambd):
        t = x.dtype.type
        inside = (x >= t(-lambd)) & (x <= t(lambd))
        slope = _as_float(~inside, x)
        return x - np.clip(x, t(-lambd), t(lambd)), slope


class RandomLeakyRelu(_PiecewiseLinear):
    """x where x > 0, else x * a with a ~ U(lower, upper) drawn per element from the
    global generator (rrelu while training; the stream differs from PyTorch's)."""

    def forward(ctx, x, lower, upper):
        draw_dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        a = generator().uniform(lower, upper, x.shape).astype(draw_dtype).astype(x.dtype)
        slope = np.where(x > 0, x.dtype.type(1), a)
        ctx.slope = slope
        return x * slope


def hardtanh(input, min_val=-1.0, max_val=1.0):
    return Hardtanh.apply(float_operand(input, "hardtanh"), min_val, max_val)


def hardsigmoid(input):
    return Hardsigmoid.apply(float_operand(input, "hardsigmoid"))


def hardswish(input):
    """x * hardsigmoid(x): slope 0 at x <= -3 and 1 at x >= 3, as PyTorch's."""
    x = float_operand(input, "hardswish")
    return x * Hardsigmoid.apply(x)


def threshold(input, threshold, value):
    return Threshold.apply(float_operand(input, "threshold"), threshold, value)


def hardshrink(input, lambd=0.5):
    return Hardshrink.apply(float_operand(input, "hardshrink"), lambd)


def softshrink(input, lambd=0.5):
    return Softshrink.apply(float_operand(input, "softshrink"), lambd)


def rrelu_train(input, lower, upper):
    return RandomLeakyRelu.apply(float_operand(input, "rrelu"), lower, upper)


hardtanh_ = unary_inplace(hardtanh, "hardtanh_")
hardsigmoid_ = unary_inplace(hardsigmoid, "hardsigmoid_")
hardswish_ = unary_inplace(hardswish, "hardswish_")
threshold_ = unary_inplace(threshold, "threshold_")
rrelu_train_ = unary_inplace(rrelu_train, "rrelu_")
