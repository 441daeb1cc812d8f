"""Arithmetic with broadcasting: add, sub, mul, div, neg, pow, floor_divide, remainder,
addcmul, addcdiv and copysign.

Each backward sums its gradient back to the operand's shape with `sum_to`, the one
place broadcasting is undone.
"""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, binary_operands, broadcast_error, const, is_scalar, wide
from .creation import zeros
from .elementwise import Reciprocal, log, where
from .shape import sum_to, sum_to_array


def _shape(x):
    return x.shape if x.__class__ is np.ndarray else ()  # NumPy scalars have no dims


class Add(Op):
    def forward(ctx, a, b):
        ctx.a_shape = a.shape  # operands are arrays: scalars arrive as 0-d arrays
        ctx.b_shape = b.shape
        try:
            return a + b
        except ValueError:
            raise broadcast_error("add", a, b) from None

    def backward(ctx, g):
        ea, eb = ctx.next_functions
        return (sum_to(g, ctx.a_shape) if ea is not None else None,
                sum_to(g, ctx.b_shape) if eb is not None else None)

    def fast_backward(ctx, g):
        # sum_to_array's same-shape test inlined: it is the common case
        ea, eb = ctx.next_functions
        shape = g.shape
        ga = gb = None
        if ea is not None:
            ga = g if shape == ctx.a_shape else sum_to_array(g, ctx.a_shape)
        if eb is not None:
            gb = g if shape == ctx.b_shape else sum_to_array(g, ctx.b_shape)
        return ga, gb


class Sub(Op):
    def forward(ctx, a, b):
        ctx.a_shape = a.shape
        ctx.b_shape = b.shape
        try:
            return a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None

    def backward(ctx, g):
        ea, eb = ctx.next_functions
        return (sum_to(g, ctx.a_shape) if ea is not None else None,
                sum_to(Neg.apply1(g), ctx.b_shape) if eb is not None else None)

    def fast_backward(ctx, g):
        # sum_to_array's same-shape test inlined: it is the common case
        ea, eb = ctx.next_functions
        shape = g.shape
        ga = gb = None
        if ea is not None:
            ga = g if shape == ctx.a_shape else sum_to_array(g, ctx.a_shape)
        if eb is not None:
            gb = np.negative(g)
            if shape != ctx.b_shape:
                gb = sum_to_array(gb, ctx.b_shape)
        return ga, gb


class Mul(Op):
    save_inputs = (0, 1)

    def forward(ctx, a, b):
        try:
            return a * b
        except ValueError:
            raise broadcast_error("mul", a, b) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions
        # Mul.apply directly: g, a and b share one dtype, no promotion needed
        return (sum_to(Mul.apply2(g, b), a.shape) if ea is not None else None,
                sum_to(Mul.apply2(g, a), b.shape) if eb is not None else None)

    def fast_backward(ctx, g):
        a, b = ctx.saved_arrays
        ea, eb = ctx.next_functions
        if a.shape == b.shape:  # the common case: nothing was broadcast, g has their shape
            return (g * b if ea is not None else None), (g * a if eb is not None else None)
        ga = gb = None
        if ea is not None:
            ga = sum_to_array(g * b, a.shape)
        if eb is not None:
            gb = sum_to_array(g * a, b.shape)
        return ga, gb


class Div(Op):
    save_inputs = (0, 1)

    def forward(ctx, a, b):
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                return a / b
        except ValueError:
            raise broadcast_error("div", a, b) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions
        ga = gb = None
        if ea is not None:
            ga = sum_to(g / b, a.shape)
        if eb is not None:
            gb = sum_to(-g * a / (b * b), b.shape)
        return ga, gb


class ScaleWide(Op):
    """A bfloat16 tensor times or divided by a Python number as PyTorch's CPU kernels
    do it: the number stays a float32 (not rounded to bfloat16), the result is
    rounded to bfloat16 once. The gradient is the same op on the gradient."""

    def forward(ctx, x, factor, divide):
        ctx.factor, ctx.divide = factor, divide
        wide = x.astype(np.float32)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            wide = wide / factor if divide else wide * factor
        return _dtypes.cast(wide, x.dtype)

    def backward(ctx, g):
        return ScaleWide.apply(g, ctx.factor, ctx.divide)

    def fast_backward(ctx, g):
        return ctx.forward(g, ctx.factor, ctx.divide)


