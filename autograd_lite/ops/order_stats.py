"""Order statistics: median, nanmedian, mode, quantile and nanquantile.

Values are gathered from the input, so their gradient goes to the element each came
from (`median()` over every element shares it evenly among the elements equal to the
result, as PyTorch's). Where equal values make the choice of index matter, median
(with dim) and mode replay the libstdc++ algorithms PyTorch's CPU kernels run
(`ops/_stl.py`), so indices and gradients at ties match. quantile is composed of sort,
gather and lerp (as PyTorch's), so its gradient (also to a tensor `q`) comes from those.
"""
import numbers
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from . import _stl
from ._util import ShapeError, as_tensor, check_dim, const
from .compare import isnan
from .elementwise import floor, lerp, where
from .index import gather
from .reduce import any as any_, sum as sum_
from .shape import movedim, reshape, squeeze

median_result = namedtuple("median", ["values", "indices"])
nanmedian_result = namedtuple("nanmedian", ["values", "indices"])
mode_result = namedtuple("mode", ["values", "indices"])

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _rows(x, axis):
    """x with `axis` moved last as a (rows, n) array NumPy compares natively."""
    if x.ndim == 0:
        return x.reshape(1, 1), ()
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, x.shape[axis])
    if rows.dtype == _dtypes.bfloat16 or rows.dtype == np.float16:
        rows = rows.astype(np.float32)
    return rows, moved.shape[:-1]


def _less_nan_last(v):
    """PyTorch nanmedian's comparator: (value, index) in order, NaN above every number
    (NaNs are unordered among themselves, so an all-NaN slice needs the replay)."""
    def less(i, j):
        a, b = v[i], v[j]
        return a < b or (a == b and i < j) or (b != b and a == a)
    return less


def _median_indices(rows, ignore_nan):
    """The index PyTorch's CPU median/nanmedian picks in each row: the first NaN (median),
    else the k-th by (value, index), k = (count - 1) // 2 of the (non-NaN) values."""
    n = rows.shape[1]
    order = np.argsort(rows, axis=1, kind="stable")  # NaN last, ties by index
    nan = np.isnan(rows) if rows.dtype.kind == "f" else np.zeros(rows.shape, bool)
    count = n - nan.sum(1)
    k = np.maximum(count - 1, 0) // 2
    idx = np.take_along_axis(order, k[:, None], 1)[:, 0]
    if not ignore_nan:
        has_nan = nan.any(1)
        return np.where(has_nan, np.argmax(nan, 1), idx)
    for r in np.flatnonzero(count == 0):  # all NaN: where nth_element leaves them
        idx[r] = _stl.nth_element(list(range(n)), 0, _less_nan_last(rows[r].tolist()))[0]
    return idx


def _check_reduced(x, axis, op):
    if x.ndim and x.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {axis} to have non-zero size.")


def _select(input, axis, idx, keepdim):
    """input's values at idx (keepdim layout) along axis, and the indices, as PyTorch
    returns them (keepdim or not)."""
    index = const(idx)
    if input._data.ndim == 0:
        return input.clone(), const(np.zeros((), np.int64))
    values = gather(input, axis, index)
    if not keepdim:
        values, index = squeeze(values, axis), const(np.squeeze(idx, axis))
    return values, index


def _median_dim(input, dim, keepdim, ignore_nan, op, result):
    x = input._data
    axis = check_dim(dim, x.ndim, op)
    _check_reduced(x, axis, op)
    rows, outer = _rows(x, axis)
    idx = _median_indices(rows, ignore_nan).astype(np.int64)
    idx = np.expand_dims(idx.reshape(outer), axis) if x.ndim else idx.reshape(())
    return result(*_select(input, axis, idx, keepdim))


class EvenlySelected(Op):
    """A value picked from x (`median()`): its gradient is shared evenly among the
    elements equal to it (the NaNs when it is NaN), as PyTorch's evenly_distribute_backward."""

    def forward(ctx, x, value):
        v = value.astype(x.dtype)
        if x.size == 0:
            ctx.mask, ctx.count = np.zeros(x.shape, bool), 0
            return v
        wide = x.astype(np.float32) if x.dtype == _dtypes.bfloat16 else x
        vw = wide.dtype.type(value)
        ctx.mask = np.isnan(wide) if vw != vw else wide == vw
        ctx.count = int(ctx.mask.sum())
        return v

    def backward(ctx, g):
        return where(const(ctx.mask), g / ctx.count, const(np.zeros((), g._data.dtype)))


