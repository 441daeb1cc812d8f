"""Out-of-place writes at index positions, each with its in-place variant from the op
table: scatter_reduce (sum, prod, mean, amax, amin), index_fill, index_copy,
masked_scatter, put, fill_diagonal_, and the `*_scatter` ops that write a tensor into
a view's region (diagonal_scatter, select_scatter, slice_scatter).

Gradients are PyTorch's formulas, written with differentiable ops so they
differentiate again. The `*_scatter` ops describe the view as a region of a
C-contiguous array (`view_inplace.CopySlices`, the history a base takes when a view
of it changes in place: the same computation)."""
from operator import index as _index

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, check_dim, const, wide
from .elementwise import where
from .index import (IndexPut, _along_key, _check_gather_index, _index_array, _src_like_index,
                    gather, index, kept_tensors, scatter, scatter_add)
from .inplace import _inplace_call
from .shape import expand, reshape
from .triangular import _two_dims
from .view_inplace import CopySlices

REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
           "amin": np.minimum}


# ---- scatter_reduce -----------------------------------------------------------------------
def identity(reduce, dtype):
    """The value a reduction starts from when the input's own value is left out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "b":
        return reduce == "amin"
    lo, hi = (np.iinfo(dtype).min, np.iinfo(dtype).max) if dtype.kind in "iu" else (-np.inf, np.inf)
    return lo if reduce == "amax" else hi


@wide
def _scatter_reduce(ctx, x, src, key, reduce, include_self):
    y = x.copy()
    if not include_self:
        y[key] = identity(reduce, y.dtype)
    if y.dtype.kind == "b" and reduce in ("sum", "prod"):
        (np.logical_or if reduce == "sum" else np.logical_and).at(y, key, src)
        return y
    _UFUNCS[reduce].at(y, key, src)
    if reduce == "mean":
        counts = np.zeros(y.shape, np.int64)
        np.add.at(counts, key, 1)
        if include_self:
            counts += 1
        counts[counts == 0] = 1
        if y.dtype.kind in "iu":
            y = np.floor_divide(y, counts).astype(y.dtype)
        else:
            y = (y / counts).astype(y.dtype)
    return y


class ScatterReduce(Op):
    """`input` with `src` reduced into the positions `key` names; backward is PyTorch's
    scatter_reduce_backward, composed of gather/scatter_add/where (differentiable)."""

    save_output = True

    def forward(ctx, x, src, key, d, reduce, include_self, *kept):
        ctx.args = (key, d, reduce, include_self)
        ctx.mark_saved(0, 1, *range(6, 6 + len(kept)))
        return _scatter_reduce(ctx, x, src, key, reduce, include_self)

    def backward(ctx, g):
        key, d, reduce, include_self = ctx.args
        x, src, *kept = ctx.saved_tensors
        idx = kept[0] if kept else const(key[d])
        ex, es = ctx.next_functions[:2]
        gx, gs = _scatter_reduce_grads(g, x, src, idx, d, reduce, include_self, ctx.saved_output)
        if not include_self and ex is not None:  # the input's value at a written position played no part
            gx = scatter(gx, d, idx, value=0.0)
        return (gx if ex is not None else None), (gs if es is not None else None)


def _scatter_reduce_grads(g, x, src, idx, d, reduce, include_self, result):
    if reduce == "sum":
        return g, gather(g, d, idx)
    if reduce == "mean":
        counts = np.zeros(x._data.shape, g._data.dtype) + (1 if include_self else 0)
        np.add.at(counts, _along_key(idx._data, d), 1)
        counts[counts == 0] = 1
        n = const(counts)
        return g / n, gather(g, d, idx) / gather(n, d, idx)
    if reduce in ("amax", "amin"):  # ties share the gradient evenly, the input's value too
        value = gather(result, d, idx)
        self_is = const((x._data == result._data).astype(g._data.dtype))
        src_is = const((src._data == value._data).astype(g._data.dtype))
        share = g / scatter_add(self_is, d, idx, src_is)
        return self_is * share, src_is * gather(share, d, idx)
    # prod: products without the element itself, zeros counted apart (PyTorch's rule)
    x_zero = const(x._data == 0)
    masked_x = where(x_zero, 1.0, x)
    gx = g * scatter_reduce(masked_x, d, idx, src, "prod", include_self=include_self) / masked_x
    src_zero = src._data == 0
    zeros_at = np.zeros(x._data.shape, np.int64)
    np.add.at(zeros_at, _along_key(idx._data, d), src_zero.astype(np.int64))
    single = const(src_zero & (zeros_at[_along_key(idx._data, d)] == 1))
    without = scatter_reduce(x, d, idx, where(single, 1.0, src), "prod", include_self=include_self)
    gs = where(single, gather(g * without, d, idx),
               gather(g * result, d, idx) / where(const(src_zero), 1.0, src))
    return gx, gs


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """`input` with each value of `src` reduced into the position `index` names along
    `dim` (`gather`'s indexing, reversed): `reduce` is "sum", "prod", "mean", "amax" or
    "amin"; with `include_self=False` the input's own value at a written position is
    left out. Integer means round down. Gradients are PyTorch's: amax/amin split a
    position's gradient evenly among the values equal to the result (the input's own
    value counted, even with include_self=False, as PyTorch does); prod's handles
    zeros. `src` must have input's dtype."""
    input = as_tensor(input, "scatter_reduce")
    if reduce not in REDUCTIONS:
        raise RuntimeError(f"scatter_reduce: reduce argument must be one of {REDUCTIONS}, got "
                           f"{reduce!r}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce: src must be a Tensor, got {type(src).__name__}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter_reduce: expected input's dtype {input._data.dtype} to equal "
                           f"src's dtype {src._data.dtype}")
    idx, d = _check_gather_index(input, dim, index, "scatter_reduce", src)
    if input._data.ndim == 0:
        out = scatter_reduce(reshape(input, (1,)), 0, reshape(const(idx), (-1,)),
                             reshape(src, (-1,)), reduce, include_self=include_self)
        return reshape(out, ())
    src = _src_like_index(src, idx, input._data.dtype, "scatter_reduce")
    return ScatterReduce.apply(input, src, _along_key(idx, d), d, reduce, bool(include_self),
                               *kept_tensors(index))