def _wide_scalar_operands(input, other):
    """(bfloat16 tensor, float32 number) when one operand is a bfloat16 tensor and the
    other a Python/NumPy number (PyTorch's mul and div keep the number in float32)."""
    if isinstance(input, Tensor) and input._data.dtype is _dtypes.bfloat16 and is_scalar(other) \
            and not isinstance(other, (bool, np.bool_)):
        return input, np.float32(other)
    return None


class Neg(Op):
    def forward(ctx, x):
        return -x

    def backward(ctx, g):
        return Neg.apply1(g)

    def fast_backward(ctx, g):
        return np.negative(g)


class PowScalar(Op):
    """x ** c for a constant exponent c."""

    save_inputs = (0,)

    def forward(ctx, x, c):
        ctx.c = c
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if x.dtype is _dtypes.bfloat16 and c in (3, -2, -0.5):
                return _bf16_pow_special(x, c)
            return x ** c

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        c = ctx.c
        if c == 0:
            return g * 0
        if c == 1:
            return g
        if c == 2:
            return g * (x * 2)
        return g * (x ** (c - 1) * c)


def _bf16_pow_special(x, c):
    """The exponents PyTorch's CPU pow computes by other means for bfloat16: x*x*x and
    1/(x*x) rounding after each step, 1/sqrt(x) in float32 rounded once."""
    if c == 3:
        return x * x * x
    if c == -2:
        return 1 / (x * x)
    return _dtypes.cast(1 / np.sqrt(x.astype(np.float32)), x.dtype)


class Pow(Op):
    save_inputs = (0, 1)
    save_output = True

    def forward(ctx, a, b):
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                return a ** b
        except ValueError as e:
            if "Integers to negative" in str(e):
                raise RuntimeError("pow: integers to negative integer powers are not allowed") from None
            raise broadcast_error("pow", a, b) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions[:2]
        ga = gb = None
        # 0 * inf and log(<=0) happen at the masked points; no NumPy warnings for them
        with np.errstate(divide="ignore", invalid="ignore"):
            if ea is not None:
                d = b * a ** (b - 1)
                ga = sum_to(where(b == 0, 0.0, g * d), a.shape)
            if eb is not None:
                out = ctx.saved_output
                if isinstance(a, Tensor):
                    zero_base = (a == 0) & (b >= 0)
                    gb = where(zero_base, 0.0, g * (out * log(a)))
                else:  # a constant base
                    log_a = a.dtype.type(np.log(a))
                    gb = g * (out * log_a) if a != 0 else where(b >= 0, 0.0, g * (out * log_a))
                gb = sum_to(gb, _shape_of(b))
        return ga, gb


def _shape_of(x):
    return x.shape if isinstance(x, Tensor) else ()


class RoundingDivide(Op):
    """a / b rounded down ('floor') or toward zero ('trunc'); zero gradients."""

    def forward(ctx, a, b, mode, op):
        ctx.a_shape, ctx.b_shape = _shape(a), _shape(b)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.floor_divide(a, b)
                if mode == "trunc":
                    if _dtypes.is_floating(q.dtype):
                        q = np.trunc(np.true_divide(a, b))
                    else:
                        q = q + ((q < 0) & (q * b != a))
                return q
        except ValueError:
            raise broadcast_error(op, a, b) from None

    def backward(ctx, g):
        ea, eb = ctx.next_functions[:2]
        return (zeros(ctx.a_shape, dtype=g.dtype) if ea is not None else None,
                zeros(ctx.b_shape, dtype=g.dtype) if eb is not None else None)


class Remainder(Op):
    save_inputs = (0, 1)

    def forward(ctx, a, b):
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.remainder(a, b)
        except ValueError:
            raise broadcast_error("remainder", a, b) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions[:2]
        ga = sum_to(g, a.shape) if ea is not None else None
        # floor(a / b) as one floor division (PyTorch's div(rounding_mode="floor")): a
        # quotient rounded to the dtype first can land on the next integer
        gb = sum_to(-g * _rounding_divide(a, b, "floor", "remainder"), b.shape) \
            if eb is not None else None
        return ga, gb


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Integer // or % by zero (a RuntimeError too, as PyTorch raises)."""


def _int_zero_division(b, op):
    bd = b._data if isinstance(b, Tensor) else b
    if np.any(np.asarray(bd) == 0):
        raise IntegerDivisionByZero(f"{op}: integer division by zero")


