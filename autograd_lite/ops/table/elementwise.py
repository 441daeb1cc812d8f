"""Table entries of the elementwise ops (ops/elementwise.py, and its trigonometry,
special functions and piecewise functions: ops/trig.py, ops/special.py,
ops/piecewise.py)."""
import math

import numpy as np

from .. import elementwise as ops
from .. import piecewise, special, trig
from ..opinfo import BF16, BF16_CANCELLING, FLOATS, INTS, OpInfo, S, T, binary, onnx_op, onnx_scalar, unary
from .arithmetic import pairs

POSITIVE = dict(low=0.3, high=3.0)



# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _log_base(base):
    def convert(b, node, inputs):
        return b.op("Div", [b.op("Log", [inputs[0]]), onnx_scalar(b, math.log(base))])

    return convert


def _log1p(b, node, inputs):
    return b.op("Log", [b.op("Add", [inputs[0], onnx_scalar(b, 1.0)])])


def _expm1(b, node, inputs):
    return b.op("Sub", [b.op("Exp", [inputs[0]]), onnx_scalar(b, 1.0)])


def _rsqrt(b, node, inputs):
    return b.op("Reciprocal", [b.op("Sqrt", [inputs[0]])])


def _zero_grad(b, node, inputs):
    """sign, floor, ceil, trunc and round (ZeroGrad applies one of them)."""
    fn, x = inputs.arg(1), inputs[0]
    simple = {ops.sign_nan_zero: "Sign", np.floor: "Floor", np.ceil: "Ceil", np.round: "Round"}
    if fn in simple:
        return b.op(simple[fn], [x])
    if fn is np.trunc:
        return b.op("Mul", [b.op("Sign", [x]), b.op("Floor", [b.op("Abs", [x])])])
    scale = onnx_scalar(b, 10.0 ** fn.decimals)  # round(x, d) = round(x * 10^d) / 10^d, as NumPy
    return b.op("Div", [b.op("Round", [b.op("Mul", [x, scale])]), scale])


def _clamp(b, node, inputs):
    lo, hi = inputs.arg(1), inputs.arg(2)
    return b.op("Clip", [inputs[0], None if lo is None else onnx_scalar(b, lo),
                         None if hi is None else onnx_scalar(b, hi)])


def onnx_max_min(b, node, inputs):
    return b.op("Max" if inputs.arg(2) else "Min", [inputs[0], inputs[1]])


