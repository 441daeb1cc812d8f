"""Table entries of the strided views (ops/strided.py): Tensor.unfold and as_strided.
view(dtype) is in table/shape.py's `view` entry (no gradient: compared in
tests/ops/test_strided.py)."""
import numpy as np

from .. import strided as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

ALL = FLOATS + BF16 + INTS + ("bool",)



def _unfold_onnx(b, node, inputs):
    """The windows as a Gather of constant positions along the dim, the window dim then
    moved last (the unfolded dim's size must not depend on the inputs)."""
    shape, d, size, step = node.args
    b.same_in_both("unfolded dim's size", shape[d], b.twin_attr("args", node.args)[0][d])
    n = (shape[d] - size) // step + 1
    positions = np.arange(n, dtype=np.int64)[:, None] * step + np.arange(size, dtype=np.int64)
    y = b.op("Gather", [inputs[0], b.const(positions)], axis=d)
    nd = len(shape) + 1
    perm = list(range(d + 1)) + list(range(d + 2, nd)) + [d + 1]
    return y if perm == list(range(nd)) else b.op("Transpose", [y], perm=perm)


ENTRIES = [
    OpInfo("unfold", ops.unfold, [
        S(T(10), 0, 3, 2), S(T(3, 7), 1, 2, 1), S(T(3, 7), -1, 7, 1), S(T(4, 5), 0, 2, 2),
        S(T(2, 5, 3), 1, 3, 1), S(T(4, 3, layout="transposed"), 0, 2, 1),
        S(T(3, 8, layout="strided"), 1, 3, 3), S(T(), 0, 1, 1), S(T(0, 4), 1, 2, 1),
        S(T(3, 4), dimension=0, size=0, step=1), S(T(5), 0, 1, 10),
    ], namespace="Tensor", dtypes=ALL, onnx={"SlidingWindows": _unfold_onnx}),
    OpInfo("as_strided", ops.as_strided, [
        S(T(3, 4), (2, 2), (1, 2)), S(T(3, 4), (3, 3), (4, 1), 1), S(T(12), (4, 3), (1, 1)),
        S(T(3, 4), (2, 3, 2), (4, 1, 0)), S(T(4, 3, layout="transposed"), (2, 2), (1, 3)),
        S(T(2, 6, layout="strided"), (3,), (4,)), S(T(3, 4), size=(0, 2), stride=(1, 1)),
        S(T(3, 4), (), (), 5), S(T(3, 4), (6,), (2,), storage_offset=0),
    ], dtypes=ALL),
]
