"""Table entries of the indexing ops (ops/index.py), `t[key]` among them (one_hot is
in table/embedding.py). Index tensors are int64 (`_idx`); where PyTorch's result
depends on which of several writes to one position wins (scatter, index_put without
accumulate), the indices are fixed and have no repeats."""
import numpy as np

from .. import index as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T, onnx_op

ALL = FLOATS + BF16 + INTS + ("bool",)


def _idx(*shape, high=None, low=0, values=None):
    """An int64 index tensor: random in [low, high), or the given `values`."""
    return T(*shape, kind="index", low=low, high=high if high is not None else 1, values=values)


def _mask(*shape):
    return T(*shape, kind="bool")


_SCATTER_INDEX = [[0, 3], [1, 2], [3, 0]]  # (3, 2) positions along dim 1 of a (3, 4) tensor


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
INT64_MAX = np.iinfo(np.int64).max


def onnx_index(b, node, inputs):
    """t[key]: Slice/Gather/Unsqueeze for basic keys (bounds that stay dynamic), Gather,
    GatherElements or GatherND for index arrays (constants: both traces must agree).
    Shared with narrow's entry."""
    key, twin_key = node.key, b.twin_attr("key", node.key)
    if node.advanced:
        b.same_in_both("index arrays", _arrays(key), _arrays(twin_key))
        return _advanced_index(b, inputs[0], key, b.in_shape(0))
    return _basic_index(b, inputs[0], key, twin_key, b.in_shape(0), b.in_shape(0, twin=True))


def _arrays(key):
    return [k for k in key if isinstance(k, np.ndarray)]


def _dims_used(k):
    if k is None or k is Ellipsis:
        return 0
    return k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1


def _expand_ellipsis(key, ndim):
    """`key` with `...` (and the missing trailing dims) as full slices."""
    used = sum(_dims_used(k) for k in key)
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
            used = ndim
        else:
            out.append(k)
    return out + [slice(None)] * (ndim - sum(_dims_used(k) for k in out))