ENTRIES = [
    OpInfo("exp", ops.exp, unary(), inplace="exp_",
           onnx={"Exp": onnx_op("Exp")}),
    OpInfo("expm1", ops.expm1, unary(), inplace="expm1_",
           onnx={"Expm1": _expm1}),
    OpInfo("log", ops.log, unary(**POSITIVE), inplace="log_",
           onnx={"Log": onnx_op("Log")}),
    OpInfo("log2", ops.log2, unary(**POSITIVE), inplace="log2_",
           onnx={"Log2": _log_base(2)}),
    OpInfo("log10", ops.log10, unary(**POSITIVE), inplace="log10_",
           onnx={"Log10": _log_base(10)}),
    OpInfo("log1p", ops.log1p, unary(low=-0.7, high=3.0), inplace="log1p_",
           onnx={"Log1p": _log1p}),
    OpInfo("sqrt", ops.sqrt, unary(**POSITIVE), inplace="sqrt_",
           onnx={"Sqrt": onnx_op("Sqrt")}),
    OpInfo("rsqrt", ops.rsqrt, unary(**POSITIVE), inplace="rsqrt_",
           onnx={"Rsqrt": _rsqrt}),
    OpInfo("sin", ops.sin, unary(low=-4, high=4), inplace="sin_",
           onnx={"Sin": onnx_op("Sin")}),
    OpInfo("cos", ops.cos, unary(low=-4, high=4), inplace="cos_",
           onnx={"Cos": onnx_op("Cos")}),
    OpInfo("tan", ops.tan, unary(low=-1.2, high=1.2), inplace="tan_",
           onnx={"Tan": onnx_op("Tan")}),
    OpInfo("tanh", ops.tanh, unary(), inplace="tanh_",
           onnx={"Tanh": onnx_op("Tanh")}),
    OpInfo("sigmoid", ops.sigmoid, unary(low=-4, high=4), inplace="sigmoid_",
           onnx={"Sigmoid": onnx_op("Sigmoid")}),
    OpInfo("reciprocal", ops.reciprocal, unary(margin=0.3), inplace="reciprocal_",
           onnx={"Reciprocal": onnx_op("Reciprocal")}),
    OpInfo("abs", ops.abs, unary(margin=0.2), aliases=("absolute",), methods=("abs", "absolute"),
           inplace="abs_", inplace_aliases=("absolute_",), dtypes=FLOATS + BF16 + INTS,
           onnx={"Abs": onnx_op("Abs")},
           doc="`|input|` elementwise (alias `absolute`); a bool tensor comes back as it is. The "
               "gradient is `sign(input)`: 0 at 0."),
    OpInfo("relu", ops.relu, unary(margin=0.2), inplace="relu_", dtypes=FLOATS + BF16 + INTS,
           onnx={"Relu": onnx_op("Relu")},
           doc="`max(input, 0)` elementwise, in the input's dtype (integers too); the gradient at "
               "0 is 0."),
    OpInfo("sign", ops.sign, unary(margin=0.2), inplace="sign_", dtypes=FLOATS + BF16 + INTS,
           onnx={"ZeroGrad": _zero_grad},
           doc="-1, 0 or 1 by the sign of each element, in the input's dtype (NaN gives 0; bool "
               "stays bool). Its gradient is zero."),
    OpInfo("floor", ops.floor, unary(offgrid=True), inplace="floor_", dtypes=FLOATS + BF16 + INTS,
           onnx={"ZeroGrad": _zero_grad},
           doc="Each element rounded down; integer and bool tensors come back as copies. Its "
               "gradient is zero."),
    OpInfo("ceil", ops.ceil, unary(offgrid=True), inplace="ceil_", dtypes=FLOATS + BF16 + INTS,
           onnx={"ZeroGrad": _zero_grad},
           doc="Each element rounded up; integer and bool tensors come back as copies. Its "
               "gradient is zero."),
    OpInfo("trunc", ops.trunc, unary(offgrid=True), inplace="trunc_", dtypes=FLOATS + BF16 + INTS,
           onnx={"ZeroGrad": _zero_grad},
           doc="Each element rounded toward zero; integer and bool tensors come back as copies. "
               "Its gradient is zero."),
    OpInfo("round", ops.round, unary(offgrid=True) + [S(T(3, 4, low=-20, high=20), decimals=1)],
           inplace="round_",
           onnx={"ZeroGrad": _zero_grad},
           doc="Each element rounded to the nearest integer, halves to even (`round(2.5)` is 2). "
               "With `decimals`, to that many decimal places (negative: to tens, hundreds...). "
               "Its gradient is zero."),
    OpInfo("clamp", ops.clamp, [
        S(T(3, 4), -0.5, 0.7), S(T(3, 4), min=-0.3), S(T(3, 4), max=0.2), S(T(), -0.5, 0.5),
        S(T(4, 3, layout="transposed"), -1.0, 1.0), S(T(0, 2), 0.0, 1.0),
        S(T(3, 4), T(3, 4, low=-2, high=-0.1), T(4, low=0.1, high=2)),
    ], aliases=("clip",), methods=("clamp", "clip"), inplace="clamp_", inplace_aliases=("clip_",),
           onnx={"ClampScalar": _clamp},
           doc="Each element limited to [`min`, `max`] (alias `clip`). The bounds are numbers or "
               "tensors that broadcast with `input`; either may be None, not both (RuntimeError). "
               "Where min > max the result is max. An integer tensor with a float bound becomes "
               "the default float dtype. The gradient passes where min <= input <= max."),
    OpInfo("clamp_min", ops.clamp_min, [S(T(3, 4), -0.3), S(T(3, 4), T(4, low=-1, high=1))],
           inplace="clamp_min_",
           onnx={"ClampScalar": _clamp},
           doc="`clamp(input, min=min)`: each element at least `min` (a number or a tensor that "
               "broadcasts)."),
    OpInfo("clamp_max", ops.clamp_max, [S(T(3, 4), 0.3), S(T(2, 3), T(3, low=-1, high=1))],
           inplace="clamp_max_",
           onnx={"ClampScalar": _clamp},
           doc="`clamp(input, max=max)`: each element at most `max` (a number or a tensor that "
               "broadcasts)."),
    OpInfo("maximum", ops.maximum, binary(scalar=None), dtypes=FLOATS + BF16 + INTS,
           onnx={"MaxMin": onnx_max_min},
           doc="The elementwise maximum of `input` and `other`, broadcast, with type promotion; "
               "NaN where either is NaN. Where the two are equal each gets half the gradient, as "
               "in PyTorch."),
    OpInfo("minimum", ops.minimum, binary(scalar=None), dtypes=FLOATS + BF16 + INTS,
           onnx={"MaxMin": onnx_max_min},
           doc="The elementwise minimum of `input` and `other`, broadcast, with type promotion; "
               "NaN where either is NaN. Where the two are equal each gets half the gradient, as "
               "in PyTorch."),
    OpInfo("where", ops.where, [
        S(T(3, 4, kind="bool"), T(3, 4), T(3, 4)), S(T(2, 3, 4, kind="bool"), T(4), T(3, 1)),
        S(T(3, 4, kind="bool"), T(3, 4), 0.0), S(T(3, kind="bool"), 1.5, T(2, 3)),
        S(T(0, 2, kind="bool"), T(0, 2), T(2)),
    ], methods=(),
           onnx={"Where": onnx_op("Where")},
           doc="`input` where `condition` is True, else `other`. The three broadcast, and the "
               "result takes the promoted dtype of `input` and `other` (tensors or numbers). "
               "`condition` must be a bool tensor (TypeError otherwise). `where(condition)` alone "
               "is `nonzero(condition, as_tuple=True)`."),
    OpInfo("lerp", ops.lerp, [S(T(3, 4), T(3, 4), 0.3), S(T(2, 3), T(3), T(2, 3, low=0, high=1)),
                              S(T(4, 3, layout="transposed"), T(4, 3), T(low=0, high=1))],
           inplace="lerp_",
           doc="Linear interpolation `input + weight * (end - input)`; `weight` is a number or a "
               "tensor, and the three broadcast."),

]



