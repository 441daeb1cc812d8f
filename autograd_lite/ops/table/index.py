"""Table entries of the indexing ops (ops/index.py), `t[key]` among them (one_hot is
in table/embedding.py). Index tensors are int64 (`_idx`); where PyTorch's result
depends on which of several writes to one position wins (scatter, index_put without
accumulate), the indices are fixed and have no repeats."""
import numpy as np

from .. import index as ops
from ..opinfo import FLOATS, INTS, OpInfo, S, T

ALL = FLOATS + INTS + ("bool",)


def _idx(*shape, high=None, low=0, values=None):
    """An int64 index tensor: random in [low, high), or the given `values`."""
    return T(*shape, kind="index", low=low, high=high if high is not None else 1, values=values)


def _mask(*shape):
    return T(*shape, kind="bool")


_SCATTER_INDEX = [[0, 3], [1, 2], [3, 0]]  # (3, 2) positions along dim 1 of a (3, 4) tensor

ENTRIES = [
    OpInfo("__getitem__", ops.getitem, [
        S(T(2, 3, 4), 1), S(T(2, 3, 4), (0, -1)), S(T(2, 3, 4), slice(1, None)),
        S(T(2, 3, 4), (slice(None), slice(None, None, 2))), S(T(2, 3, 4), (Ellipsis, 1)),
        S(T(2, 3, 4), (None, 0, Ellipsis, None)), S(T(2, 3, 4), (1, slice(0, 2), None)),
        S(T(4, 3), _idx(5, high=4)), S(T(4, 3), (slice(None), _idx(2, 2, high=3))),
        S(T(2, 3, 4), (_idx(3, high=2), slice(None), _idx(3, high=4))),
        S(T(2, 3, 4), (0, slice(None), _idx(3, high=4))), S(T(3, 4), _mask(3, 4)),
        S(T(3, 4), _mask(3)), S(T(2, 3, 4), (Ellipsis, _mask(4))), S(T(3, 4), [0, 0, 2]),
        S(T(3, 4), (_idx(values=[[0], [2]]), _idx(values=[1, 1, 3]))), S(T(), ()), S(T(), None),
        S(T(0, 3), (Ellipsis, 1)), S(T(4, 3, layout="transposed"), (slice(1, 3), _idx(4, high=3))),
        S(T(3, 4), _idx(0)), S(T(3, 4), True), S(T(2, 3), (0, True)), S(T(2, 3), False),
        S(T(3, 4), (slice(3, 1), slice(1, 100))), S(T(2, 3, 4), (-2, Ellipsis, slice(-2, None))),
        S(T(3, 4), np.array([True, False, True])), S(T(3, 4), _idx(values=[-1, 0, -3])),
    ], namespace="Tensor", dtypes=ALL),
    OpInfo("gather", ops.gather, [
        S(T(3, 4), 1, _idx(3, 2, high=4)), S(T(3, 4), 0, _idx(2, 4, high=3)),
        S(T(3, 4), -1, _idx(2, 1, high=4)), S(T(4), 0, _idx(6, high=4)),
        S(T(2, 3, 2), 1, _idx(2, 4, 2, high=3)), S(T(3, 4), 1, _idx(3, 0)),
        S(T(3, 4), dim=1, index=_idx(3, 5, high=4), sparse_grad=False),
        S(T(4, 3, layout="transposed"), 0, _idx(2, 3, high=4)), S(T(), 0, _idx(values=0)),
    ], dtypes=ALL),
    OpInfo("scatter", ops.scatter, [
        S(T(3, 4), 1, _idx(values=_SCATTER_INDEX), T(3, 2)),
        S(T(3, 4), 0, _idx(values=[[2, 0, 1, 1], [0, 1, 2, 0]]), T(2, 4)),
        S(T(3, 4), -1, _idx(values=[[1], [2]]), src=T(2, 1)),
        S(T(5), 0, _idx(values=[4, 0, 2]), T(3)),
        S(T(3, 4), 1, _idx(values=_SCATTER_INDEX), 2.5),
        S(T(3, 4), dim=0, index=_idx(values=[[2, 0, 1, 1]]), value=-1.0),
        S(T(4, 3, layout="transposed"), 1, _idx(values=[[0], [2], [1], [0]]), T(4, 1)),
        S(T(3, 4), 1, _idx(3, 0), T(3, 0)),
    ], dtypes=ALL, inplace="scatter_",
        note="reduce='add'/'multiply' have no derivative in PyTorch; tests/ops/test_index.py "
             "compares their values"),
    OpInfo("scatter_add", ops.scatter_add, [
        S(T(3, 4), 1, _idx(3, 3, high=4), T(3, 3)), S(T(3, 4), 0, _idx(3, 4, high=3), T(3, 4)),
        S(T(5), 0, _idx(6, high=5), T(6)), S(T(2, 3, 2), 2, _idx(2, 1, 3, high=2), T(2, 1, 3)),
        S(T(3, 4), dim=-1, index=_idx(2, 2, high=4), src=T(2, 2)),
        S(T(4, 3, layout="transposed"), 0, _idx(3, 3, high=4), T(3, 3)),
        S(T(3, 4), 1, _idx(3, 0), T(3, 0)),
    ], dtypes=ALL, inplace="scatter_add_"),
    OpInfo("index_select", ops.index_select, [
        S(T(2, 4), 0, _idx(3, high=2)), S(T(2, 4), 1, _idx(5, high=4)),
        S(T(2, 4), -1, _idx(values=2)), S(T(2, 4), dim=0, index=_idx(0)),
        S(T(4, 3, layout="transposed"), 1, _idx(2, high=3)), S(T(), 0, _idx(1, high=1)),
        S(T(2, 3, 2), 1, _idx(4, high=3)),
    ], dtypes=ALL),
    OpInfo("index_add", ops.index_add, [
        S(T(5, 3), 0, _idx(4, high=5), T(4, 3)), S(T(3, 4), 1, _idx(3, high=4), T(3, 3), alpha=2),
        S(T(5), 0, _idx(6, high=5), T(6)), S(T(3, 4), dim=-1, index=_idx(2, high=4), source=T(3, 2)),
        S(T(4, 3, layout="transposed"), 0, _idx(2, high=4), T(2, 3)), S(T(3, 4), 0, _idx(0), T(0, 4)),
    ], dtypes=ALL, inplace="index_add_"),
    OpInfo("index_put", ops.index_put, [
        S(T(3, 4), (_idx(values=[0, 2]),), T(2, 4)), S(T(3, 4), (_idx(values=[0, 2]),), T(4)),
        S(T(3, 4), (_idx(3, high=3), _idx(3, high=4)), T(3), accumulate=True),
        S(T(3, 4), (_idx(values=[[0], [2]]), _idx(values=[1, 3])), T()),
        S(T(3, 4), [_idx(values=[2, 2, 2])], T(1, 4), True),
        S(T(3, 4), indices=(_mask(3, 4),), values=T(), accumulate=False),
        S(T(4, 3, layout="transposed"), (_idx(values=[3, 0]),), T(3)),
        S(T(3, 4), (_idx(0),), T(0, 4)),
    ], dtypes=ALL, inplace="index_put_"),
    OpInfo("masked_fill", ops.masked_fill, [
        S(T(2, 3, 4), _mask(2, 3, 4), -2.5), S(T(2, 3, 4), _mask(3, 4), 1), S(T(2, 3, 4), _mask(4), 0.5),
        S(T(3, 4), _mask(3, 1), T()), S(T(3, 4), mask=_mask(), value=2.0),
        S(T(4, 3, layout="transposed"), _mask(4, 3), 0.0), S(T(0, 3), _mask(3), 1.0), S(T(), _mask(), 3),
    ], dtypes=ALL, inplace="masked_fill_"),
    OpInfo("masked_select", ops.masked_select, [
        S(T(2, 3), _mask(2, 3)), S(T(2, 3), _mask(3)), S(T(3), _mask(2, 3)), S(T(2, 3), _mask()),
        S(T(0, 3), _mask(3)), S(T(4, 3, layout="transposed"), _mask(4, 3)),
        S(T(2, 3), mask=_mask(2, 1)),
    ], dtypes=ALL),
    OpInfo("take_along_dim", ops.take_along_dim, [
        S(T(3, 4), _idx(3, 2, high=4), 1), S(T(3, 4), _idx(1, 4, high=3), 0),
        S(T(3, 4), _idx(3, 1, low=-4, high=4), dim=1), S(T(3, 4), _idx(6, high=12)),
        S(T(3, 4), _idx(2, 2, high=12), None), S(T(2, 3, 4), _idx(2, 1, 1, high=3), 1),
        S(T(4, 3, layout="transposed"), _idx(2, 3, high=4), 0), S(T(3, 4), _idx(3, 0), 1),
    ], dtypes=ALL),
]