# ---- public functions ---------------------------------------------------------------
def scaled(input, other, alpha, op):
    """`alpha * other` for add/sub; a Python/NumPy scalar `other` stays a scalar. As
    PyTorch, a float alpha needs a float result and a bool alpha a bool one."""
    if alpha.__class__ is bool:
        if _kind(input) != "b" or _kind(other) != "b":
            raise RuntimeError(f"{op}: a bool alpha is only supported for bool results")
    elif isinstance(alpha, (float, np.floating)) and _kind(input) != "f" and _kind(other) != "f":
        raise RuntimeError(
            f"{op}: for integral input tensors, alpha must not be a floating point number "
            f"(got {alpha})")
    return other * alpha if is_scalar(other) else mul(other, alpha)


def _kind(x):
    """NumPy's dtype kind, "f" for bfloat16 too (ml_dtypes' kind is "V")."""
    if isinstance(x, (Tensor, np.ndarray)):
        dtype = x._data.dtype if isinstance(x, Tensor) else x.dtype
        return "f" if _dtypes.is_floating(dtype) else dtype.kind
    if isinstance(x, (bool, np.bool_)):
        return "b"
    return "f" if isinstance(x, (float, np.floating)) else "i"


def add(input, other, alpha=1):
    if alpha != 1:
        other = scaled(input, other, alpha, "add")
    a, b = binary_operands(input, other, "add")
    return Add.apply2(a, b)


def is_bool(x):
    if isinstance(x, Tensor):
        return x._data.dtype == _dtypes.bool_
    return isinstance(x, (bool, np.bool_)) or (isinstance(x, np.ndarray) and x.dtype == _dtypes.bool_)


def sub(input, other, alpha=1):
    if is_bool(input) or is_bool(other):  # even with an int operand, as PyTorch
        raise RuntimeError("sub: subtraction with a bool tensor is not supported; "
                           "use logical_xor (^) or logical_not (~)")
    if alpha != 1:
        other = scaled(input, other, alpha, "sub")
    a, b = binary_operands(input, other, "sub")
    return Sub.apply2(a, b)


subtract = sub


def rsub(input, other, alpha=1):
    return sub(other, input, alpha)


def mul(input, other):
    wide = _wide_scalar_operands(input, other) or _wide_scalar_operands(other, input)
    if wide is not None:
        return ScaleWide.apply(wide[0], wide[1], False)
    a, b = binary_operands(input, other, "mul")
    return Mul.apply2(a, b)


multiply = mul