# ---- ONNX converters of the trigonometry, special and piecewise functions ----------------------------
def _where_zero(b, x, value, otherwise):
    """value where x == 0, else otherwise."""
    return b.op("Where", [b.op("Equal", [x, onnx_scalar(b, 0.0)]), value, otherwise])


def _sinc(b, node, inputs):
    """sin(pi x) / (pi x), and 1 at 0."""
    x = inputs[0]
    one = onnx_scalar(b, 1.0)
    px = _where_zero(b, x, one, b.op("Mul", [x, onnx_scalar(b, math.pi)]))
    return _where_zero(b, x, one, b.op("Div", [b.op("Sin", [px]), px]))


def _atan2(b, node, inputs):
    """atan(a / b) moved to the quadrant of (b, a); +-pi/2 on the a axis and 0 at (0, 0)."""
    a, d = inputs[0], inputs[1]
    pi, half = onnx_scalar(b, math.pi), onnx_scalar(b, math.pi / 2)
    zero = onnx_scalar(b, 0.0)
    r = b.op("Atan", [b.op("Div", [a, d])])
    a_sign = b.op("Where", [b.op("Less", [a, zero]), b.op("Neg", [pi]), pi])
    on_axis = b.op("Mul", [b.op("Sign", [a]), half])
    left = b.op("Add", [r, a_sign])
    on_axis = b.op("Where", [b.op("Equal", [d, zero]), on_axis, r])  # r: NaN where d is NaN
    return b.op("Where", [b.op("Greater", [d, zero]), r,
                          b.op("Where", [b.op("Less", [d, zero]), left, on_axis])])


def _hypot(b, node, inputs):
    """m sqrt(1 + (n / m)^2) with m = max(|a|, |b|), n = min (no overflow), 0 where m is 0."""
    a, c = b.op("Abs", [inputs[0]]), b.op("Abs", [inputs[1]])
    big, small = b.op("Max", [a, c]), b.op("Min", [a, c])
    ratio = b.op("Div", [small, _where_zero(b, big, onnx_scalar(b, 1.0), big)])
    root = b.op("Sqrt", [b.op("Add", [onnx_scalar(b, 1.0), b.op("Mul", [ratio, ratio])])])
    return b.op("Mul", [big, root])


