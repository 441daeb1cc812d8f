"""Table entries of cummax, cummin and logcumsumexp (ops/scan.py). The integer runs
tie often: the index of a tied running extreme must be PyTorch's (the latest)."""
import numpy as np

from .. import scan as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T


# ---- ONNX converter (autograd_lite.onnx): converter(builder, node, inputs) -> output ------------------
def _logcumsumexp_onnx(b, node, inputs):
    """y_i = logsumexp_{j <= i} x_j as one ReduceLogSumExp over a (.., n, n) grid: x
    moved to the last dim, plus a mask that is -inf where j > i (stable, n^2 memory;
    the scanned dim must have a fixed size)."""
    axis, shape = node.axis, b.in_shape(0)
    if axis in b.dynamic_in(0):
        raise b.error(f"logcumsumexp along dim {axis}, whose size follows the dynamic axes, can't be "
                      f"exported (its mask is sized by that dim); make that axis static")
    n, nd = shape[axis], len(shape)
    perm = [d for d in range(nd) if d != axis] + [axis]
    x = inputs[0] if axis == nd - 1 else b.op("Transpose", [inputs[0]], perm=perm)
    mask = b.const(np.triu(np.full((n, n), -np.inf), 1).astype(b.out_dtype()), name="logcumsumexp_mask")
    grid = b.op("Add", [b.unsqueeze(x, [nd - 1]), mask])  # (.., i, j) = x_j, or -inf where j > i
    y = b.reduce("ReduceLogSumExp", grid, [nd], False)
    return y if axis == nd - 1 else b.op("Transpose", [y], perm=list(np.argsort(perm)))


def running(name):
    return OpInfo(name, getattr(ops, name), [
        S(T(3, 4), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1), S(T(), 0), S(T(), -1),
        S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), 1), S(T(0, 3), 1),
        S(T(3, 12, kind="index", low=0, high=3), 1), S(T(2, 5, kind="bool"), 1)],
        dtypes=FLOATS + BF16 + INTS)


ENTRIES = [
    running("cummax"), running("cummin"),
    OpInfo("logcumsumexp", ops.logcumsumexp, [
        S(T(3, 4), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1), S(T(), 0),
        S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), 1), S(T(0, 3), 1),
        S(T(2, 5, low=500, high=800), 1), S(T(2, 5, low=-800, high=-500), 1),
        S(T(2, 4, values=[[0.5, -np.inf, -1.0, 2.0], [1.0, -np.inf, -np.inf, 0.3]]), 1)],
        onnx={"LogCumSumExp": _logcumsumexp_onnx}),
]
