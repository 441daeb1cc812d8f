"""Inverse trigonometric and hyperbolic functions, atan2, hypot, sinc and the
degree/radian conversions (the elementwise family's trigonometry; ops/elementwise.py
has sin, cos, tan, tanh)."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from ._util import binary_operands, broadcast_error, const, float_operand, wide
from .elementwise import _float_unary, rsqrt, where
from .shape import sum_to


class Asin(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * rsqrt(1 - x * x)


class Acos(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return -g * rsqrt(1 - x * x)


class Atan(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return np.arctan(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g / (x * x + 1)


class Sinh(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return np.sinh(x)

    def backward(ctx, g):
        return g * cosh(ctx.saved_tensors[0])


class Cosh(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return np.cosh(x)

    def backward(ctx, g):
        return g * sinh(ctx.saved_tensors[0])


class Asinh(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return np.arcsinh(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * rsqrt(x * x + 1)


class Acosh(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * rsqrt(x * x - 1)


class Atanh(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.arctanh(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g / (1 - x * x)


class Sinc(Op):
    """sin(pi x) / (pi x), and 1 at 0."""

    save_inputs = (0,)

    @wide  # bfloat16: in float32, rounded once
    def forward(ctx, x):
        return np.sinc(x)

    def backward(ctx, g):
        return g * SincGrad.apply(ctx.saved_tensors[0])


_SMALL_PI_X = 1e-3  # below, the difference quotients lose digits: Taylor series instead


class SincGrad(Op):
    """sinc'(x) = (cos(pi x) - sinc(x)) / x, 0 at 0; its own derivative is
    sinc''(x) = -pi^2 sinc(x) - 2 sinc'(x) / x, -pi^2 / 3 at 0 (so the second
    derivative is right at 0 too)."""

    save_inputs = (0,)

    @wide
    def forward(ctx, x):
        small = np.abs(x) < _SMALL_PI_X
        safe = np.where(small, 1, x)
        p2 = np.pi ** 2
        series = x * (-p2 / 3 + x * x * (p2 * p2 / 30))
        return np.where(small, series, (np.cos(np.pi * safe) - np.sinc(safe)) / safe)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        d = x._data
        small = np.abs(d) < _SMALL_PI_X
        p2 = np.pi ** 2
        series = const(-p2 / 3 + d * d * (p2 * p2 / 10))
        safe = where(small, 1.0, x)
        exact = sinc(safe) * -p2 - SincGrad.apply(safe) * 2 / safe
        return g * where(small, series, exact)


asin = arcsin = _float_unary(Asin, "asin")
acos = arccos = _float_unary(Acos, "acos")
atan = arctan = _float_unary(Atan, "atan")
sinh = _float_unary(Sinh, "sinh")
cosh = _float_unary(Cosh, "cosh")
asinh = arcsinh = _float_unary(Asinh, "asinh")
acosh = arccosh = _float_unary(Acosh, "acosh")
atanh = arctanh = _float_unary(Atanh, "atanh")
sinc = _float_unary(Sinc, "sinc")


def deg2rad(input):
    """Degrees to radians (integer inputs become the default float dtype)."""
    return float_operand(input, "deg2rad") * (np.pi / 180.0)


def rad2deg(input):
    """Radians to degrees (integer inputs become the default float dtype)."""
    return float_operand(input, "rad2deg") * (180.0 / np.pi)


# ---- binary ------------------------------------------------------------------------
def float_pair(input, other, op, integers=True):
    """Both operands of a binary float op as tensors of one float dtype. As PyTorch:
    `other` must be a tensor; integer operands become the default float dtype, or
    are refused (`integers=False`, as PyTorch's hypot and logaddexp)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        bad = other if isinstance(input, Tensor) else input
        raise TypeError(f"{op}(): expected Tensor operands, got {type(bad).__name__}")
    a, b = binary_operands(input, other, op)
    if not _dtypes.is_floating(a._data.dtype):
        if not integers:
            raise NotImplementedError(f"{op}: not implemented for {a._data.dtype} tensors "
                                      f"(use floating-point tensors)")
        dt = _dtypes.get_default_dtype()
        a, b = a.to(dt), b.to(dt)
    return a, b


class BinaryFloat(Op):
    """Base of binary float ops: forward runs `compute` with broadcasting errors named."""

    save_inputs = (0, 1)
    op_name = ""

    @wide  # bfloat16 in float32, rounded once, as PyTorch's CPU kernels
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return ctx.compute(a, b)
        except ValueError:
            raise broadcast_error(ctx.op_name, a, b) from None

    def grads(ctx, ga, gb):
        ea, eb = ctx.next_functions
        return (sum_to(ga, ctx.a_shape) if ea is not None else None,
                sum_to(gb, ctx.b_shape) if eb is not None else None)


class Atan2(BinaryFloat):
    op_name = "atan2"

    @staticmethod
    def compute(a, b):
        return np.arctan2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        scale = g / (a * a + b * b)
        return ctx.grads(scale * b, -scale * a)


class Hypot(BinaryFloat):
    op_name = "hypot"
    save_output = True

    @staticmethod
    def compute(a, b):
        return np.hypot(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        scale = g / ctx.saved_output  # nan at (0, 0), as PyTorch
        return ctx.grads(scale * a, scale * b)


def atan2(input, other):
    """The angle of (other, input) in (-pi, pi]; integer inputs become floats."""
    return Atan2.apply(*float_pair(input, other, "atan2"))


arctan2 = atan2


def hypot(input, other):
    """sqrt(input^2 + other^2) without overflow."""
    return Hypot.apply(*float_pair(input, other, "hypot", integers=False))
