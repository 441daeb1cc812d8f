"""Table entries of the triangles and diagonals (ops/triangular.py)."""
import numpy as np

from .. import triangular as ops
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _triangle_onnx(b, node, inputs):
    """Trilu from opset 14; before, a constant mask over the (fixed-size) last two dims."""
    x, k, lower = inputs[0], node.k, node.lower
    if b.opset >= 14:
        return b.op("Trilu", [x, b.scalar(k, np.int64)], upper=0 if lower else 1)
    shape = b.in_shape(0)
    if b.dynamic_in(0) & {len(shape) - 2, len(shape) - 1}:
        raise b.error("tril/triu of matrices whose size follows the dynamic axes needs opset 14 (Trilu)")
    keep = (np.tril if lower else np.triu)(np.ones(shape[-2:], bool), k)
    return b.op("Where", [b.const(keep), x, b.scalar(0, b.out_dtype())])


def _diagonal_layout(d1, d2, nd, n1, n2, offset):
    """The permutation moving dims d1, d2 last, and the flat indices of the diagonal in
    those two dims flattened (row-major)."""
    perm = [d for d in range(nd) if d not in (d1, d2)] + [d1, d2]
    if offset >= 0:
        rows = np.arange(max(0, min(n1, n2 - offset)))
        cols = rows + offset
    else:
        cols = np.arange(max(0, min(n1 + offset, n2)))
        rows = cols - offset
    return perm, (rows * n2 + cols).astype(np.int64)


def _diagonal_onnx(b, node, inputs):
    """Gather along dims d1, d2 moved last and flattened (their sizes must be fixed)."""
    offset, d1, d2 = node.where
    shape = b.in_shape(0)
    nd = len(shape)
    if b.dynamic_in(0) & {d1, d2}:
        raise b.error("a diagonal of dims whose size follows the dynamic axes can't be exported")
    n1, n2 = shape[d1], shape[d2]
    perm, flat_index = _diagonal_layout(d1, d2, nd, n1, n2, offset)
    x = inputs[0] if perm == list(range(nd)) else b.op("Transpose", [inputs[0]], perm=perm)
    flat = b.op("Reshape", [x, b.ints([0] * (nd - 2) + [n1 * n2])])
    return b.op("Gather", [flat, b.const(flat_index)], axis=-1)


def _diagonal_scatter_onnx(b, node, inputs):
    """Zeros (.., n1 * n2) with x scattered at the diagonal's flat indices, reshaped to
    (.., n1, n2) and the two dims moved to d1, d2."""
    x, shape = inputs[0], tuple(inputs.arg(1))
    offset, d1, d2 = node.where
    nd, nx = len(shape), len(b.in_shape(0))
    n1, n2 = shape[d1], shape[d2]
    if b.twin is not None:
        twin_shape = b.twin.args[1]
        b.same_in_both("sizes of the diagonal's two dims", (n1, n2), (twin_shape[d1], twin_shape[d2]))
    perm, flat_index = _diagonal_layout(d1, d2, nd, n1, n2, offset)
    dtype = b.out_dtype()
    flat_shape = b.op("Concat", [b.shape_of(x, 0, nx - 1), b.ints([n1 * n2])], axis=0)
    zeros = b.op("Expand", [b.scalar(0, dtype), flat_shape])
    index = b.op("Expand", [b.const(flat_index), b.shape_of(x)])
    flat = b.op("ScatterElements", [zeros, index, x], axis=-1)
    grid = b.op("Reshape", [flat, b.ints([0] * (nx - 1) + [n1, n2])])
    if perm == list(range(nd)):
        return grid
    return b.op("Transpose", [grid], perm=[int(i) for i in np.argsort(perm)])


DIAGONAL_ONNX = {"Diagonal": _diagonal_onnx, "DiagonalScatter": _diagonal_scatter_onnx}


def triangle(name):
    return OpInfo(name, getattr(ops, name), [
        S(T(3, 4)), S(T(4, 3), 1), S(T(3, 4), -1), S(T(2, 3, 4), diagonal=2), S(T(3, 3), 5),
        S(T(3, 3), -5), S(T(4, 3, layout="transposed")), S(T(2, 6, layout="strided"), -1),
        S(T(0, 3)), S(T(2, 0, 3), 1), S(T(3, 3, kind="bool"), -1)],
        inplace=name + "_", dtypes=FLOATS + BF16 + INTS, onnx={"Triangle": _triangle_onnx})


def triangle_indices(name):
    return OpInfo(name, getattr(ops, name), [
        S(3, 4), S(4, 3, 1), S(3, 3, -1), S(0, 3), S(3, 4, -5), S(3, 4, 10), S(1, 1),
        S(3, 3, dtype=Dtype("int32")), S(4, 5, offset=-2)],
        methods=(), dtypes=INTS, differentiable=False)


ENTRIES = [
    triangle("tril"), triangle("triu"),
    triangle_indices("tril_indices"), triangle_indices("triu_indices"),
    OpInfo("diag", ops.diag, [
        S(T(4)), S(T(4), 1), S(T(3), -2), S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), -2),
        S(T(3, 4), 5), S(T(0)), S(T(0, 3)), S(T(4, 3, layout="transposed"), 1),
        S(T(6, layout="strided")), S(T(2, 3, **INT), diagonal=-1)],
        dtypes=FLOATS + BF16 + INTS,
        onnx=DIAGONAL_ONNX),
    OpInfo("diagonal", ops.diagonal, [
        S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), -1), S(T(2, 3, 4), 0, 1, 2),
        S(T(2, 3, 4), 1, 2, 0), S(T(2, 3, 4), offset=-1, dim1=-1, dim2=0), S(T(3, 4), 7),
        S(T(4, 3, layout="transposed")), S(T(2, 3, 6, layout="strided"), 1, -1, 1),
        S(T(0, 3)), S(T(2, 3, **INT), -1)],
        dtypes=FLOATS + BF16 + INTS,
        onnx=DIAGONAL_ONNX),
    OpInfo("diag_embed", ops.diag_embed, [
        S(T(3)), S(T(2, 3)), S(T(2, 3), 1), S(T(2, 3), -1, 0, 2),
        S(T(2, 3), offset=2, dim1=-1, dim2=0), S(T(0, 3)), S(T(2, 0)),
        S(T(4, 3, layout="transposed"), -1), S(T(2, 3, **INT), 1)],
        dtypes=FLOATS + BF16 + INTS,
        onnx=DIAGONAL_ONNX),
    OpInfo("trace", ops.trace, [
        S(T(3, 3)), S(T(3, 4)), S(T(4, 2)), S(T(4, 3, layout="transposed")), S(T(0, 0)),
        S(T(2, 6, layout="strided")), S(T(2, 3, **INT))],
        dtypes=FLOATS + BF16 + INTS,
        onnx=DIAGONAL_ONNX),
]
