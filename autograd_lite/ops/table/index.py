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
    ], dtypes=ALL,
    doc="Values picked along `dim` by `index`: `out[i][j] = input[index[i][j]][j]` for dim 0. "
        "`index` is an integer tensor with `input`'s number of dims and no larger than `input` in "
        "the other dims; the output has its shape. Out-of-range indices (negative ones too, as in "
        "PyTorch) raise IndexError. The gradient is scatter-added back; `sparse_grad` is accepted "
        "and ignored."),
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
             "compares their values",
             doc="A copy of `input` with `src` written at the positions `index` names along "
                 "`dim`. `src` is a tensor, or the number `value`; the indexing is `gather`'s, "
                 "reversed. `reduce='add'` adds (as `scatter_add`); `reduce='multiply'` "
                 "multiplies, without a gradient (as in PyTorch)."),
    OpInfo("scatter_add", ops.scatter_add, [
        S(T(3, 4), 1, _idx(3, 3, high=4), T(3, 3)), S(T(3, 4), 0, _idx(3, 4, high=3), T(3, 4)),
        S(T(5), 0, _idx(6, high=5), T(6)), S(T(2, 3, 2), 2, _idx(2, 1, 3, high=2), T(2, 1, 3)),
        S(T(3, 4), dim=-1, index=_idx(2, 2, high=4), src=T(2, 2)),
        S(T(4, 3, layout="transposed"), 0, _idx(3, 3, high=4), T(3, 3)),
        S(T(3, 4), 1, _idx(3, 0), T(3, 0)),
    ], dtypes=ALL, inplace="scatter_add_",
    doc="A copy of `input` with `src` added at the positions `index` names along `dim` "
        "(`gather`'s indexing, reversed); repeated indices accumulate."),
    OpInfo("index_select", ops.index_select, [
        S(T(2, 4), 0, _idx(3, high=2)), S(T(2, 4), 1, _idx(5, high=4)),
        S(T(2, 4), -1, _idx(values=2)), S(T(2, 4), dim=0, index=_idx(0)),
        S(T(4, 3, layout="transposed"), 1, _idx(2, high=3)), S(T(), 0, _idx(1, high=1)),
        S(T(2, 3, 2), 1, _idx(4, high=3)),
    ], dtypes=ALL,
    doc="The entries of `input` at positions `index` (a 1-D integer tensor) along `dim`. Indices "
        "out of range, negative ones included (as in PyTorch), raise IndexError. Gradients of "
        "repeated indices accumulate."),
    OpInfo("index_add", ops.index_add, [
        S(T(5, 3), 0, _idx(4, high=5), T(4, 3)), S(T(3, 4), 1, _idx(3, high=4), T(3, 3), alpha=2),
        S(T(5), 0, _idx(6, high=5), T(6)), S(T(3, 4), dim=-1, index=_idx(2, high=4), source=T(3, 2)),
        S(T(4, 3, layout="transposed"), 0, _idx(2, high=4), T(2, 3)), S(T(3, 4), 0, _idx(0), T(0, 4)),
    ], dtypes=ALL, inplace="index_add_",
    doc="A copy of `input` with `alpha * source` added at positions `index` along `dim`; repeated "
        "indices accumulate."),
    OpInfo("index_put", ops.index_put, [
        S(T(3, 4), (_idx(values=[0, 2]),), T(2, 4)), S(T(3, 4), (_idx(values=[0, 2]),), T(4)),
        S(T(3, 4), (_idx(3, high=3), _idx(3, high=4)), T(3), accumulate=True),
        S(T(3, 4), (_idx(values=[[0], [2]]), _idx(values=[1, 3])), T()),
        S(T(3, 4), [_idx(values=[2, 2, 2])], T(1, 4), True),
        S(T(3, 4), indices=(_mask(3, 4),), values=T(), accumulate=False),
        S(T(4, 3, layout="transposed"), (_idx(values=[3, 0]),), T(3)),
        S(T(3, 4), (_idx(0),), T(0, 4)),
    ], dtypes=ALL, inplace="index_put_",
    doc="Out-of-place `input[indices] = values`, `indices` a tuple of index tensors; with "
        "`accumulate=True` the values are added, and repeated indices accumulate."),
    OpInfo("masked_fill", ops.masked_fill, [
        S(T(2, 3, 4), _mask(2, 3, 4), -2.5), S(T(2, 3, 4), _mask(3, 4), 1), S(T(2, 3, 4), _mask(4), 0.5),
        S(T(3, 4), _mask(3, 1), T()), S(T(3, 4), mask=_mask(), value=2.0),
        S(T(4, 3, layout="transposed"), _mask(4, 3), 0.0), S(T(0, 3), _mask(3), 1.0), S(T(), _mask(), 3),
    ], dtypes=ALL, inplace="masked_fill_",
    doc="A copy of `input` with `value` (a number, or a 0-d tensor that then gets a gradient) "
        "where `mask` is True. `mask` must be a bool tensor (TypeError otherwise) that broadcasts "
        "to `input`'s shape (ShapeError otherwise; PyTorch's out-of-place form would broadcast "
        "`input` to a larger mask)."),
    OpInfo("masked_select", ops.masked_select, [
        S(T(2, 3), _mask(2, 3)), S(T(2, 3), _mask(3)), S(T(3), _mask(2, 3)), S(T(2, 3), _mask()),
        S(T(0, 3), _mask(3)), S(T(4, 3, layout="transposed"), _mask(4, 3)),
        S(T(2, 3), mask=_mask(2, 1)),
    ], dtypes=ALL,
    doc="The elements of `input` where the bool `mask` is True (the two broadcast), as a 1-D "
        "tensor."),
    OpInfo("take_along_dim", ops.take_along_dim, [
        S(T(3, 4), _idx(3, 2, high=4), 1), S(T(3, 4), _idx(1, 4, high=3), 0),
        S(T(3, 4), _idx(3, 1, low=-4, high=4), dim=1), S(T(3, 4), _idx(6, high=12)),
        S(T(3, 4), _idx(2, 2, high=12), None), S(T(2, 3, 4), _idx(2, 1, 1, high=3), 1),
        S(T(4, 3, layout="transposed"), _idx(2, 3, high=4), 0), S(T(3, 4), _idx(3, 0), 1),
    ], dtypes=ALL,
    doc="Values picked along `dim` by `indices`, as `gather` but with the other dims broadcast "
        "and negative indices counting from the end; without `dim`, indices into the flattened "
        "tensor."),
]
