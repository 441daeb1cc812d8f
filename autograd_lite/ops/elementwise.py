"""Elementwise ops: exp/log family, trig, activations, rounding, clamp,
maximum/minimum, where, and the dtype cast `to`."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..devices import parse_to
from ..kernels import lazy as _kernels
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, binary_operands, broadcast_error, const, float_operand
from .compare import nonzero
from .shape import sum_to

_F32 = np.dtype(np.float32)  # NumPy's canonical instance: `is` tells it apart fastest


class To(Op):
    """Cast to another dtype; the gradient is cast back."""

    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        with np.errstate(over="ignore", invalid="ignore"):  # 1e300 -> inf in float32, silently
            return _dtypes.cast(x, dtype)

    def backward(ctx, g):
        return to(g, ctx.in_dtype)


def to(input, *args, **kwargs):
    """PyTorch's overloads: `to(dtype)`, `to(device, dtype)`, `to(other_tensor)`, with
    `non_blocking`, `copy` and `memory_format`; the device must be the CPU. Returns
    `input` itself when nothing changes and `copy` is False."""
    if not kwargs and len(args) == 1 and isinstance(args[0], np.dtype):  # internal casts
        dtype, copy = args[0], False
    else:
        dtype, copy = parse_to(args, kwargs, ndim=input._data.ndim)
    if dtype is None or dtype == input._data.dtype:
        if not copy:
            return input
        dtype = input._data.dtype
    if input._requires_grad and not _dtypes.is_floating(dtype):
        return const(input._data.astype(dtype))
    return To.apply(input, dtype)


def _caster(dtype):
    def cast(input):
        return to(input, dtype)

    return cast


# ---- unary -------------------------------------------------------------------------------
class Exp(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(over="ignore"):  # inf, silently, as PyTorch
            return np.exp(x)

    def backward(ctx, g):
        return g * ctx.saved_output

    def fast_backward(ctx, g):
        return g * ctx.saved_output_data


class Log(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def backward(ctx, g):
        return g / ctx.saved_tensors[0]


class Log2(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] * np.log(2.0))


class Log10(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] * np.log(10.0))


class Log1p(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] + 1)


class Expm1(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return np.expm1(x)

    def backward(ctx, g):
        return g * (ctx.saved_output + 1)


class Sqrt(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def backward(ctx, g):
        return g / (ctx.saved_output * 2)


class Rsqrt(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x)

    def backward(ctx, g):
        y = ctx.saved_output
        return g * (y * y * y) * -0.5


class Abs(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return np.abs(x)

    def backward(ctx, g):
        return g * sign(ctx.saved_tensors[0])


class ZeroGrad(Op):
    """Piecewise-constant functions (sign, floor, ceil, round, trunc): zero gradient."""

    def forward(ctx, x, fn):
        return fn(x)

    def backward(ctx, g):
        return g * 0


def _round_decimals(decimals):
    def fn(x):
        return np.round(x, decimals)

    fn.decimals = decimals  # read by the ONNX export
    return fn


class Sin(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return np.sin(x)

    def backward(ctx, g):
        return g * cos(ctx.saved_tensors[0])


class Cos(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return np.cos(x)

    def backward(ctx, g):
        return g * -sin(ctx.saved_tensors[0])


class Tan(Op):
    save_output = True

    def forward(ctx, x):
        return np.tan(x)

    def backward(ctx, g):
        y = ctx.saved_output
        return g * (y * y + 1)


class Tanh(Op):
    save_output = True

    def forward(ctx, x):
        return np.tanh(x)

    def backward(ctx, g):
        return TanhGrad.apply2(g, ctx.saved_output)

    def fast_backward(ctx, g):
        # saved_output_data and the float32 dispatch inlined: 630 -> 500 ns a node
        out = ctx._out
        y = out[0] if out is not None and out[1][0] == out[2] else ctx.saved_output_data
        if g.dtype is _F32 and y.dtype is _F32:
            return _kernels.activations.ufuncs.tanh_grad32(g, y)
        return _kernels.activations.tanh_backward(g, y)


class TanhGrad(Op):
    """g * (1 - y^2) in one op (fewer nodes per backward); differentiable in g and y."""

    save_inputs = (0, 1)

    def forward(ctx, g, y):
        return _kernels.activations.tanh_backward(g, y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        eg, ey = ctx.next_functions
        return (TanhGrad.apply(gg, y) if eg is not None else None,
                gg * g * y * -2 if ey is not None else None)


class Sigmoid(Op):
    save_output = True

    def forward(ctx, x):
        return _kernels.activations.sigmoid(x)  # one stable pass

    def backward(ctx, g):
        return SigmoidGrad.apply2(g, ctx.saved_output)

    def fast_backward(ctx, g):
        out = ctx._out  # inlined as in Tanh.fast_backward
        y = out[0] if out is not None and out[1][0] == out[2] else ctx.saved_output_data
        if g.dtype is _F32 and y.dtype is _F32:
            return _kernels.activations.ufuncs.sigmoid_grad32(g, y)
        return _kernels.activations.sigmoid_backward(g, y)


class SigmoidGrad(Op):
    """g * y * (1 - y) in one op; differentiable in g and y."""

    save_inputs = (0, 1)

    def forward(ctx, g, y):
        return _kernels.activations.sigmoid_backward(g, y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        eg, ey = ctx.next_functions
        return (SigmoidGrad.apply(gg, y) if eg is not None else None,
                gg * g * (1 - y * 2) if ey is not None else None)


class Relu(Op):
    def forward(ctx, x):
        out, ctx.mask = _kernels.activations.relu(x)  # one pass for both (large arrays)
        return out

    def backward(ctx, g):
        return g * ctx.mask

    def fast_backward(ctx, g):
        return _kernels.activations.relu_backward(g, ctx.mask)


class Reciprocal(Op):
    save_output = True

    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            return 1 / x

    def backward(ctx, g):
        y = ctx.saved_output
        return g * -(y * y)


class ClampScalar(Op):
    def forward(ctx, x, lo, hi):
        out = np.clip(x, lo, hi)
        if out.dtype != x.dtype:  # NumPy clips bfloat16 in float32: exact, so cast back
            out = _dtypes.cast(out, x.dtype)
        mask = True
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            mask = mask & (x <= hi)
        ctx.mask = mask
        if hi is not None and lo is not None and lo > hi:
            out = np.full_like(x, hi)  # PyTorch: min > max gives max everywhere
        return out

    def backward(ctx, g):
        mask = ctx.mask
        if mask is True:
            return g
        return where(mask, g, 0.0)  # not g * mask: an inf or NaN gradient at a clamped element gives 0


class MaxMin(Op):
    """maximum/minimum; ties split the gradient evenly, as PyTorch."""

    def forward(ctx, a, b, is_max):
        ctx.a_shape = getattr(a, "shape", ())
        ctx.b_shape = getattr(b, "shape", ())
        try:
            out = np.maximum(a, b) if is_max else np.minimum(a, b)
        except ValueError:
            raise broadcast_error("maximum" if is_max else "minimum", a, b) from None
        wins = (a > b) if is_max else (a < b)
        weight = wins.astype(out.dtype) + (a == b).astype(out.dtype) * 0.5
        ctx.weight = weight
        return out

    def backward(ctx, g):
        ea, eb = ctx.next_functions[:2]
        w = ctx.weight
        # where, not a product: the operand that lost gets 0 even from an inf or NaN gradient
        ga = sum_to(where(w == 0, 0.0, g) * w, ctx.a_shape) if ea is not None else None
        gb = sum_to(where(w == 1, 0.0, g) * (1 - w), ctx.b_shape) if eb is not None else None
        return ga, gb


class Where(Op):
    """where(cond, a, b); the condition is saved (backward reads it; an in-place change
    of the mask is caught)."""

    save_inputs = (0,)

    def forward(ctx, cond, a, b):
        ctx.a_shape = getattr(a, "shape", ())
        ctx.b_shape = getattr(b, "shape", ())
        try:
            return np.where(cond, a, b)
        except ValueError:
            shapes = ", ".join(f"{tuple(np.shape(v))} ({np.asarray(v).dtype})" for v in (cond, a, b))
            raise ShapeError(f"where: shapes {shapes} cannot be broadcast together") from None

    def backward(ctx, g):
        _, ea, eb = ctx.next_functions
        (c,) = ctx.saved_tensors
        zero = g._data.dtype.type(0)
        ga = sum_to(Where.apply(c, g, zero), ctx.a_shape) if ea is not None else None
        gb = sum_to(Where.apply(c, zero, g), ctx.b_shape) if eb is not None else None
        return None, ga, gb


# ---- public functions ------------------------------------------------------------------
def _float_unary(op_cls, name):
    fn = op_cls.unary_function(lambda input: float_operand(input, name))
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (integer inputs become the default float dtype)."
    return fn


exp = _float_unary(Exp, "exp")
log = _float_unary(Log, "log")
log2 = _float_unary(Log2, "log2")
log10 = _float_unary(Log10, "log10")
log1p = _float_unary(Log1p, "log1p")
expm1 = _float_unary(Expm1, "expm1")
sqrt = _float_unary(Sqrt, "sqrt")
rsqrt = _float_unary(Rsqrt, "rsqrt")
sin = _float_unary(Sin, "sin")
cos = _float_unary(Cos, "cos")
tan = _float_unary(Tan, "tan")
tanh = _float_unary(Tanh, "tanh")
sigmoid = _float_unary(Sigmoid, "sigmoid")
reciprocal = _float_unary(Reciprocal, "reciprocal")


def abs(input):
    input = as_tensor(input, "abs")
    if input._data.dtype == _dtypes.bool_:
        return input
    return Abs.apply(input)


absolute = abs


def relu(input):
    return Relu.apply1(as_tensor(input, "relu"))


def _zero_grad_unary(fn, name, keep_int=True):
    def op(input):
        input = as_tensor(input, name)
        if not _dtypes.is_floating(input._data.dtype):
            if name == "sign" and input._data.dtype != _dtypes.bool_:
                return const(np.sign(input._data))
            return const(input._data.copy())
        return ZeroGrad.apply(input, fn)

    op.__name__ = name
    return op


def sign_nan_zero(x):
    """np.sign with 0 at NaN, as PyTorch's sign (the array function `sign` applies)."""
    return np.where(np.isnan(x), x.dtype.type(0), np.sign(x))


