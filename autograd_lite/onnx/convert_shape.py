"""Converters of the shape and indexing ops (keyed by Op class name), until their
families are in the op table. Shape-dependent attributes are written so that the
dynamic axes stay dynamic: a dim that differs between the two traces becomes 0
(copy), -1, 1 (keep, for Expand), a bound counted from the end, or a Shape op (see
Builder.reshape_target)."""
import numpy as np

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


# ---- reshape family ---------------------------------------------------------------------------
def convert_reshape(b, node, inputs):
    x = inputs[0]
    in_a, out_a = b.in_shape(0), b.out_shape()
    if in_a == out_a and b.in_shape(0, twin=True) == b.out_shape(twin=True):
        return x
    return b.op("Reshape", [x, b.reshape_target(x)])


def convert_permute(b, node, inputs):
    return b.op("Transpose", [inputs[0]], perm=[int(d) for d in node.dims])


def convert_expand(b, node, inputs):
    in_a, out_a = b.in_shape(0), b.out_shape()
    in_b, out_b = b.in_shape(0, twin=True), b.out_shape(twin=True)
    lead = len(out_a) - len(in_a)
    pieces, dynamic = [], False
    for i, n in enumerate(out_a):
        nb = out_b[i] if out_b is not None else n
        j = i - lead
        if j >= 0 and in_a[j] == n and (in_b is None or in_b[j] == nb):
            pieces.append(1)  # Expand broadcasts both ways: 1 keeps the input's size
        elif n == nb:
            pieces.append(int(n))
        else:
            pieces.append(b.dim_from_inputs(n, nb, "Expand"))
            dynamic = True
    if not dynamic:
        return b.op("Expand", [inputs[0], b.ints(pieces)])
    parts = [p if isinstance(p, str) else b.ints([p]) for p in pieces]
    return b.op("Expand", [inputs[0], b.op("Concat", parts, axis=0)])


def convert_sum_to(b, node, inputs):
    in_a, out_a = b.in_shape(0), b.out_shape()
    lead = len(in_a) - len(out_a)
    axes = list(range(lead)) + [i + lead for i, s in enumerate(out_a) if s == 1 and in_a[i + lead] != 1]
    twin_in, twin_out = b.in_shape(0, twin=True), b.out_shape(twin=True)
    if twin_in is not None:
        axes_b = list(range(lead)) + [i + lead for i, s in enumerate(twin_out) if s == 1 and twin_in[i + lead] != 1]
        b.same_in_both("summed axes", axes, axes_b)
    if not axes:
        return inputs[0]
    y = b.reduce("ReduceSum", inputs[0], axes, keepdims=True)
    return b.squeeze(y, list(range(lead))) if lead else y


def convert_flip(b, node, inputs):
    k = len(node.dims)
    return b.op("Slice", [inputs[0], b.ints([-1] * k), b.ints([INT64_MIN] * k), b.ints(node.dims),
                          b.ints([-1] * k)])


def convert_roll(b, node, inputs):
    x = inputs[0]
    shifts, dims = node.shifts, node.dims
    shape = b.in_shape(0)
    if dims is None:
        flat = b.op("Reshape", [x, b.ints([-1])])
        rolled = _roll_axis(b, flat, int(shifts), int(np.prod(shape, dtype=np.int64)), 0)
        return b.op("Reshape", [rolled, b.op("Shape", [x])])
    for s, d in zip(shifts, dims):
        x = _roll_axis(b, x, int(s), shape[d], d)
    return x


def _roll_axis(b, x, shift, n, axis):
    if n == 0 or shift % n == 0:
        return x
    shift %= n
    tail = b.op("Slice", [x, b.ints([-shift]), b.ints([INT64_MAX]), b.ints([axis])])
    head = b.op("Slice", [x, b.ints([0]), b.ints([-shift]), b.ints([axis])])
    return b.op("Concat", [tail, head], axis=axis)


def convert_repeat(b, node, inputs):
    x = inputs[0]
    extra = len(node.sizes) - len(node.in_shape)
    if extra:
        x = b.unsqueeze(x, list(range(extra)))
    return b.op("Tile", [x, b.ints(node.sizes)])


def convert_cat(b, node, inputs):
    parts = [inputs[i] for i, size in enumerate(node.sizes) if size is not None]
    if len(parts) == 1:
        return parts[0]
    return b.op("Concat", parts, axis=int(node.dim))


def convert_split(b, node, inputs):
    sizes = list(inputs.arg(1))
    b.same_in_both("split sizes", sizes, list(b.twin.args[1]) if b.twin is not None else sizes)
    return b.split(inputs[0], sizes, int(node.dim))


def convert_unbind(b, node, inputs):
    n = b.in_shape(0)[node.dim]
    b.same_in_both("numbers of pieces", n, b.in_shape(0, twin=True)[node.dim] if b.twin else n)
    return tuple(b.squeeze(p, [node.dim]) for p in b.split(inputs[0], [1] * n, int(node.dim)))


# ---- indexing ------------------------------------------------------------------------------------
def convert_index(b, node, inputs):
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


def convert_index_put(b, node, inputs):
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


CONVERTERS = {
    "Reshape": convert_reshape,
    "Permute": convert_permute,
    "Expand": convert_expand,
    "SumTo": convert_sum_to,
    "Flip": convert_flip,
    "Roll": convert_roll,
    "Repeat": convert_repeat,
    "Cat": convert_cat,
    "Split": convert_split,
    "Unbind": convert_unbind,
    "Index": convert_index,
    "IndexPut": convert_index_put,
    "ScatterMultiply": convert_scatter_multiply,
}
