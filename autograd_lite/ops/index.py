"""Indexing: `t[key]` (ints, slices, None, ..., integer and bool index tensors),
setitem, gather/scatter, index_select, masked_fill/masked_select, take_along_dim.

Gradients of advanced indexing scatter-add (repeated indices accumulate) through
one helper, `kernels.scatter.scatter_add`.

The ops keep their index arrays (which share memory with the index tensors) in the
key; the index tensors themselves are passed as extra trailing inputs (`*kept`) and
saved, so backward raises when one of them was changed in place after the forward,
as PyTorch does, instead of scattering into the wrong places."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, check_dim, const
from .elementwise import where
from .shape import expand, reshape, sum_to


# ---- keys ---------------------------------------------------------------------------------
def _index_array(x, op):
    a = x._data if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind == "b":
        return a
    if a.dtype.kind in "iu":
        return a.astype(np.intp, copy=False)
    if a.size == 0:
        return a.astype(np.intp)
    raise IndexError(
        f"{op}: tensors used as indices must be long, int or bool tensors, got {a.dtype}"
    )


def kept_tensors(*indices):
    """The Tensors among index arguments (a key's items, an index argument) whose arrays
    an op keeps: passed to the op as its trailing inputs, they are saved with their
    versions. 0-d integer tensors become plain ints, so they are not kept."""
    kept = ()
    for k in indices:
        if isinstance(k, Tensor) and (k._data.ndim or k._data.dtype.kind == "b"):
            kept += (k,)
    return kept


def _save_kept(ctx, first, kept):
    """In forward: save the trailing inputs from position `first` on (the index tensors)."""
    if kept:
        ctx.mark_saved(*range(first, first + len(kept)))


def _checked_kept(ctx):
    """In backward: the kept index tensors, raising if any changed in place since forward."""
    return ctx.saved_tensors if ctx.save_inputs else ()


def normalize_key(key, op="index", ndim=None):
    """Turn a user's key into a NumPy key; also say whether it is advanced. With the
    tensor's `ndim`, a `...` that stands for no dims is dropped (PyTorch ignores it;
    NumPy would count it as separating the advanced indices around it)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    advanced = False
    for k in key:
        if isinstance(k, (Tensor, np.ndarray, list, range)):  # a range is a list of ints, as in torch
            a = _index_array(k, op)
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))  # a 0-d integer tensor indexes like an int, as in PyTorch
                continue
            advanced = True
            out.append(a)
        elif isinstance(k, (bool, np.bool_)):
            out.append(np.asarray(k))
            advanced = True
        elif isinstance(k, slice):
            if k.step is not None and k.step.__index__() <= 0:
                raise ValueError(f"{op}: step must be greater than zero, got {k.step}")
            out.append(k)
        elif k is None or k is Ellipsis:
            out.append(k)
        else:
            try:
                out.append(k.__index__())
            except (AttributeError, TypeError):
                raise IndexError(
                    f"{op}: only integers, slices, None, ..., and integer or bool tensors are "
                    f"valid indices, got {type(k).__name__}"
                ) from None
    if advanced and ndim is not None and any(k is Ellipsis for k in out):
        used = sum(k.ndim if isinstance(k, np.ndarray) and k.dtype.kind == "b" else 1
                   for k in out if k is not None and k is not Ellipsis)
        if used == ndim:
            out = [k for k in out if k is not Ellipsis]
    return tuple(out), advanced


def split_key(key):
    """PyTorch applies integer indices before the advanced ones (an int just drops its
    dim); NumPy counts them as advanced indices, which moves the result's dims when the
    key separates them (`x[0, :, [1, 2]]`). A key with both is split into a basic key
    and an advanced rest with PyTorch's meaning: `x[key]` is `x[basic][rest]`.
    Returns None when there is nothing to split."""
    if not any(type(k) is int for k in key) or not any(
            isinstance(k, np.ndarray) and k.ndim for k in key):
        return None
    basic, rest = [], []
    for k in key:
        if type(k) is int:
            basic.append(k)
        elif isinstance(k, np.ndarray):
            basic.extend([slice(None)] * (k.ndim if k.dtype.kind == "b" else 1))
            rest.append(k)
        elif k is None:
            basic.append(None)
            rest.append(slice(None))
        else:  # a slice or ...
            basic.append(k)
            rest.append(slice(None) if isinstance(k, slice) else k)
    return tuple(basic), tuple(rest)