def _erfc(b, node, inputs):
    """1 - erf(x): ONNX has no erfc (absolute error ~1e-7 in float32 where erfc is tiny)."""
    return b.op("Sub", [onnx_scalar(b, 1.0), b.op("Erf", [inputs[0]])])


# Giles' single-precision approximation of erfinv ("Approximating the erfinv function",
# GPU Computing Gems, 2011): a polynomial in w - 2.5 for w = -log(1 - x^2) < 5, else in
# sqrt(w) - 3; relative error under 3e-7.
_ERFINV_CENTRE = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _horner(b, coefficients, t):
    p = onnx_scalar(b, coefficients[0])
    for c in coefficients[1:]:
        p = b.op("Add", [b.op("Mul", [p, t]), onnx_scalar(b, c)])
    return p


def _erfinv(b, node, inputs):
    """Giles' approximation (float32's precision), then two Newton steps on erf(y) = x
    for float64; +-inf at +-1, NaN beyond."""
    x, one = inputs[0], onnx_scalar(b, 1.0)
    w = b.op("Neg", [b.op("Log", [b.op("Mul", [b.op("Sub", [one, x]), b.op("Add", [one, x])])])])
    centre = _horner(b, _ERFINV_CENTRE, b.op("Sub", [w, onnx_scalar(b, 2.5)]))
    tail = _horner(b, _ERFINV_TAIL, b.op("Sub", [b.op("Sqrt", [w]), onnx_scalar(b, 3.0)]))
    y = b.op("Mul", [b.op("Where", [b.op("Less", [w, onnx_scalar(b, 5.0)]), centre, tail]), x])
    if b.out_dtype() == np.float64:
        for _ in range(2):
            slope = b.op("Mul", [onnx_scalar(b, 2 / math.sqrt(math.pi)),
                                 b.op("Exp", [b.op("Neg", [b.op("Mul", [y, y])])])])
            y = b.op("Sub", [y, b.op("Div", [b.op("Sub", [b.op("Erf", [y]), x]), slope])])
    edge = b.op("Equal", [b.op("Abs", [x]), one])
    return b.op("Where", [edge, b.op("Mul", [x, onnx_scalar(b, np.inf)]), y])


def _exp2(b, node, inputs):
    return b.op("Pow", [onnx_scalar(b, 2.0), inputs[0]])


def _log_add_exp(base2):
    """max(a, b) + log(1 + base^-|a - b|) (in the base's log), and a + log(2) where a == b
    (so that equal infinities stay infinite)."""
    def convert(b, node, inputs):
        a, c = inputs[0], inputs[1]
        gap = b.op("Neg", [b.op("Abs", [b.op("Sub", [a, c])])])
        tail = b.op("Exp", [gap]) if not base2 else b.op("Pow", [onnx_scalar(b, 2.0), gap])
        tail = b.op("Log", [b.op("Add", [onnx_scalar(b, 1.0), tail])])
        if base2:
            tail = b.op("Mul", [tail, onnx_scalar(b, 1 / math.log(2))])
        same = b.op("Add", [a, onnx_scalar(b, 1.0 if base2 else math.log(2))])
        return b.op("Where", [b.op("Equal", [a, c]), same, b.op("Add", [b.op("Max", [a, c]), tail])])

    return convert


def xlogy_onnx(b, node, inputs):
    """x log(y + shift) (xlogy: shift 0, xlog1py: 1), and 0 where x is 0 and y is not NaN."""
    x, y = inputs[0], inputs[1]
    zero = b.op("And", [b.op("Equal", [x, onnx_scalar(b, 0.0)]), b.op("Not", [b.op("IsNaN", [y])])])
    shifted = b.op("Add", [y, onnx_scalar(b, float(node.shift))]) if node.shift else y
    return b.op("Where", [zero, onnx_scalar(b, 0.0), b.op("Mul", [x, b.op("Log", [shifted])])])


def _logit(b, node, inputs):
    """log(z / (1 - z)), z = x clipped to [eps, 1 - eps] when eps is given."""
    z, eps = inputs[0], node.eps
    if eps is not None:
        z = b.op("Clip", [z, onnx_scalar(b, eps), onnx_scalar(b, 1 - eps)])
    return b.op("Log", [b.op("Div", [z, b.op("Sub", [onnx_scalar(b, 1.0), z])])])