def _median_all(input, ignore_nan, op):
    x = input._data
    if x.size == 0:
        if not _dtypes.is_floating(x.dtype):
            raise RuntimeError(f"{op}(): cannot compute the median of an empty {x.dtype} tensor "
                               f"(its NaN has no integer form)")
        return EvenlySelected.apply(input, np.array(np.nan))
    flat = x.reshape(-1)
    wide = flat.astype(np.float32) if flat.dtype == _dtypes.bfloat16 else flat
    if wide.dtype.kind == "f":
        nan = np.isnan(wide)
        if nan.any() and (not ignore_nan or nan.all()):
            return EvenlySelected.apply(input, np.array(np.nan))
        wide = wide[~nan]
    k = (wide.size - 1) // 2
    return EvenlySelected.apply(input, np.asarray(np.partition(wide, k)[k]))


def _median(input, dim, keepdim, ignore_nan, op, result):
    input = as_tensor(input, op)
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"{op}: \"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return _median_all(input, ignore_nan, op)
    return _median_dim(input, dim, keepdim, ignore_nan, op, result)


def median(input, dim=None, keepdim=False):
    """The median: the lower of the two middle values for an even count (no mean of
    them). Without `dim`, a 0-d tensor over every element (NaN if any is NaN or the
    input is empty: an empty integer input raises RuntimeError, where PyTorch returns
    NaN cast to the integer dtype; its gradient is shared by the elements equal to it). With `dim`,
    the named tuple `(values, indices)` (the first NaN of a slice holding one); equal
    values resolve to the index PyTorch's CPU kernel picks. An empty reduced dim raises
    IndexError."""
    return _median(input, dim, keepdim, False, "median", median_result)


def nanmedian(input, dim=None, keepdim=False):
    """`median` ignoring NaN: the median of each slice's non-NaN values (NaN where all
    are NaN); the same forms, ties and errors as `median`."""
    return _median(input, dim, keepdim, True, "nanmedian", nanmedian_result)


# ---- mode -------------------------------------------------------------------------------------
def _mode_index(row):
    """The index PyTorch's CPU mode picks in one row: std::sort of (value, index) pairs by
    value, then the last element of the first longest run of equal values."""
    has_nan = row.dtype.kind == "f" and np.isnan(row).any()
    if not has_nan:
        _, first, counts = np.unique(row, return_index=True, return_counts=True)
        if counts.max() == 1:
            return int(first[0])  # all distinct: the smallest value, found anywhere
    v = row.tolist()
    order = _stl.std_sort(list(range(len(v))), lambda i, j: v[i] < v[j])
    best, pick, run = 0, 0, 0
    for i in range(len(order)):
        run += 1
        if i == len(order) - 1 or v[order[i]] != v[order[i + 1]]:
            if run > best:
                best, pick = run, order[i]
            run = 0
    return pick


def mode(input, dim=-1, keepdim=False):
    """The named tuple `(values, indices)` of the most frequent value along `dim` (the
    smallest of equally frequent ones) and an index where it occurs, the index PyTorch's
    CPU kernel picks. An empty reduced dim raises IndexError."""
    input = as_tensor(input, "mode")
    x = input._data
    axis = check_dim(dim, x.ndim, "mode")
    _check_reduced(x, axis, "mode")
    rows, outer = _rows(x, axis)
    if rows.dtype == np.bool_:
        rows = rows.view(np.uint8)
    idx = np.array([_mode_index(r) for r in rows], np.int64)
    idx = np.expand_dims(idx.reshape(outer), axis) if x.ndim else idx.reshape(())
    return mode_result(*_select(input, axis, idx, keepdim))


# ---- quantile ---------------------------------------------------------------------------------
def _less_sort(v):
    """PyTorch's ascending sort comparator: a < b, NaN above every number."""
    def less(i, j):
        a, b = v[i], v[j]
        return (a == a and b != b) or a < b
    return less


