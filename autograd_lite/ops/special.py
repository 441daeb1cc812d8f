"""Special functions of the elementwise family (PyTorch's torch.special ones at the top
level): erf, erfc, erfinv, exp2, logaddexp, logaddexp2, xlogy and logit; and two that
PyTorch has only in torch.special: erfcx and xlog1py."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as _kernels
from ..tensor import Tensor
from ._util import as_tensor, binary_operands, float_operand, wide
from .elementwise import _float_unary, exp, log, log1p, sigmoid, where
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


class Erfcx(Op):
    """The scaled complementary error function exp(x^2) erfc(x), whose derivative is
    2x erfcx(x) - 2/sqrt(pi)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, x):
        with np.errstate(over="ignore", invalid="ignore"):
            return _kernels.special.erfcx(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * (x * ctx.saved_output * 2 - _TWO_OVER_SQRT_PI)


erf = _float_unary(Erf, "erf")
erfc = _float_unary(Erfc, "erfc")
erfinv = _float_unary(Erfinv, "erfinv")
exp2 = _float_unary(Exp2, "exp2")
def refuse_half(x, op):
    """PyTorch's CPU kernels of some special functions take float32 and float64 only."""
    dtype = x._data.dtype if isinstance(x, Tensor) else np.asarray(x).dtype
    if dtype == np.float16 or dtype == _dtypes.bfloat16:
        raise NotImplementedError(f"{op}: not implemented for {dtype} tensors (as PyTorch's "
                                  f"CPU kernel); use float32")
    return x


erfcx = Erfcx.unary_function(lambda input: refuse_half(float_operand(input, "erfcx"), "erfcx"))
erfcx.__name__ = "erfcx"
erfcx.__doc__ = ("exp(x^2) erfc(x) elementwise (as torch.special.erfcx): erfc without its underflow, "
                 "~1/(x sqrt(pi)) for large x; inf below ~-26.6. Integer inputs become the default float "
                 "dtype; float16 and bfloat16 raise, as PyTorch's.")


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
    """x * log(y + shift) (shift 0 here, 1 in XLog1Py), 0 where x is 0 (unless y is NaN).
    Either operand may be a number."""

    op_name = "xlogy"
    shift = 0
    log_array = np.log  # a ufunc: not bound as a method
    log_op = staticmethod(log)

    def compute(ctx, x, y):
        return np.where((x == 0) & ~np.isnan(y), 0, x * ctx.log_array(y)).astype(np.result_type(x, y))

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ex, ey = ctx.next_functions
        gx = gy = None
        if ex is not None:  # log(y + shift), and 0 where x is 0 and y + shift is 0 (PyTorch's choice)
            both_zero = (_array(x) == 0) & (_array(y) == -ctx.shift)
            gx = g * where(both_zero, 0.0, ctx.log_op(as_tensor(y, ctx.op_name)))
        if ey is not None:
            gy = g * x / (y + ctx.shift if ctx.shift else y)
        return ctx.grads(gx, gy)


class XLog1Py(XLogY):
    """x * log1p(y), 0 where x is 0 (unless y is NaN). Either operand may be a number."""

    op_name = "xlog1py"
    shift = 1
    log_array = np.log1p
    log_op = staticmethod(log1p)


def _array(v):
    return v._data if isinstance(v, Tensor) else v


def float_operands(input, other, op):
    """Both operands of a binary special function (a number on either side), integers
    in the default float dtype."""
    x, y = binary_operands(input, other, op)
    dtype = x.dtype if isinstance(x, Tensor) else y.dtype
    if not _dtypes.is_floating(dtype):
        dt = _dtypes.get_default_dtype()
        x, y = (v.to(dt) if isinstance(v, Tensor) else v.astype(dt) for v in (x, y))
    return x, y


def xlogy(input, other):
    """input * log(other), and 0 where input is 0 (NaN `other` stays NaN)."""
    return XLogY.apply(*float_operands(input, other, "xlogy"))


def xlog1py(input, other):
    """input * log1p(other) (as torch.special.xlog1py), and 0 where input is 0 (NaN
    `other` stays NaN); either may be a number."""
    return XLog1Py.apply(*float_operands(input, other, "xlog1py"))


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