def put(x, v, key, kept=()):
    """Out-of-place, differentiable `x[key] = v` (PyTorch's key semantics); `kept`: the
    index tensors of the key (see kept_tensors)."""
    split = split_key(key)
    if split is None:
        return IndexPut.apply(x, v, key, False, *kept)
    basic, rest = split
    inner = IndexPut.apply(Index.apply(x, basic, False), v, rest, False, *kept)
    return IndexPut.apply(x, inner, basic, False)


def assign(array, key, value):
    """In-place `array[key] = value` (PyTorch's key semantics)."""
    split = split_key(key)
    if split is None:
        array[key] = value
    else:
        array[split[0]][split[1]] = value


def _check_key(x, key, op):
    try:
        return x[key]
    except IndexError as e:
        raise IndexError(f"{op}: {e} (tensor shape {x.shape})") from None
    except ValueError as e:
        raise IndexError(f"{op}: {e} (tensor shape {x.shape})") from None


# ---- ops ------------------------------------------------------------------------------------
class Index(Op):
    """x[key]; `kept`: the index tensors whose arrays are in the key (saved)."""

    def forward(ctx, x, key, advanced, *kept):
        ctx.in_shape, ctx.dtype, ctx.key, ctx.advanced = x.shape, x.dtype, key, advanced
        ctx.order = None if x.flags.c_contiguous else memory_order(x)
        if not advanced:
            ctx.mark_view()  # basic indexing returns a view, as in PyTorch
        _save_kept(ctx, 3, kept)
        out = _check_key(x, key, "index")
        if not advanced and not isinstance(out, np.ndarray):
            # NumPy gives a scalar for a single element; a trailing ... gives a 0-d view
            out = x[key + (Ellipsis,)]
        return out

    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.key, ctx.advanced, ctx.in_shape, ctx.order, *_checked_kept(ctx))


def memory_order(x):
    """The axes of `x` from the largest stride to the smallest: x.transpose(order) is
    laid out as a C array would be (None when that is the axes' own order)."""
    order = tuple(sorted(range(x.ndim), key=lambda i: -abs(x.strides[i])))
    return None if order == tuple(range(x.ndim)) else order


def zeros_in_order(shape, dtype, order):
    """Zeros of `shape` laid out in memory as an array whose memory_order is `order`."""
    if order is None:
        return np.zeros(shape, dtype)
    inverse = np.argsort(order)
    return np.zeros(tuple(shape[i] for i in order), dtype).transpose(inverse)


class IndexGrad(Op):
    """Scatter a gradient back into zeros of the indexed tensor's shape, laid out as that
    tensor was (PyTorch's rule for gradients' strides): the gradient of `y.transpose(0, 1)[:, -1]`
    then reaches y in C order, and a consumer that needs C order (a recurrent layer's
    backward) doesn't copy it."""

    def forward(ctx, g, key, advanced, shape, order=None, *kept):
        ctx.key, ctx.advanced = key, advanced
        _save_kept(ctx, 5, kept)
        out = zeros_in_order(shape, g.dtype, None if advanced else order)  # the scatter kernel writes C order
        if advanced:
            kernels.scatter.scatter_add(out, key, g)
        else:
            out[key] = g
        return out

    def backward(ctx, gg):
        return Index.apply(gg, ctx.key, ctx.advanced, *_checked_kept(ctx))


class IndexPut(Op):
    """Out-of-place `x[key] = v` (the differentiable form of setitem)."""

    def forward(ctx, x, v, key, accumulate, *kept):
        ctx.key, ctx.accumulate = key, accumulate
        _save_kept(ctx, 4, kept)
        ctx.v_shape = getattr(v, "shape", ())
        y = x.copy()
        try:
            if accumulate:
                target = y[key].shape
                if np.ndim(v) > len(target):  # leading 1s beyond the indexed dims, as NumPy allows
                    v = np.reshape(v, np.shape(v)[np.ndim(v) - len(target):])
                kernels.scatter.scatter_add(y, key, np.broadcast_to(v, target))
            else:
                y[key] = v
        except IndexError as e:
            raise IndexError(f"index_put: {e} (tensor shape {x.shape}, value shape {ctx.v_shape})") from None
        except ValueError as e:  # the value doesn't broadcast to the indexed shape
            raise ShapeError(f"index_put: {e} (tensor shape {x.shape}, value shape {ctx.v_shape})") from None
        return y

    def backward(ctx, g):
        ex, ev = ctx.next_functions[:2]
        kept = _checked_kept(ctx)
        gx = gv = None
        if ex is not None:
            gx = g if ctx.accumulate else IndexPut.apply(g, g._data.dtype.type(0), ctx.key,
                                                         False, *kept)
        if ev is not None:
            gv = Index.apply(g, ctx.key, True, *kept)
            lead = len(ctx.v_shape) - gv._data.ndim
            if lead > 0:  # the value had leading 1s beyond the indexed dims
                gv = reshape(gv, (1,) * lead + gv._data.shape)
            gv = sum_to(gv, ctx.v_shape)
        return gx, gv