# ---- index_fill / index_copy ------------------------------------------------------------------
def _dim_index(input, dim, index_, op, negative=True):
    """(dim, the 1-D int64 index) for the index_* ops, range-checked; negative indices
    count from the end where PyTorch allows them (`negative`: index_fill, not
    index_copy)."""
    idx = _index_array(index_, op)
    if idx.dtype.kind == "b" or idx.ndim > 1:
        raise IndexError(f"{op}: index must be a 0-D or 1-D integer tensor, got shape "
                         f"{tuple(idx.shape)} ({idx.dtype})")
    d = check_dim(dim, input._data.ndim, op)
    n = input._data.shape[d] if input._data.ndim else 1
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < (-n if negative else 0) or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"{op}: index {bad} is out of range for dim {d} with size {n} "
                         f"(tensor shape {tuple(input._data.shape)})")
    return d, np.where(idx < 0, idx + n, idx)


def index_fill(input, dim, index, value):
    """A copy of `input` with `value` (a number, or a 0-d tensor that then gets a
    gradient) at positions `index` (a 0-D or 1-D integer tensor) along `dim`."""
    input = as_tensor(input, "index_fill")
    d, idx = _dim_index(input, dim, index, "index_fill")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill: only supports a 0-dimensional value tensor, but got "
                               f"one with {value._data.ndim} dimension(s)")
        value = value.to(input._data.dtype)
    else:
        value = input._data.dtype.type(value)
    x = input._data
    mask = np.zeros(x.shape[d] if x.ndim else 1, bool)
    mask[idx] = True
    if x.ndim:
        mask = mask.reshape((-1,) + (1,) * (x.ndim - d - 1))
    else:
        mask = mask.reshape(())
    return where(const(mask), value, input)


