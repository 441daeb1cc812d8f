"""Special functions of the elementwise family (PyTorch's torch.special ones at the top
level): erf, erfc, erfinv, exp2, logaddexp, logaddexp2, xlogy and logit."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as _kernels
from ..tensor import Tensor
from ._util import as_tensor, binary_operands, float_operand, wide
from .elementwise import _float_unary, exp, log, sigmoid, where
from .trig import BinaryFloat, float_pair

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)
_LN2 = np.log(2.0)


class Erf(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return _kernels.special.erf(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * exp(-(x * x)) * _TWO_OVER_SQRT_PI


class Erfc(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return _kernels.special.erfc(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * exp(-(x * x)) * -_TWO_OVER_SQRT_PI


class Erfinv(Op):
    save_output = True

    def forward(ctx, x):
        return _kernels.special.erfinv(x)

    def backward(ctx, g):
        y = ctx.saved_output
        return g * exp(y * y) * (np.sqrt(np.pi) / 2)


class Exp2(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return np.exp2(x)

    def backward(ctx, g):
        return g * ctx.saved_output * _LN2


erf = _float_unary(Erf, "erf")
erfc = _float_unary(Erfc, "erfc")
erfinv = _float_unary(Erfinv, "erfinv")
exp2 = _float_unary(Exp2, "exp2")


class LogAddExp(BinaryFloat):
    op_name = "logaddexp"

    @staticmethod
    def compute(a, b):
        return np.logaddexp(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return ctx.grads(g * sigmoid(a - b), g * sigmoid(b - a))


class LogAddExp2(BinaryFloat):
    op_name = "logaddexp2"

    @staticmethod
    def compute(a, b):
        return np.logaddexp2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return ctx.grads(g * sigmoid((a - b) * _LN2), g * sigmoid((b - a) * _LN2))


def logaddexp(input, other):
    """log(exp(input) + exp(other)) without overflow."""
    return LogAddExp.apply(*float_pair(input, other, "logaddexp", integers=False))


def logaddexp2(input, other):
    """log2(2^input + 2^other) without overflow."""
    return LogAddExp2.apply(*float_pair(input, other, "logaddexp2", integers=False))


class XLogY(BinaryFloat):
    """x * log(y), 0 where x is 0 (unless y is NaN). Either operand may be a number."""

    op_name = "xlogy"

    @staticmethod
    def compute(x, y):
        return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(np.result_type(x, y))

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ex, ey = ctx.next_functions
        gx = gy = None
        if ex is not None:  # log(y), and 0 where x and y are both 0 (PyTorch's choice)
            both_zero = (_array(x) == 0) & (_array(y) == 0)
            gx = g * where(both_zero, 0.0, log(as_tensor(y, "xlogy")))
        if ey is not None:
            gy = g * x / y
        return ctx.grads(gx, gy)


def _array(v):
    return v._data if isinstance(v, Tensor) else v


def xlogy(input, other):
    """input * log(other), and 0 where input is 0 (NaN `other` stays NaN)."""
    x, y = binary_operands(input, other, "xlogy")
    dtype = x.dtype if isinstance(x, Tensor) else y.dtype
    if not _dtypes.is_floating(dtype):
        dt = _dtypes.get_default_dtype()
        x, y = (v.to(dt) if isinstance(v, Tensor) else v.astype(dt) for v in (x, y))
    return XLogY.apply(x, y)


class Logit(Op):
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given; the
    gradient is 0 outside that range, as PyTorch."""

    save_inputs = (0,)

    @wide
    def forward(ctx, x, eps):
        ctx.eps = eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        grad = g / (x * (1 - x))
        if ctx.eps is None:
            return grad
        d = x._data
        return where((d < ctx.eps) | (d > 1 - ctx.eps), 0.0, grad)


def logit(input, eps=None):
    x = float_operand(input, "logit")
    dtype = x._data.dtype
    # bfloat16 clamps in float32 with eps unrounded, as PyTorch's CPU kernel
    return Logit.apply(x, None if eps is None else float(eps) if dtype is _dtypes.bfloat16 else dtype.type(eps))