def _fmod(b, node, inputs):
    return b.op("Mod", [inputs[0], inputs[1]], fmod=1)


def _frac(b, node, inputs):
    """x - trunc(x), trunc(x) = sign(x) floor(|x|) (ONNX has no Trunc)."""
    x = inputs[0]
    return b.op("Sub", [x, b.op("Mul", [b.op("Sign", [x]), b.op("Floor", [b.op("Abs", [x])])])])


def _nan_to_num(b, node, inputs):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest values by default)."""
    x, dtype = inputs[0], b.out_dtype()
    nan, posinf, neginf = inputs.arg(1), inputs.arg(2), inputs.arg(3)
    info = np.finfo(dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = b.op("Where", [b.op("IsInf", [x], detect_negative=0), onnx_scalar(b, posinf), x])
    out = b.op("Where", [b.op("IsInf", [x], detect_positive=0), onnx_scalar(b, neginf), out])
    return b.op("Where", [b.op("IsNaN", [x]), onnx_scalar(b, nan), out])


def _heaviside(b, node, inputs):
    """values where x == 0, else 1 above 0 and 0 below (and at NaN)."""
    x = inputs[0]
    step = b.cast(b.op("Greater", [x, onnx_scalar(b, 0.0)]), b.out_dtype())
    return _where_zero(b, x, inputs[1], step)


def unary_float(name, module, samples, aliases=(), inplace=True, **kw):
    """A float unary op with its `arc*` aliases and in-place variants."""
    return OpInfo(name, getattr(module, name), samples, aliases=aliases,
                  methods=(name,) + tuple(aliases), inplace=name + "_" if inplace else None,
                  inplace_aliases=tuple(a + "_" for a in aliases) if inplace else (), **kw)


INT = dict(kind="index", low=-3, high=4)
UNIT = dict(low=-0.9, high=0.9)
NON_FINITE = dict(values=[[np.nan, np.inf, -np.inf, 1.5], [-0.5, 2.0, np.nan, -np.inf]])
WITH_ZEROS = dict(values=[[0.0, 1.5, -2.0, 0.0], [0.5, 0.0, -0.0, 3.0]])

ENTRIES += [
    unary_float("asin", trig, unary(**UNIT), aliases=("arcsin",), onnx={"Asin": onnx_op("Asin")}),
    unary_float("acos", trig, unary(**UNIT), aliases=("arccos",), onnx={"Acos": onnx_op("Acos")}),
    unary_float("atan", trig, unary(low=-3, high=3) + [S(T(2, 3, **INT))], aliases=("arctan",),
                onnx={"Atan": onnx_op("Atan")}),
    unary_float("sinh", trig, unary(), onnx={"Sinh": onnx_op("Sinh")}),
    unary_float("cosh", trig, unary(), onnx={"Cosh": onnx_op("Cosh")}),
    unary_float("asinh", trig, unary(low=-3, high=3), aliases=("arcsinh",), inplace_grad=False,
                onnx={"Asinh": onnx_op("Asinh")}),
    unary_float("acosh", trig, unary(low=1.2, high=3.0), aliases=("arccosh",),
                inplace_grad=False, onnx={"Acosh": onnx_op("Acosh")}),
    unary_float("atanh", trig, unary(**UNIT), aliases=("arctanh",), inplace_grad=False,
                onnx={"Atanh": onnx_op("Atanh")}),
    # PyTorch's bfloat16 backward rounds each step of a cancelling formula; ours rounds once
    unary_float("sinc", trig, unary(low=-2.5, high=2.5) + [S(T(2, 4, **WITH_ZEROS))],
                tol=BF16_CANCELLING, onnx={"Sinc": _sinc}),
    unary_float("deg2rad", trig, unary(low=-200, high=200), dtypes=FLOATS + BF16 + INTS),
    unary_float("rad2deg", trig, unary(low=-4, high=4), dtypes=FLOATS + BF16 + INTS),
    OpInfo("atan2", trig.atan2, binary(scalar=None) + [S(T(3, 4, **INT), T(4, **INT))],
           aliases=("arctan2",), methods=("atan2", "arctan2"), inplace="atan2_",
           inplace_aliases=("arctan2_",), onnx={"Atan2": _atan2}),
    OpInfo("hypot", trig.hypot, binary(scalar=None), inplace="hypot_", onnx={"Hypot": _hypot}),
    unary_float("erf", special, unary(low=-3, high=3), onnx={"Erf": onnx_op("Erf")}),
    unary_float("erfc", special, unary(low=-3, high=3), onnx={"Erfc": _erfc}),
    unary_float("erfinv", special, unary(low=-0.95, high=0.95) + [
        S(T(4, values=[-0.5, 0.0, 0.999, -0.9999]))], onnx={"Erfinv": _erfinv}),
    unary_float("exp2", special, unary(low=-4, high=4) + [S(T(2, 3, **INT))],
                onnx={"Exp2": _exp2}),
    OpInfo("logaddexp", special.logaddexp, binary(scalar=None) + [
        S(T(2, 3, low=500, high=800), T(2, 3, low=-800, high=-500))],
        onnx={"LogAddExp": _log_add_exp(False)}),
    OpInfo("logaddexp2", special.logaddexp2, binary(scalar=None),
           onnx={"LogAddExp2": _log_add_exp(True)}),
    OpInfo("xlogy", special.xlogy, binary(other_low=0.3, other_high=3.0) + [
        S(T(2, 4, **WITH_ZEROS), T(2, 4, low=0.3, high=3.0)),
        S(T(2, 4, **WITH_ZEROS), T(4, values=[0.5, 1.0, 2.0, 3.0])),
        S(T(2, 3, **INT), T(3, low=0.5, high=2.0))], inplace="xlogy_", onnx={"XLogY": xlogy_onnx}),
    OpInfo("logit", special.logit, unary(low=0.05, high=0.95) + [
        S(T(3, 4, low=0.01, high=0.99), eps=0.2), S(T(3, 4, low=0.01, high=0.99), 1e-6),
        S(T(2, 3, **INT))], inplace="logit_", onnx={"Logit": _logit},
        doc="`log(p / (1 - p))` elementwise; with `eps`, p is first clamped to [eps, 1 - eps] and "
            "the gradient is 0 outside that range. Integer inputs become the default float dtype."),
    OpInfo("fmod", piecewise.fmod, pairs(b=dict(margin=0.4), scalar=-1.5) + [
        S(T(2, 4, **INT), T(2, 4, kind="index", values=[[-3, -1, 2, 3], [4, 1, -2, 5]])),
        S(T(2, 4, **INT), -3), S(T(2, 4, **INT), T(4, margin=0.4))],
        inplace="fmod_", onnx={"Fmod": _fmod}),
    OpInfo("frac", piecewise.frac, unary(offgrid=True), inplace="frac_", onnx={"Frac": _frac}),
    OpInfo("nan_to_num", piecewise.nan_to_num, unary() + [
        S(T(2, 4, **NON_FINITE), 1.5, 9.0, -7.0),  # (the default posinf, the dtype's largest
        S(T(2, 4, **NON_FINITE), nan=-1.0, posinf=9.0, neginf=-2.0),  # value, is in test_special)
        S(T(2, 3, **INT))], inplace="nan_to_num_", onnx={"NanToNum": _nan_to_num}),
    OpInfo("signbit", piecewise.signbit, unary() + [
        S(T(2, 4, **WITH_ZEROS)), S(T(2, 4, **NON_FINITE)), S(T(2, 3, **INT))],
        differentiable=False),
    OpInfo("heaviside", piecewise.heaviside, [
        S(T(2, 4, **WITH_ZEROS), T(4)), S(T(2, 4, **WITH_ZEROS), T(2, 4)), S(T(3, 4), T()),
        S(T(2, 4, values=[[np.nan, 0.0, 1.0, -1.0]] * 2), T(1, low=0.2, high=0.8)),
        S(T(0, 3), T(3)), S(T(3, 4, **INT), T(4, **INT))],
        inplace="heaviside_", differentiable=False, onnx={"Heaviside": _heaviside},
        doc="The step function: 0 where `input` < 0 (and at NaN), `values` where it is 0, 1 where "
            "it is > 0. `values` must be a tensor of `input`'s dtype that broadcasts with it "
            "(TypeError for a number, RuntimeError for another dtype). Not differentiable: "
            "backward through it raises, as in PyTorch."),
]