def index_copy(input, dim, index, source):
    """A copy of `input` with the slices of `source` along `dim` written at positions
    `index` (`out.select(dim, index[i]) = source.select(dim, i)`; negative indices
    raise IndexError, as in PyTorch). `source` has input's shape but `len(index)` along
    `dim`, and input's dtype; with repeated indices one write wins (which one, as in
    PyTorch, is not defined)."""
    input = as_tensor(input, "index_copy")
    source = as_tensor(source, "index_copy")
    d, idx = _dim_index(input, dim, index, "index_copy", negative=False)
    x, s = input._data, source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_copy: self ({x.dtype}) and source ({s.dtype}) must have the "
                           f"same scalar type")
    expected = x.shape[:d] + (idx.size,) + x.shape[d + 1:] if x.ndim else (idx.size,) if s.ndim else ()
    if s.shape != expected:
        raise ShapeError(f"index_copy: source of shape {tuple(s.shape)} doesn't fit: expected "
                         f"{tuple(expected)} (input {tuple(x.shape)}, {idx.size} indices along "
                         f"dim {d})")
    if x.ndim == 0:
        return reshape(IndexPut.apply(reshape(input, (1,)), reshape(source, (-1,)), (idx,), False,
                                      *kept_tensors(index)), ())
    return IndexPut.apply(input, source, (slice(None),) * d + (idx,), False, *kept_tensors(index))


# ---- masked_scatter / put ----------------------------------------------------------------------
def masked_scatter(input, mask, source):
    """A copy of `input` (broadcast with the bool `mask`) with the first elements of
    `source`, in order, written where `mask` is True. `source` needs at least as many
    elements as the mask has True values, and input's dtype."""
    input = as_tensor(input, "masked_scatter")
    source = as_tensor(source, "masked_scatter")
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != _dtypes.bool_:
        raise TypeError(f"masked_scatter: mask must be a bool tensor, got {m.dtype}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have the same dtype, "
                           f"got {input._data.dtype} and {source._data.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter: mask {tuple(m.shape)} and input "
                         f"{tuple(input._data.shape)} do not broadcast") from None
    m = np.broadcast_to(m, shape)
    n = int(m.sum())
    if source._data.size < n:
        raise RuntimeError(f"masked_scatter: expected source to have at least {n} elements (the "
                           f"mask's True count), got {source._data.size}")
    values = index(reshape(source, (-1,)), slice(0, n))
    kept = (mask,) if isinstance(mask, Tensor) else ()
    return IndexPut.apply(expand(input, shape), values, (m,), False, *kept)


def put(input, index, source, accumulate=False):
    """A copy of `input` with `source`'s values written at `index`'s positions in the
    flattened tensor (negative ones count from the end); with `accumulate=True` added,
    repeated indices accumulating. `index` and `source` have one number of elements."""
    input = as_tensor(input, "put")
    source = as_tensor(source, "put")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"put: expected a long (int64) tensor for index, got {idx.dtype}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put: expected self and source to have the same dtype, got "
                           f"{input._data.dtype} and {source._data.dtype}")
    if idx.size != source._data.size:
        raise RuntimeError(f"put: expected source and index to have the same number of elements, "
                           f"got {source._data.size} and {idx.size}")
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"put: out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements")
    flat = np.where(idx < 0, idx + n, idx).reshape(-1).astype(np.intp)
    out = IndexPut.apply(reshape(input, (-1,)), reshape(source, (-1,)), (flat,), bool(accumulate),
                         *kept_tensors(index))
    return reshape(out, input._data.shape)


# ---- fill_diagonal_ -----------------------------------------------------------------------------
def _diagonal_mask(shape, wrap, op):
    if len(shape) < 2:
        raise RuntimeError(f"{op}: dimensions must larger than 1, got shape {tuple(shape)}")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError(f"{op}: all dimensions of input must be of equal length, got shape "
                           f"{tuple(shape)}")
    mask = np.zeros(shape, bool)
    flat = mask.reshape(-1)
    if len(shape) == 2:
        rows, cols = shape
        end = rows * cols if wrap and rows > cols + 1 else min(rows, cols) * cols
        flat[0:end:cols + 1] = True
    else:
        step = sum(int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(len(shape)))
        flat[::step] = True
    return mask


