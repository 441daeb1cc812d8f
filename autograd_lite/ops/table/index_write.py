"""Table entries of the writes at index positions (ops/index_write.py): scatter_reduce,
index_fill, index_copy, masked_scatter, put, fill_diagonal_ and the `*_scatter` ops.
Where PyTorch's result would depend on which of several writes wins, the indices have
no repeats. amax/amin's ties (whose gradient PyTorch splits evenly, and which have no
second derivative) and src larger than index (PyTorch's backward refuses it) are in
tests/ops/test_index_write.py."""
import numpy as np

from .. import index_write as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T
from .index import _idx, _mask

_ONNX_REDUCTION = {"sum": "add", "mean": "add", "prod": "mul", "amax": "max", "amin": "min"}


def _scatter_reduce_onnx(b, node, inputs):
    """ScatterND with a reduction on the flattened tensor at the positions the index names
    (constants: the shape and index values must agree in both traces). include_self=False
    first writes the reduction's identity at those positions; mean divides by the counts.
    ONNX has ScatterND's add/mul from opset 16 and max/min from opset 18."""
    key, d, reduce, include_self = node.args
    shape = b.in_shape(0)
    b.same_in_both("indexed tensor's shapes", shape, b.in_shape(0, twin=True))
    b.same_in_both("index values", list(key), list(b.twin_attr("args", node.args)[0]))
    needed = 18 if reduce in ("amax", "amin") else 16
    if b.opset < needed:
        raise b.error(f"scatter_reduce(reduce={reduce!r}) needs opset {needed} or later (ScatterND's "
                      f"reduction), got {b.opset}")
    dtype = b.out_dtype()
    if reduce == "mean" and dtype.kind != "f":
        raise b.error("scatter_reduce(reduce='mean') of integers rounds down, which has no ONNX form here")
    positions = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)[key].reshape(-1)
    flat = b.op("Reshape", [inputs[0], b.ints([-1])])
    if not include_self and positions.size:
        written = np.unique(positions)
        start = ops.identity(reduce, dtype)
        flat = b.op("ScatterND", [flat, b.const(written.reshape(-1, 1)),
                                  b.const(np.full(written.size, start, dtype))])
    updates = b.op("Reshape", [inputs[1], b.ints([-1])])
    out = b.op("ScatterND", [flat, b.const(positions.reshape(-1, 1)), updates],
               reduction=_ONNX_REDUCTION[reduce])
    if reduce == "mean":
        counts = np.bincount(positions, minlength=int(np.prod(shape, dtype=np.int64))) + (1 if include_self else 0)
        out = b.op("Div", [out, b.const(np.maximum(counts, 1).astype(dtype))])
    return b.op("Reshape", [out, b.ints(shape)])

ALL = FLOATS + BF16 + INTS


def _reduce_samples(reduce):
    out = [
        S(T(3, 4), 1, _idx(3, 5, high=4), T(3, 5), reduce),
        S(T(3, 4), 0, _idx(4, 4, high=3), T(4, 4), reduce, include_self=False),
        S(T(5), 0, _idx(7, high=5), T(7), reduce=reduce),
        S(T(2, 3, 2), -1, _idx(2, 3, 3, high=2), T(2, 3, 3), reduce, include_self=True),
        S(T(4, 3, layout="transposed"), 0, _idx(3, 3, high=4), T(3, 3), reduce),
        S(T(3, 4), 1, _idx(2, 2, high=4), T(2, 2), reduce, include_self=False),
        S(T(3, 4), 1, _idx(3, 0), T(3, 0), reduce),
        S(T(), 0, _idx(values=[0, 0]), T(2), reduce, include_self=False),
    ]
    if reduce == "prod":  # zeros in the input and in src (one per position: PyTorch's
        # double backward is undefined with two)
        out += [S(T(values=[[0.0, 2.0, 1.5, -1.0]]), 1, _idx(values=[[0, 1, 1, 3]]),
                  T(values=[[1.5, 0.0, 2.0, -0.5]]), reduce),
                S(T(values=[[0.5, 2.0, 1.5, -1.0]]), 1, _idx(values=[[0, 1, 1, 3]]),
                  T(values=[[1.5, 0.0, 2.0, 0.0]]), reduce, include_self=False)]
    return out


