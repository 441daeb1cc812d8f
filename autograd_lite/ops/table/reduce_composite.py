"""Table entries of nansum, nanmean and aminmax (ops/reduce_composite.py)."""
import numpy as np

from .. import reduce_composite as ops
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T, onnx_scalar, reduction

INT = dict(kind="index", low=-3, high=4)
# an all-NaN slice has a NaN gradient in nanmean (gradcheck can't take it: test_reduce.py)
NAN = dict(values=[[np.nan, 1.0, -0.5, 2.0], [0.5, np.nan, np.nan, -1.5], [1.0, np.nan, 0.5, 0.0]])


# ---- ONNX converter (autograd_lite.onnx): converter(builder, node, inputs) -> output ------------------
def convert_not_nan(b, node, inputs):
    return b.cast(b.op("Not", [b.op("IsNaN", [inputs[0]])]), b.out_dtype())


def convert_nan_to_zero(b, node, inputs):
    x = inputs[0]
    return b.op("Where", [b.op("IsNaN", [x]), onnx_scalar(b, 0), x])


def nan_reduction():
    return reduction() + [
        S(T(3, 4, **NAN)), S(T(3, 4, **NAN), 1), S(T(3, 4, **NAN), 0, keepdim=True),
        S(T(3, 4, **NAN), (0, 1)), S(T(3, 4, **NAN), dim=-1, dtype=Dtype("float64")),
        S(T(3, 4), [1, 0], True), S(T(2, 6, layout="strided"), 1), S(T(0, 3)), S(T(0, 3), 0)]


ENTRIES = [
    OpInfo("nansum", ops.nansum, nan_reduction() + [
        S(T(2, 3, **INT)), S(T(2, 3, **INT), 1, dtype=Dtype("float32")), S(T(2, 3, kind="bool"), 0)],
        onnx={"NanToZero": convert_nan_to_zero}),
    OpInfo("nanmean", ops.nanmean, nan_reduction(),
           onnx={"NanToZero": convert_nan_to_zero, "NotNan": convert_not_nan}),
    OpInfo("aminmax", ops.aminmax, [
        S(T(3, 4)), S(T(3, 4), dim=1), S(T(3, 4), dim=0, keepdim=True), S(T(2, 3, 4), dim=-1),
        S(T(3, 4), keepdim=True), S(T()), S(T(), dim=0), S(T(), dim=-1, keepdim=True),
        S(T(4, 3, layout="transposed"), dim=0), S(T(2, 6, layout="strided"), dim=1),
        S(T(0, 3), dim=1), S(T(2, 3, **INT), dim=1), S(T(2, 3, **INT))],
        dtypes=FLOATS + BF16 + INTS),
]
