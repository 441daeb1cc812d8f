"""Table entries of the elementwise ops (ops/elementwise.py, and its trigonometry,
special functions and piecewise functions: ops/trig.py, ops/special.py,
ops/piecewise.py)."""
import numpy as np

from .. import elementwise as ops
from .. import piecewise, special, trig
from ..opinfo import FLOATS, INTS, OpInfo, S, T, binary, unary
from .arithmetic import pairs

POSITIVE = dict(low=0.3, high=3.0)

ENTRIES = [
    OpInfo("exp", ops.exp, unary(), inplace="exp_"),
    OpInfo("expm1", ops.expm1, unary(), inplace="expm1_"),
    OpInfo("log", ops.log, unary(**POSITIVE), inplace="log_"),
    OpInfo("log2", ops.log2, unary(**POSITIVE), inplace="log2_"),
    OpInfo("log10", ops.log10, unary(**POSITIVE), inplace="log10_"),
    OpInfo("log1p", ops.log1p, unary(low=-0.7, high=3.0), inplace="log1p_"),
    OpInfo("sqrt", ops.sqrt, unary(**POSITIVE), inplace="sqrt_"),
    OpInfo("rsqrt", ops.rsqrt, unary(**POSITIVE), inplace="rsqrt_"),
    OpInfo("sin", ops.sin, unary(low=-4, high=4), inplace="sin_"),
    OpInfo("cos", ops.cos, unary(low=-4, high=4), inplace="cos_"),
    OpInfo("tan", ops.tan, unary(low=-1.2, high=1.2), inplace="tan_"),
    OpInfo("tanh", ops.tanh, unary(), inplace="tanh_"),
    OpInfo("sigmoid", ops.sigmoid, unary(low=-4, high=4), inplace="sigmoid_"),
    OpInfo("reciprocal", ops.reciprocal, unary(margin=0.3), inplace="reciprocal_"),
    OpInfo("abs", ops.abs, unary(margin=0.2), aliases=("absolute",), methods=("abs", "absolute"),
           inplace="abs_", inplace_aliases=("absolute_",), dtypes=FLOATS + INTS),
    OpInfo("relu", ops.relu, unary(margin=0.2), inplace="relu_", dtypes=FLOATS + INTS),
    OpInfo("sign", ops.sign, unary(margin=0.2), inplace="sign_", dtypes=FLOATS + INTS),
    OpInfo("floor", ops.floor, unary(offgrid=True), inplace="floor_", dtypes=FLOATS + INTS),
    OpInfo("ceil", ops.ceil, unary(offgrid=True), inplace="ceil_", dtypes=FLOATS + INTS),
    OpInfo("trunc", ops.trunc, unary(offgrid=True), inplace="trunc_", dtypes=FLOATS + INTS),
    OpInfo("round", ops.round, unary(offgrid=True) + [S(T(3, 4, low=-20, high=20), decimals=1)],
           inplace="round_"),
    OpInfo("clamp", ops.clamp, [
        S(T(3, 4), -0.5, 0.7), S(T(3, 4), min=-0.3), S(T(3, 4), max=0.2), S(T(), -0.5, 0.5),
        S(T(4, 3, layout="transposed"), -1.0, 1.0), S(T(0, 2), 0.0, 1.0),
        S(T(3, 4), T(3, 4, low=-2, high=-0.1), T(4, low=0.1, high=2)),
    ], aliases=("clip",), methods=("clamp", "clip"), inplace="clamp_", inplace_aliases=("clip_",)),
    OpInfo("clamp_min", ops.clamp_min, [S(T(3, 4), -0.3), S(T(3, 4), T(4, low=-1, high=1))],
           inplace="clamp_min_"),
    OpInfo("clamp_max", ops.clamp_max, [S(T(3, 4), 0.3), S(T(2, 3), T(3, low=-1, high=1))],
           inplace="clamp_max_"),
    OpInfo("maximum", ops.maximum, binary(scalar=None), dtypes=FLOATS + INTS),
    OpInfo("minimum", ops.minimum, binary(scalar=None), dtypes=FLOATS + INTS),
    OpInfo("where", ops.where, [
        S(T(3, 4, kind="bool"), T(3, 4), T(3, 4)), S(T(2, 3, 4, kind="bool"), T(4), T(3, 1)),
        S(T(3, 4, kind="bool"), T(3, 4), 0.0), S(T(3, kind="bool"), 1.5, T(2, 3)),
        S(T(0, 2, kind="bool"), T(0, 2), T(2)),
    ], methods=()),
    OpInfo("lerp", ops.lerp, [S(T(3, 4), T(3, 4), 0.3), S(T(2, 3), T(3), T(2, 3, low=0, high=1)),
                              S(T(4, 3, layout="transposed"), T(4, 3), T(low=0, high=1))],
           inplace="lerp_"),

]


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
    unary_float("asin", trig, unary(**UNIT), aliases=("arcsin",)),
    unary_float("acos", trig, unary(**UNIT), aliases=("arccos",)),
    unary_float("atan", trig, unary(low=-3, high=3) + [S(T(2, 3, **INT))], aliases=("arctan",)),
    unary_float("sinh", trig, unary()),
    unary_float("cosh", trig, unary()),
    unary_float("asinh", trig, unary(low=-3, high=3), aliases=("arcsinh",), inplace_grad=False),
    unary_float("acosh", trig, unary(low=1.2, high=3.0), aliases=("arccosh",),
                inplace_grad=False),
    unary_float("atanh", trig, unary(**UNIT), aliases=("arctanh",), inplace_grad=False),
    unary_float("sinc", trig, unary(low=-2.5, high=2.5) + [S(T(2, 4, **WITH_ZEROS))]),
    unary_float("deg2rad", trig, unary(low=-200, high=200), dtypes=FLOATS + INTS),
    unary_float("rad2deg", trig, unary(low=-4, high=4), dtypes=FLOATS + INTS),
    OpInfo("atan2", trig.atan2, binary(scalar=None) + [S(T(3, 4, **INT), T(4, **INT))],
           aliases=("arctan2",), methods=("atan2", "arctan2"), inplace="atan2_",
           inplace_aliases=("arctan2_",)),
    OpInfo("hypot", trig.hypot, binary(scalar=None), inplace="hypot_"),
    unary_float("erf", special, unary(low=-3, high=3)),
    unary_float("erfc", special, unary(low=-3, high=3)),
    unary_float("erfinv", special, unary(low=-0.95, high=0.95) + [
        S(T(4, values=[-0.5, 0.0, 0.999, -0.9999]))]),
    unary_float("exp2", special, unary(low=-4, high=4) + [S(T(2, 3, **INT))]),
    OpInfo("logaddexp", special.logaddexp, binary(scalar=None) + [
        S(T(2, 3, low=500, high=800), T(2, 3, low=-800, high=-500))]),
    OpInfo("logaddexp2", special.logaddexp2, binary(scalar=None)),
    OpInfo("xlogy", special.xlogy, binary(other_low=0.3, other_high=3.0) + [
        S(T(2, 4, **WITH_ZEROS), T(2, 4, low=0.3, high=3.0)),
        S(T(2, 4, **WITH_ZEROS), T(4, values=[0.5, 1.0, 2.0, 3.0])),
        S(T(2, 3, **INT), T(3, low=0.5, high=2.0))], inplace="xlogy_"),
    OpInfo("logit", special.logit, unary(low=0.05, high=0.95) + [
        S(T(3, 4, low=0.01, high=0.99), eps=0.2), S(T(3, 4, low=0.01, high=0.99), 1e-6),
        S(T(2, 3, **INT))], inplace="logit_"),
    OpInfo("fmod", piecewise.fmod, pairs(b=dict(margin=0.4), scalar=-1.5) + [
        S(T(2, 4, **INT), T(2, 4, kind="index", values=[[-3, -1, 2, 3], [4, 1, -2, 5]])),
        S(T(2, 4, **INT), -3), S(T(2, 4, **INT), T(4, margin=0.4))],
        inplace="fmod_"),
    OpInfo("frac", piecewise.frac, unary(offgrid=True), inplace="frac_"),
    OpInfo("nan_to_num", piecewise.nan_to_num, unary() + [
        S(T(2, 4, **NON_FINITE), 1.5, 9.0, -7.0),  # (the default posinf, the dtype's largest
        S(T(2, 4, **NON_FINITE), nan=-1.0, posinf=9.0, neginf=-2.0),  # value, is in test_special)
        S(T(2, 3, **INT))], inplace="nan_to_num_"),
    OpInfo("signbit", piecewise.signbit, unary() + [
        S(T(2, 4, **WITH_ZEROS)), S(T(2, 4, **NON_FINITE)), S(T(2, 3, **INT))],
        differentiable=False),
    OpInfo("heaviside", piecewise.heaviside, [
        S(T(2, 4, **WITH_ZEROS), T(4)), S(T(2, 4, **WITH_ZEROS), T(2, 4)), S(T(3, 4), T()),
        S(T(2, 4, values=[[np.nan, 0.0, 1.0, -1.0]] * 2), T(1, low=0.2, high=0.8)),
        S(T(0, 3), T(3)), S(T(3, 4, **INT), T(4, **INT))],
        inplace="heaviside_", differentiable=False),
]
