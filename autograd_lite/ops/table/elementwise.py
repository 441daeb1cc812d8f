"""Table entries of the elementwise ops (ops/elementwise.py)."""
import math

import numpy as np

from .. import elementwise as ops
from ..opinfo import FLOATS, INTS, OpInfo, S, T, binary, onnx_op, onnx_scalar, unary

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
    simple = {np.sign: "Sign", np.floor: "Floor", np.ceil: "Ceil", np.round: "Round"}
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
           inplace="abs_", inplace_aliases=("absolute_",), dtypes=FLOATS + INTS,
           onnx={"Abs": onnx_op("Abs")}),
    OpInfo("relu", ops.relu, unary(margin=0.2), inplace="relu_", dtypes=FLOATS + INTS,
           onnx={"Relu": onnx_op("Relu")}),
    OpInfo("sign", ops.sign, unary(margin=0.2), inplace="sign_", dtypes=FLOATS + INTS,
           onnx={"ZeroGrad": _zero_grad}),
    OpInfo("floor", ops.floor, unary(offgrid=True), inplace="floor_", dtypes=FLOATS + INTS,
           onnx={"ZeroGrad": _zero_grad}),
    OpInfo("ceil", ops.ceil, unary(offgrid=True), inplace="ceil_", dtypes=FLOATS + INTS,
           onnx={"ZeroGrad": _zero_grad}),
    OpInfo("trunc", ops.trunc, unary(offgrid=True), inplace="trunc_", dtypes=FLOATS + INTS,
           onnx={"ZeroGrad": _zero_grad}),
    OpInfo("round", ops.round, unary(offgrid=True) + [S(T(3, 4, low=-20, high=20), decimals=1)],
           inplace="round_",
           onnx={"ZeroGrad": _zero_grad}),
    OpInfo("clamp", ops.clamp, [
        S(T(3, 4), -0.5, 0.7), S(T(3, 4), min=-0.3), S(T(3, 4), max=0.2), S(T(), -0.5, 0.5),
        S(T(4, 3, layout="transposed"), -1.0, 1.0), S(T(0, 2), 0.0, 1.0),
        S(T(3, 4), T(3, 4, low=-2, high=-0.1), T(4, low=0.1, high=2)),
    ], aliases=("clip",), methods=("clamp", "clip"), inplace="clamp_", inplace_aliases=("clip_",),
           onnx={"ClampScalar": _clamp}),
    OpInfo("clamp_min", ops.clamp_min, [S(T(3, 4), -0.3), S(T(3, 4), T(4, low=-1, high=1))],
           inplace="clamp_min_",
           onnx={"ClampScalar": _clamp}),
    OpInfo("clamp_max", ops.clamp_max, [S(T(3, 4), 0.3), S(T(2, 3), T(3, low=-1, high=1))],
           inplace="clamp_max_",
           onnx={"ClampScalar": _clamp}),
    OpInfo("maximum", ops.maximum, binary(scalar=None), dtypes=FLOATS + INTS,
           onnx={"MaxMin": onnx_max_min}),
    OpInfo("minimum", ops.minimum, binary(scalar=None), dtypes=FLOATS + INTS,
           onnx={"MaxMin": onnx_max_min}),
    OpInfo("where", ops.where, [
        S(T(3, 4, kind="bool"), T(3, 4), T(3, 4)), S(T(2, 3, 4, kind="bool"), T(4), T(3, 1)),
        S(T(3, 4, kind="bool"), T(3, 4), 0.0), S(T(3, kind="bool"), 1.5, T(2, 3)),
        S(T(0, 2, kind="bool"), T(0, 2), T(2)),
    ], methods=(),
           onnx={"Where": onnx_op("Where")}),
    OpInfo("lerp", ops.lerp, [S(T(3, 4), T(3, 4), 0.3), S(T(2, 3), T(3), T(2, 3, low=0, high=1)),
                              S(T(4, 3, layout="transposed"), T(4, 3), T(low=0, high=1))],
           inplace="lerp_"),
]