ENTRIES = [
    OpInfo("scatter_reduce", ops.scatter_reduce,
           [s for reduce in ops.REDUCTIONS for s in _reduce_samples(reduce)], dtypes=ALL,
           inplace="scatter_reduce_", tol={"bfloat16": dict(rtol=2e-2, atol=2e-2)},
           onnx={"ScatterReduce": _scatter_reduce_onnx}),
    OpInfo("index_fill", ops.index_fill, [
        S(T(3, 4), 1, _idx(values=[0, 2]), -1.5), S(T(3, 4), 0, _idx(values=[2]), 2),
        S(T(3, 4), -1, _idx(values=[3, 3, -1]), 0.5), S(T(3, 4), dim=0, index=_idx(0), value=1.0),
        S(T(3, 4), 1, _idx(values=1), T()), S(T(2, 3, 2), 1, _idx(values=[0, 2]), T()),
        S(T(4, 3, layout="transposed"), 0, _idx(values=[1, 3]), 2.0),
        S(T(), 0, _idx(values=[0]), 3.0), S(T(0, 3), 1, _idx(values=[1]), 1.0),
    ], dtypes=ALL, inplace="index_fill_"),
    OpInfo("index_copy", ops.index_copy, [
        S(T(5, 3), 0, _idx(values=[4, 0, 2]), T(3, 3)), S(T(3, 4), 1, _idx(values=[3, 1]), T(3, 2)),
        S(T(3, 4), -1, _idx(values=[2]), T(3, 1)), S(T(5), 0, _idx(values=[1, 4]), T(2)),
        S(T(4, 3, layout="transposed"), 0, _idx(values=[3, 0]), T(2, 3)),
        S(T(3, 4), dim=1, index=_idx(0), source=T(3, 0)), S(T(2, 3, 2), 1, _idx(values=[2, 0]), T(2, 2, 2)),
    ], dtypes=ALL, inplace="index_copy_"),
    OpInfo("masked_scatter", ops.masked_scatter, [
        S(T(3, 4), _mask(3, 4), T(12)), S(T(3, 4), _mask(4), T(3, 5)), S(T(3, 4), _mask(3, 1), T(20)),
        S(T(2, 3), _mask(), T(6)), S(T(4, 3, layout="transposed"), _mask(4, 3), T(4, 3)),
        S(T(0, 3), _mask(3), T(2)), S(T(3, 4), mask=_mask(3, 4), source=T(2, 6)),
    ], dtypes=ALL, inplace="masked_scatter_"),
    OpInfo("put", ops.put, [
        S(T(3, 4), _idx(values=[0, 5, 11]), T(3)), S(T(3, 4), _idx(values=[[-1, 2], [7, 4]]), T(2, 2)),
        S(T(3, 4), _idx(5, low=-12, high=12), T(5), accumulate=True),
        S(T(3, 4), _idx(values=[3, 3, 3]), T(3), True), S(T(), _idx(values=[0]), T(1)),
        S(T(4, 3, layout="transposed"), _idx(values=[1, 6]), T(2)),
        S(T(3, 4), index=_idx(0), source=T(0)),
    ], dtypes=ALL, inplace="put_"),
    OpInfo("fill_diagonal_", ops.fill_diagonal_, [
        S(T(3, 4), 2.5), S(T(4, 3), -1.0), S(T(7, 3), 1.0, True), S(T(7, 3), 1.0, wrap=False),
        S(T(3, 3, 3), 0.5), S(T(2, 5), fill_value=4, wrap=True), S(T(0, 3), 1.0),
    ], namespace="Tensor", dtypes=ALL, differentiable=False,
    note="in place on the sample, so not recorded on its leaf; tests/ops/test_index_write.py "
         "checks the gradient through it"),
    OpInfo("diagonal_scatter", ops.diagonal_scatter, [
        S(T(3, 4), T(3)), S(T(3, 4), T(3), 1), S(T(3, 4), T(2), -1), S(T(2, 3, 4), T(2, 3), 0, 1, 2),
        S(T(2, 3, 4), T(3, 2), offset=-1, dim1=-1, dim2=0), S(T(3, 4), T(0), 5),
        S(T(4, 3, layout="transposed"), T(3)), S(T(2, 3, 4), T(2, 3, layout="strided"), 0, 1, -1),
    ], dtypes=ALL),
    OpInfo("select_scatter", ops.select_scatter, [
        S(T(3, 4), T(4), 0, 1), S(T(3, 4), T(3), 1, -1), S(T(2, 3, 4), T(2, 4), -2, 2),
        S(T(3), T(), 0, 2), S(T(4, 3, layout="transposed"), T(4), 1, 0), S(T(0, 3), T(0), 1, 2),
    ], dtypes=ALL),
    OpInfo("slice_scatter", ops.slice_scatter, [
        S(T(5, 4), T(2, 4), 0, 1, 3), S(T(3, 6), T(3, 3), 1, 0, None, 2), S(T(3, 4), T(3, 4)),
        S(T(3, 6), T(3, 2), dim=-1, start=-2), S(T(3, 6), T(3, 1), 1, end=-5),
        S(T(4, 3, layout="transposed"), T(2, 3), 0, 1, 100, 2), S(T(3, 4), T(3, 0), 1, 3, 1),
    ], dtypes=ALL),
]
