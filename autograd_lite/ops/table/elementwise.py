"""Table entries of the elementwise ops (ops/elementwise.py)."""
from .. import elementwise as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T, binary, unary

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
           inplace="abs_", inplace_aliases=("absolute_",), dtypes=FLOATS + BF16 + INTS),
    OpInfo("relu", ops.relu, unary(margin=0.2), inplace="relu_", dtypes=FLOATS + BF16 + INTS),
    OpInfo("sign", ops.sign, unary(margin=0.2), inplace="sign_", dtypes=FLOATS + BF16 + INTS),
    OpInfo("floor", ops.floor, unary(offgrid=True), inplace="floor_", dtypes=FLOATS + BF16 + INTS),
    OpInfo("ceil", ops.ceil, unary(offgrid=True), inplace="ceil_", dtypes=FLOATS + BF16 + INTS),
    OpInfo("trunc", ops.trunc, unary(offgrid=True), inplace="trunc_", dtypes=FLOATS + BF16 + INTS),
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
    OpInfo("maximum", ops.maximum, binary(scalar=None), dtypes=FLOATS + BF16 + INTS),
    OpInfo("minimum", ops.minimum, binary(scalar=None), dtypes=FLOATS + BF16 + INTS),
    OpInfo("where", ops.where, [
        S(T(3, 4, kind="bool"), T(3, 4), T(3, 4)), S(T(2, 3, 4, kind="bool"), T(4), T(3, 1)),
        S(T(3, 4, kind="bool"), T(3, 4), 0.0), S(T(3, kind="bool"), 1.5, T(2, 3)),
        S(T(0, 2, kind="bool"), T(0, 2), T(2)),
    ], methods=()),
    OpInfo("lerp", ops.lerp, [S(T(3, 4), T(3, 4), 0.3), S(T(2, 3), T(3), T(2, 3, low=0, high=1)),
                              S(T(4, 3, layout="transposed"), T(4, 3), T(low=0, high=1))],
           inplace="lerp_"),
]