sign = _zero_grad_unary(sign_nan_zero, "sign")
floor = _zero_grad_unary(np.floor, "floor")
ceil = _zero_grad_unary(np.ceil, "ceil")
trunc = _zero_grad_unary(np.trunc, "trunc")
_round0 = _zero_grad_unary(np.round, "round")


def round(input, decimals=0):
    if decimals == 0:
        return _round0(input)
    input = as_tensor(input, "round")
    return ZeroGrad.apply(input, _round_decimals(decimals))


def clamp(input, min=None, max=None):
    input = as_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        return out
    dt = input._data.dtype
    if not _dtypes.is_floating(dt) and any(isinstance(v, float) for v in (min, max)):
        input = input.to(_dtypes.get_default_dtype())
        dt = input._data.dtype
    lo = _dtypes.cast(np.asarray(min), dt)[()] if min is not None else None
    hi = _dtypes.cast(np.asarray(max), dt)[()] if max is not None else None
    return ClampScalar.apply(input, lo, hi)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def maximum(input, other):
    a, b = binary_operands(input, other, "maximum")
    return MaxMin.apply(a, b, True)


def minimum(input, other):
    a, b = binary_operands(input, other, "minimum")
    return MaxMin.apply(a, b, False)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != _dtypes.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # two scalars (or arrays): the result dtype comes from both, as PyTorch
        input = as_tensor(input, "where", _dtypes.result_type(input, other))
    a, b = binary_operands(input, other, "where")
    return Where.apply(condition if isinstance(condition, Tensor) else cond, a, b)


def lerp(input, end, weight):
    return input + (end - input) * weight