def fill_diagonal(input, fill_value, wrap=False):
    """Out of place: `input` with `fill_value` on its main diagonal (2-D; or every dim
    of one length). For a tall matrix with `wrap=True`, the diagonal starts again
    below each square block after a row gap, as NumPy's fill_diagonal."""
    input = as_tensor(input, "fill_diagonal_")
    mask = _diagonal_mask(input._data.shape, wrap, "fill_diagonal_")
    return where(const(mask), input._data.dtype.type(fill_value), input)


def fill_diagonal_(self, fill_value, wrap=False):
    """Write `fill_value` on the main diagonal in place (see `fill_diagonal`); the
    gradient of the overwritten elements is zero."""
    return _inplace_call(self, fill_diagonal, "fill_diagonal_", fill_value, wrap)


# ---- the *_scatter ops ----------------------------------------------------------------------------
def _region(shape, take):
    """The region (offset, shape, strides in elements) that `take(array)` views inside a
    C-contiguous array of `shape`, found on a stand-in that touches no memory."""
    strides = tuple(int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(len(shape)))
    stand_in = _np_as_strided(np.zeros(1, np.uint8), shape, strides, writeable=False)
    view = take(stand_in)
    offset = view.__array_interface__["data"][0] - stand_in.__array_interface__["data"][0]
    return (offset if view.size else 0, view.shape, tuple(view.strides))


def _scatter_into(input, src, take, op):
    input = as_tensor(input, op)
    src = as_tensor(src, op)
    geometry = _region(input._data.shape, take)
    if src._data.shape != geometry[1]:
        raise ShapeError(f"{op}: expected src to have a size equal to the slice of self: src of "
                         f"shape {tuple(src._data.shape)}, slice of shape {tuple(geometry[1])} "
                         f"(input {tuple(input._data.shape)})")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}: expected src's dtype {src._data.dtype} to equal input's "
                           f"{input._data.dtype}")
    return CopySlices.apply(input, src, geometry)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of `input` with `src` written on the diagonal that
    `input.diagonal(offset, dim1, dim2)` views (src has that view's shape)."""
    nd = as_tensor(input, "diagonal_scatter")._data.ndim
    if nd < 2:
        raise RuntimeError(f"diagonal_scatter: expected a tensor with at least 2 dims, got {nd}")
    d1, d2 = _two_dims(dim1, dim2, nd, "diagonal_scatter")
    return _scatter_into(input, src, lambda a: np.diagonal(a, int(offset), d1, d2),
                         "diagonal_scatter")


def select_scatter(input, src, dim, index):
    """A copy of `input` with `src` written at `input.select(dim, index)` (src has that
    slice's shape)."""
    input = as_tensor(input, "select_scatter")
    x = input._data
    d = check_dim(dim, x.ndim, "select_scatter")
    if x.ndim == 0:
        raise IndexError("select_scatter: select() cannot be applied to a 0-dim tensor")
    i, n = _index(index), x.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select_scatter: index {i} out of range for tensor of size "
                         f"{tuple(x.shape)} at dimension {d}")
    return _scatter_into(input, src, lambda a: a[(slice(None),) * d + (i, Ellipsis)],
                         "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of `input` with `src` written at the slice `start:end:step` of `dim` (src
    has that slice's shape)."""
    input = as_tensor(input, "slice_scatter")
    x = input._data
    d = check_dim(dim, x.ndim, "slice_scatter")
    if _index(step) <= 0:
        raise RuntimeError(f"slice_scatter: slice step must be positive, got {step}")
    key = slice(None if start is None else _index(start), None if end is None else _index(end),
                _index(step))
    return _scatter_into(input, src, lambda a: a[(slice(None),) * d + (key,)], "slice_scatter")