def index(input, key):
    """`input[key]`: differentiable getitem."""
    nkey, advanced = normalize_key(key, "index", input._data.ndim)
    if not advanced:
        return Index.apply(input, nkey, False)
    kept = kept_tensors(*key) if isinstance(key, tuple) else kept_tensors(key)
    split = split_key(nkey)
    if split is not None:
        try:
            return Index.apply(Index.apply(input, split[0], False), split[1], True, *kept)
        except IndexError as e:
            raise IndexError(f"{e}, after the integer indices of a key for a tensor of shape "
                             f"{input._data.shape}") from None
    return Index.apply(input, nkey, True, *kept)


getitem = index


def index_put(input, indices, values, accumulate=False):
    nkey, _ = normalize_key(tuple(indices), "index_put")
    values = as_tensor(values, "index_put")
    if values._data.dtype != input._data.dtype:
        values = values.to(input._data.dtype)
    return IndexPut.apply(input, values, nkey, accumulate, *kept_tensors(*indices))


# ---- gather / scatter -------------------------------------------------------------------
def _along_key(index, dim):
    """The full NumPy key that picks `index` along `dim` and the identity elsewhere."""
    nd = index.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            key.append(np.arange(index.shape[d]).reshape(shape))
    return tuple(key)


def _check_gather_index(input, dim, index, op, src=None):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got {idx.dtype}")
    nd = input._data.ndim
    d = check_dim(dim, nd, op)
    if idx.ndim != nd and not (nd == 0 and idx.ndim <= 1):
        raise ShapeError(
            f"{op}: index tensor must have the same number of dimensions as the input "
            f"({idx.ndim} vs {nd})"
        )
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > input._data.shape[k]:
            raise ShapeError(
                f"{op}: size of index {idx.shape} exceeds the input's {input._data.shape} in dim {k}"
            )
    if idx.size and nd:
        lo, hi = idx.min(), idx.max()
        n = input._data.shape[d]
        if lo < 0 or hi >= n:  # as in PyTorch, negative indices are out of bounds here
            raise IndexError(f"{op}: index {hi if hi >= n else lo} is out of bounds for dim {d} with size {n}")
    if src is not None and isinstance(src, Tensor):
        for k in range(idx.ndim):
            if idx.shape[k] > src._data.shape[k]:
                raise ShapeError(f"{op}: index {idx.shape} is larger than src {src._data.shape} in dim {k}")
    return idx.astype(np.intp, copy=False), d


def gather(input, dim, index, sparse_grad=False):
    input = as_tensor(input, "gather")
    idx, d = _check_gather_index(input, dim, index, "gather")
    if input._data.ndim == 0:
        return reshape(input, idx.shape)
    return Index.apply(input, _along_key(idx, d), True, *kept_tensors(index))


def _src_like_index(src, idx, dtype, op):
    if isinstance(src, Tensor):
        if src._data.dtype != dtype:
            src = src.to(dtype)
        if src._data.shape != idx.shape:
            src = index(src, tuple(slice(0, s) for s in idx.shape))
        return src
    return dtype.type(src)


class ScatterMultiply(Op):
    """scatter(reduce="multiply"): each position times every src value sent to it."""

    def forward(ctx, x, src, key):
        y = x.copy()
        np.multiply.at(y, key, src)
        return y

    def backward(ctx, g):
        raise RuntimeError("scatter: the derivative for reduce='multiply' is not implemented "
                           "(as in PyTorch)")


def scatter(input, dim, index, src=None, value=None, reduce=None):
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: expected src or value")
    if reduce == "add":
        return scatter_add(input, dim, index, src)
    if reduce is not None and reduce != "multiply":
        raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
    input = as_tensor(input, "scatter")
    idx, d = _check_gather_index(input, dim, index, "scatter", src)
    src = _src_like_index(src, idx, input._data.dtype, "scatter")
    if reduce == "multiply":
        return ScatterMultiply.apply(input, src, _along_key(idx, d))
    return IndexPut.apply(input, src, _along_key(idx, d), False, *kept_tensors(index))