def _sorted(t):
    """t sorted along its last dim (differentiable), equal values in the order
    PyTorch's unstable CPU sort leaves them where it runs std::sort: stable up to 16
    elements (its insertion sort), else libstdc++'s introsort, replayed on the rows
    with repeated values."""
    x = t._data
    rows = x.reshape(-1, x.shape[-1])
    order = np.argsort(rows, axis=1, kind="stable")
    n = rows.shape[1]
    if n > _stl.THRESHOLD:
        ranked = np.take_along_axis(rows, order, 1)
        same = ranked[:, 1:] == ranked[:, :-1]
        if rows.dtype.kind == "f":
            same |= np.isnan(ranked[:, 1:]) & np.isnan(ranked[:, :-1])
        for r in np.flatnonzero(same.any(1)):
            order[r] = _stl.std_sort(list(range(n)), _less_sort(rows[r].tolist()))
    return gather(t, -1, const(order.reshape(x.shape).astype(np.int64)))


def _q_tensor(q, dtype, op):
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise ShapeError(f"{op}() q must be a scalar or 1D tensor, got shape {tuple(q.shape)}")
        if q._data.dtype != dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor, got "
                               f"{q._data.dtype} and {dtype}")
        qa = q._data
    elif isinstance(q, numbers.Real) and not isinstance(q, bool):
        qa = np.asarray(float(q))
        q = const(qa.astype(dtype))
    else:
        raise TypeError(f"{op}(): q must be a float or a tensor, got {type(q).__name__}")
    if qa.size and not ((qa >= 0) & (qa <= 1)).all():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1], got {qa.min()} to "
                           f"{qa.max()}")
    return q


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    input = as_tensor(input, op)
    x = input._data
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got "
                           f"{x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation!r}")
    q = _q_tensor(q, x.dtype, op)
    scalar_q = q._data.ndim == 0
    if x.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if dim is None:
        sorted_ = _sorted(reshape(input, (-1,)))
        out_shape = (1,) * x.ndim if keepdim else ()
    else:
        axis = check_dim(dim, x.ndim, op)
        sorted_ = _sorted(movedim(input, axis, -1) if x.ndim else reshape(input, (1,)))
        shape = list(x.shape)
        if x.ndim:
            shape[axis] = 1
        out_shape = tuple(shape) if keepdim else tuple(
            s for i, s in enumerate(x.shape) if i != axis)
    n = sorted_._data.shape[-1]
    lead = sorted_._data.shape[:-1]
    sorted_ = reshape(sorted_, lead + (1, n))  # (..., 1, n): one row per quantile
    qs = reshape(q, (-1,))
    nq = qs._data.shape[0]
    nan = isnan(sorted_)
    if ignore_nan:
        count = sum_(~nan, -1, True).to(x.dtype)
        ranks = qs.reshape((nq, 1)) * (count - 1)  # (..., nq, 1)
        ranks = where(ranks < 0, const(np.zeros((), x.dtype)), ranks)
    else:
        ranks = (qs * (n - 1)).reshape((nq, 1)).expand(lead + (nq, 1))
        ranks = where(any_(nan, -1, True), const(np.asarray(n - 1, x.dtype)), ranks)
    if interpolation == "lower":
        ranks = floor(ranks)
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks._data.astype(np.int64)
    rows = sorted_.expand(lead + (nq, n))
    values = gather(rows, -1, const(below))
    if interpolation in ("linear", "midpoint"):
        weights = const(np.full(ranks._data.shape, 0.5, x.dtype)) if interpolation == "midpoint" \
            else ranks - floor(ranks)
        above = gather(rows, -1, const(np.ceil(ranks._data).astype(np.int64)))
        values = lerp(values, above, weights)
    values = reshape(values, lead + (nq,))  # quantiles last
    values = movedim(values, -1, 0) if values.ndim > 1 else values
    return reshape(values, (() if scalar_q else (nq,)) + out_shape)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a float or a 0-d/1-d tensor in [0, 1], of input's dtype) of
    each slice along `dim` (of every element without it): the sorted slice read at rank
    `q * (n - 1)`, between neighbours by `interpolation` ('linear', 'lower', 'higher',
    'midpoint', 'nearest': round half to even). A 1-d q puts its quantiles first in the
    result. NaN in a slice gives NaN. float32/float64 only (as PyTorch); q out of range
    raises RuntimeError, and so does an empty input. At equal values the gradient goes to
    the tied element PyTorch's sort puts there where that sort is libstdc++'s std::sort
    (replayed here); where PyTorch runs its SIMD sort instead (CPUs with AVX-512), the
    tied element can differ (the gradient's sum over the ties is the same)."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """`quantile` ignoring NaN: each slice's quantiles of its non-NaN values (NaN where
    all are NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")