def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(
                f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        return _rounding_divide(input, other, rounding_mode, "div")
    wide = _wide_scalar_operands(input, other)
    if wide is not None:
        return ScaleWide.apply(wide[0], wide[1], True)
    a, b = binary_operands(input, other, "div")
    if not _dtypes.is_floating(a.dtype):
        dt = _dtypes.get_default_dtype()
        a = a.to(dt) if isinstance(a, Tensor) else dt.type(a)
        b = b.to(dt) if isinstance(b, Tensor) else dt.type(b)
    return Div.apply2(a, b)


divide = div


def true_divide(dividend, divisor):
    """div without a rounding mode (PyTorch's true_divide takes none)."""
    return div(dividend, divisor)


def _refuse_bool(a, op):
    """PyTorch has no bool kernel for //, %, rounding div and pow of two bools (NumPy
    would answer in int8)."""
    if a.dtype == _dtypes.bool_:
        raise NotImplementedError(
            f"{op}: not implemented for bool operands; convert with .long() or .float() first")


def rdiv(input, other):
    """`other / input` (Tensor.__rtruediv__). PyTorch computes a number divided by a
    bfloat16 tensor as reciprocal(input) * number, rounding twice; other dtypes divide."""
    if _wide_scalar_operands(input, other) is not None:
        return mul(Reciprocal.apply1(input), other)
    return div(other, input)


def _rounding_divide(input, other, mode, op):
    a, b = binary_operands(input, other, op)
    name = op if op == "floor_divide" else f"{op}(rounding_mode={mode!r})"
    _refuse_bool(a, name)
    if a.dtype.kind in "iu":
        _int_zero_division(b, op)
    return RoundingDivide.apply(a, b, mode, name)


def floor_divide(input, other):
    return _rounding_divide(input, other, "floor", "floor_divide")


def remainder(input, other):
    a, b = binary_operands(input, other, "remainder")
    _refuse_bool(a, "remainder")
    if a.dtype.kind in "iu":
        _int_zero_division(b, "remainder")
    return Remainder.apply(a, b)


def neg(input):
    if input._data.dtype == _dtypes.bool_:
        raise RuntimeError("neg: negation of a bool tensor is not supported; use logical_not")
    return Neg.apply1(input)


negative = neg


def pow(input, exponent):
    if isinstance(input, Tensor) and is_scalar(exponent) and not isinstance(exponent, bool):
        a, c = binary_operands(input, exponent, "pow")
        if isinstance(a, Tensor) and not isinstance(c, Tensor):
            if a.dtype.kind in "iu" and c < 0:
                raise RuntimeError("pow: integers to negative integer powers are not allowed")
            return PowScalar.apply(a, c)
    a, b = binary_operands(input, exponent, "pow")
    if a.dtype == _dtypes.bool_:
        if isinstance(input, Tensor) and isinstance(exponent, bool):  # as PyTorch: a bool
            x = input._data
            return const(x.copy() if exponent else np.ones_like(x))
        _refuse_bool(a, "pow")
    return Pow.apply(a, b)


def square(input):
    if input._data.dtype.kind == "f":
        return PowScalar.apply(input, input._data.dtype.type(2))
    return pow(input, 2)  # bool ** 2 is int64, as PyTorch


# ---- addcmul, addcdiv, copysign (composed of the ops above) ----------------------------------
def _addc_operands(input, tensor1, tensor2, op):
    ts = [as_tensor(t, op) for t in (input, tensor1, tensor2)]
    try:
        np.broadcast_shapes(*(t._data.shape for t in ts))
    except ValueError:
        raise ShapeError(f"{op}: shapes {tuple(ts[0].shape)}, {tuple(ts[1].shape)} and "
                         f"{tuple(ts[2].shape)} cannot be broadcast together") from None
    return ts


def addcmul(input, tensor1, tensor2, *, value=1):
    """`input + value * tensor1 * tensor2` (`value` keyword-only), the three broadcast,
    with type promotion. Shapes that don't broadcast raise ShapeError."""
    input, tensor1, tensor2 = _addc_operands(input, tensor1, tensor2, "addcmul")
    scaled = tensor1 if value == 1 else mul(tensor1, value)
    return add(input, mul(scaled, tensor2))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """`input + value * tensor1 / tensor2` (`value` keyword-only), the three broadcast,
    with type promotion. As PyTorch, integer tensor1 and tensor2 together raise
    RuntimeError (no integer division); shapes that don't broadcast raise ShapeError."""
    input, tensor1, tensor2 = _addc_operands(input, tensor1, tensor2, "addcdiv")
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division of tensor1 by tensor2 is not supported "
                           "(as in PyTorch); use (input + value * trunc(tensor1 / tensor2)) or "
                           "float tensors")
    scaled = tensor1 if value == 1 else mul(tensor1, value)
    return add(input, div(scaled, tensor2))


class Copysign(Op):
    """|a| with b's sign bit. PyTorch's gradient: g * (result / a), 0 where a is 0 (NaN
    where a is infinite, as PyTorch); b gets zeros (the result is constant in it)."""

    save_output = True

    @wide
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.copysign(a, b)
            ctx.ratio = np.where(a == 0, 0, out / np.where(a == 0, 1, a)).astype(out.dtype)
        return out

    def _ratio(ctx, dtype):
        r = ctx.ratio
        return _dtypes.cast(r, dtype) if r.dtype != dtype else r

    def backward(ctx, g):
        ea, eb = ctx.next_functions
        sa, sb = ctx.shapes
        return (sum_to(g * const(ctx._ratio(g._data.dtype)), sa) if ea is not None else None,
                zeros(sb, dtype=g._data.dtype) if eb is not None else None)

    def fast_backward(ctx, g):
        ea, eb = ctx.next_functions
        sa, sb = ctx.shapes
        return (sum_to_array(g * ctx._ratio(g.dtype), sa) if ea is not None else None,
                np.zeros(sb, g.dtype) if eb is not None else None)


def copysign(input, other):
    """|input| with the sign bit of `other`, broadcast; `other` may be a number. Integer
    operands become the default float dtype. The gradient is PyTorch's: 0 where input
    is 0, NaN where it is infinite, zeros for `other`."""
    a, b = binary_operands(as_tensor(input, "copysign"), other, "copysign")
    a, b = as_tensor(a, "copysign"), as_tensor(b, "copysign")
    if not _dtypes.is_floating(a._data.dtype):
        dtype = _dtypes.get_default_dtype()
        a, b = a.to(dtype), b.to(dtype)
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error("copysign", a._data, b._data) from None
    return Copysign.apply(a, b)