def _basic_index(b, x, key, twin_key, shape, twin_shape):
    key = _expand_ellipsis(key, len(shape))
    twin_key = _expand_ellipsis(twin_key, len(shape)) if twin_shape is not None else key
    twin_shape = twin_shape or shape
    starts, ends, axes, steps, ints, nones = [], [], [], [], [], []
    d = out_pos = 0
    for k, kb in zip(key, twin_key):
        if k is None:
            nones.append(out_pos)
            out_pos += 1
            continue
        n, nb = shape[d], twin_shape[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            start_b, stop_b, step_b = kb.indices(nb)
            if (start, stop, step) != (0, n, 1) or (start_b, stop_b, step_b) != (0, nb, 1):
                b.same_in_both("slice steps", step, step_b)
                starts.append(b.slice_bound(start, start_b, n, nb, is_stop=False))
                ends.append(b.slice_bound(stop, stop_b, n, nb, is_stop=True))
                axes.append(d)
                steps.append(step)
            out_pos += 1
        else:
            ints.append((d, b.slice_bound(k % n if n else k, kb % nb if nb else kb, n, nb, is_stop=False)))
        d += 1
    if axes:
        x = b.op("Slice", [x, _bounds(b, starts), _bounds(b, ends), b.ints(axes), b.ints(steps)])
    for axis, i in sorted(ints, reverse=True):
        index = b.squeeze(i, [0]) if isinstance(i, str) else b.const(np.asarray(i, np.int64))
        x = b.op("Gather", [x, index], axis=axis)
    if nones:
        x = b.unsqueeze(x, nones)
    return x


def _bounds(b, values):
    """Slice starts/ends: constants, or a Concat when one is read from a Shape."""
    if not any(isinstance(v, str) for v in values):
        return b.ints(values)
    return b.op("Concat", [v if isinstance(v, str) else b.ints([v]) for v in values], axis=0)


def _advanced_index(b, x, key, shape):
    """Integer/bool array indices (with full slices elsewhere) as Gather, GatherElements
    or GatherND."""
    if any(k is None for k in key):
        raise b.error("indexing that mixes None with index arrays has no ONNX mapping")
    key = _expand_ellipsis(list(key), len(shape))
    if any(isinstance(k, slice) and k != slice(None) for k in key):  # slice first, then index
        basic = [k if isinstance(k, slice) else slice(None) for k in key]
        x = _basic_index(b, x, basic, basic, shape, shape)
        shape = tuple(len(range(*k.indices(n))) for k, n in zip(basic, shape)) + tuple(shape[len(basic):])
        key = [slice(None) if isinstance(k, slice) else k for k in key]
    arrays, d = [], 0  # (input dim, integer index array)
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:  # a constant mask: its true positions
            arrays.extend((d + j, a) for j, a in enumerate(np.nonzero(k)))
        elif not isinstance(k, slice):
            arrays.append((d, np.asarray(k)))
        d += _dims_used(k)
    along = _gather_axis(key, shape)
    if along is not None:
        return b.op("GatherElements", [x, b.const(key[along].astype(np.int64))], axis=along)
    if len(arrays) == 1:
        d, idx = arrays[0]
        return b.op("Gather", [x, b.const(idx.astype(np.int64))], axis=d)
    dims = [d for d, _ in arrays]
    idx = np.stack(np.broadcast_arrays(*[a.astype(np.int64) for _, a in arrays]), axis=-1)
    rest = [d for d in range(len(shape)) if d not in dims]
    if dims != list(range(len(dims))):
        x = b.op("Transpose", [x], perm=dims + rest)
    y = b.op("GatherND", [x, b.const(idx)])
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    p, nb = dims[0], idx.ndim - 1
    if adjacent and p > 0:  # NumPy keeps adjacent index dims where they were
        y = b.op("Transpose", [y], perm=list(range(nb, nb + p)) + list(range(nb)) +
                 list(range(nb + p, nb + len(rest))))
    return y


def _gather_axis(key, shape):
    """The axis of a gather key (`ops.index._along_key`: one index array, and aranges
    picking the identity along every other dim), else None."""
    if len(key) != len(shape) or not all(isinstance(k, np.ndarray) and k.ndim == len(shape) for k in key):
        return None
    candidates = []
    for d, k in enumerate(key):
        expected = [1] * len(shape)
        expected[d] = k.shape[d]
        if not (k.shape == tuple(expected) and np.array_equal(k.reshape(-1), np.arange(k.shape[d]))):
            candidates.append(d)
    return candidates[0] if len(candidates) == 1 else None


def _index_put_onnx(b, node, inputs):
    """Out-of-place `x[key] = v` (or `+=` with accumulate)."""
    return _scatter(b, node, inputs, "add" if node.accumulate else None)


def convert_scatter_multiply(b, node, inputs):
    """scatter(reduce="multiply"): each position times every value sent to it."""
    return _scatter(b, node, inputs, "mul", key=inputs.arg(2))


def _scatter(b, node, inputs, reduction, key=None):
    """A ScatterND on the flattened tensor at the positions the key picks (known from
    the static shape); without a reduction the last write to a position wins, as NumPy."""
    key = node.key if key is None else key
    twin_key = key if b.twin is None else (b.twin.node.key if reduction != "mul" else b.twin.args[2])
    shape = b.in_shape(0)
    b.same_in_both("indexed tensor's shapes", shape, b.in_shape(0, twin=True))
    b.same_in_both("index values", list(key), list(twin_key))
    target = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)[key]
    flat_idx = np.asarray(target).reshape(-1)
    v = inputs[1]
    v_shape = b.in_shape(1)
    if len(v_shape) > np.ndim(target):
        v = b.op("Reshape", [v, b.ints(v_shape[len(v_shape) - np.ndim(target):])])
    updates = b.op("Reshape", [b.op("Expand", [v, b.ints(np.shape(target))]), b.ints([-1])])
    if reduction is None:  # keep each position's last update only
        _, first_from_end = np.unique(flat_idx[::-1], return_index=True)
        keep = np.sort(len(flat_idx) - 1 - first_from_end)
        if len(keep) != len(flat_idx):
            updates = b.op("Gather", [updates, b.const(keep)], axis=0)
            flat_idx = flat_idx[keep]
    flat = b.op("Reshape", [inputs[0], b.ints([-1])])
    scattered = b.op("ScatterND", [flat, b.const(flat_idx.reshape(-1, 1)), updates], reduction=reduction)
    return b.op("Reshape", [scattered, b.ints(shape)])


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
    ], namespace="Tensor", dtypes=ALL, onnx={"Index": onnx_index}),
    OpInfo("gather", ops.gather, [
        S(T(3, 4), 1, _idx(3, 2, high=4)), S(T(3, 4), 0, _idx(2, 4, high=3)),
        S(T(3, 4), -1, _idx(2, 1, high=4)), S(T(4), 0, _idx(6, high=4)),
        S(T(2, 3, 2), 1, _idx(2, 4, 2, high=3)), S(T(3, 4), 1, _idx(3, 0)),
        S(T(3, 4), dim=1, index=_idx(3, 5, high=4), sparse_grad=False),
        S(T(4, 3, layout="transposed"), 0, _idx(2, 3, high=4)), S(T(), 0, _idx(values=0)),
    ], dtypes=ALL, onnx={"Index": onnx_index},
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
             "compares their values", onnx={"IndexPut": _index_put_onnx, "ScatterMultiply": convert_scatter_multiply},
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
    ], dtypes=ALL, inplace="scatter_add_", onnx={"IndexPut": _index_put_onnx},
    doc="A copy of `input` with `src` added at the positions `index` names along `dim` "
        "(`gather`'s indexing, reversed); repeated indices accumulate."),
    OpInfo("index_select", ops.index_select, [
        S(T(2, 4), 0, _idx(3, high=2)), S(T(2, 4), 1, _idx(5, high=4)),
        S(T(2, 4), -1, _idx(values=2)), S(T(2, 4), dim=0, index=_idx(0)),
        S(T(4, 3, layout="transposed"), 1, _idx(2, high=3)), S(T(), 0, _idx(1, high=1)),
        S(T(2, 3, 2), 1, _idx(4, high=3)),
    ], dtypes=ALL, onnx={"Index": onnx_index},
    doc="The entries of `input` at positions `index` (a 1-D integer tensor) along `dim`. Indices "
        "out of range, negative ones included (as in PyTorch), raise IndexError. Gradients of "
        "repeated indices accumulate."),
    OpInfo("index_add", ops.index_add, [
        S(T(5, 3), 0, _idx(4, high=5), T(4, 3)), S(T(3, 4), 1, _idx(3, high=4), T(3, 3), alpha=2),
        S(T(5), 0, _idx(6, high=5), T(6)), S(T(3, 4), dim=-1, index=_idx(2, high=4), source=T(3, 2)),
        S(T(4, 3, layout="transposed"), 0, _idx(2, high=4), T(2, 3)), S(T(3, 4), 0, _idx(0), T(0, 4)),
    ], dtypes=ALL, inplace="index_add_", onnx={"IndexPut": _index_put_onnx},
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
    ], dtypes=ALL, inplace="index_put_", onnx={"IndexPut": _index_put_onnx},
    doc="Out-of-place `input[indices] = values`, `indices` a tuple of index tensors; with "
        "`accumulate=True` the values are added, and repeated indices accumulate."),
    OpInfo("masked_fill", ops.masked_fill, [
        S(T(2, 3, 4), _mask(2, 3, 4), -2.5), S(T(2, 3, 4), _mask(3, 4), 1), S(T(2, 3, 4), _mask(4), 0.5),
        S(T(3, 4), _mask(3, 1), T()), S(T(3, 4), mask=_mask(), value=2.0),
        S(T(4, 3, layout="transposed"), _mask(4, 3), 0.0), S(T(0, 3), _mask(3), 1.0), S(T(), _mask(), 3),
    ], dtypes=ALL, inplace="masked_fill_", onnx={"Where": onnx_op("Where")},
    doc="A copy of `input` with `value` (a number, or a 0-d tensor that then gets a gradient) "
        "where `mask` is True. `mask` must be a bool tensor (TypeError otherwise) that broadcasts "
        "to `input`'s shape (ShapeError otherwise; PyTorch's out-of-place form would broadcast "
        "`input` to a larger mask)."),
    OpInfo("masked_select", ops.masked_select, [
        S(T(2, 3), _mask(2, 3)), S(T(2, 3), _mask(3)), S(T(3), _mask(2, 3)), S(T(2, 3), _mask()),
        S(T(0, 3), _mask(3)), S(T(4, 3, layout="transposed"), _mask(4, 3)),
        S(T(2, 3), mask=_mask(2, 1)),
    ], dtypes=ALL, onnx={"Index": onnx_index},
    doc="The elements of `input` where the bool `mask` is True (the two broadcast), as a 1-D "
        "tensor."),
    OpInfo("take_along_dim", ops.take_along_dim, [
        S(T(3, 4), _idx(3, 2, high=4), 1), S(T(3, 4), _idx(1, 4, high=3), 0),
        S(T(3, 4), _idx(3, 1, low=-4, high=4), dim=1), S(T(3, 4), _idx(6, high=12)),
        S(T(3, 4), _idx(2, 2, high=12), None), S(T(2, 3, 4), _idx(2, 1, 1, high=3), 1),
        S(T(4, 3, layout="transposed"), _idx(2, 3, high=4), 0), S(T(3, 4), _idx(3, 0), 1),
    ], dtypes=ALL, onnx={"Index": onnx_index},
    doc="Values picked along `dim` by `indices`, as `gather` but with the other dims broadcast "
        "and negative indices counting from the end; without `dim`, indices into the flattened "
        "tensor."),
]