def scatter_add(input, dim, index, src):
    input = as_tensor(input, "scatter_add")
    idx, d = _check_gather_index(input, dim, index, "scatter_add", src)
    src = _src_like_index(src, idx, input._data.dtype, "scatter_add")
    return IndexPut.apply(input, src, _along_key(idx, d), True, *kept_tensors(index))


def index_select(input, dim, index):
    input = as_tensor(input, "index_select")
    idx = _index_array(index, "index_select")
    if idx.ndim > 1 or idx.dtype.kind == "b":
        raise IndexError("index_select: index must be a 1-D integer tensor")
    d = check_dim(dim, input._data.ndim, "index_select")
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):  # negative indices too, as in PyTorch
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(
            f"index_select: index {bad} is out of range for dim {d} with size {n} "
            f"(tensor shape {input._data.shape})"
        )
    if input._data.ndim == 0:  # a 0-d input takes exactly one index, 0, and stays 0-d
        if idx.size != 1:
            raise IndexError(f"index_select: index to a 0-d tensor can have only 1 value, got "
                             f"{idx.size}")
        return reshape(Index.apply(reshape(input, (1,)), (idx.reshape(-1),), True,
                                   *kept_tensors(index)), ())
    return Index.apply(input, (slice(None),) * d + (idx.reshape(-1),), True, *kept_tensors(index))


def index_add(input, dim, index, source, alpha=1):
    input = as_tensor(input, "index_add")
    idx = _index_array(index, "index_add").reshape(-1)
    d = check_dim(dim, input._data.ndim, "index_add")
    source = as_tensor(source, "index_add")
    if alpha != 1:
        source = source * alpha
    return IndexPut.apply(input, source.to(input._data.dtype), (slice(None),) * d + (idx,), True,
                          *kept_tensors(index))


def take_along_dim(input, indices, dim=None):
    input = as_tensor(input, "take_along_dim")
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return Index.apply(reshape(input, (-1,)), (idx.reshape(-1),), True, *kept_tensors(indices))
    d = check_dim(dim, input._data.ndim, "take_along_dim")
    if idx.ndim != input._data.ndim:
        raise ShapeError(
            f"take_along_dim: input and indices should have the same number of dimensions, "
            f"but got {input._data.ndim} and {idx.ndim}"
        )
    xs = list(input._data.shape)
    js = list(idx.shape)
    xs[d] = js[d] = 1
    try:
        b = np.broadcast_shapes(tuple(xs), tuple(js))
    except ValueError:
        raise ShapeError(
            f"take_along_dim: input {input.shape} and indices {idx.shape} do not broadcast"
        ) from None
    x_target = list(b)
    x_target[d] = input._data.shape[d]
    i_target = list(b)
    i_target[d] = idx.shape[d]
    n = input._data.shape[d]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(
            f"take_along_dim: index {bad} is out of bounds for dim {d} with size {n} "
            f"(tensor shape {input._data.shape})"
        )
    idx = np.where(idx < 0, idx + n, idx)  # negative indices count from the end here
    x = expand(input, tuple(x_target))
    idx = np.broadcast_to(idx, tuple(i_target))
    return gather(x, d, idx)


def masked_fill(input, mask, value):
    input = as_tensor(input, "masked_fill")
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != _dtypes.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {m.dtype}")
    try:
        fits = np.broadcast_shapes(m.shape, input._data.shape) == input._data.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"masked_fill: mask of shape {m.shape} does not broadcast to the tensor's shape "
            f"{input._data.shape}"
        )
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise ShapeError(
                f"masked_fill: only supports a 0-dimensional value tensor, but got one with "
                f"{value._data.ndim} dimension(s)"
            )
        value = value.to(input._data.dtype)
    else:
        value = input._data.dtype.type(value)
    return where(mask if isinstance(mask, Tensor) else const(m), value, input)


def masked_select(input, mask):
    input = as_tensor(input, "masked_select")
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != _dtypes.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got {m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise ShapeError(
            f"masked_select: mask {m.shape} and input {input._data.shape} do not broadcast"
        ) from None
    x = expand(input, shape)
    return Index.apply(x, (np.broadcast_to(m, shape),), True, *kept_tensors(mask))


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding (*, num_classes) of a tensor of class indices (int64);
    not differentiable."""
    idx = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return const(out)
