"""Sorting and selection: sort, argsort, msort, topk, kthvalue, unique and
unique_consecutive. Values are gathered from the input, so their gradient scatters
back to where each value came from; indices, inverse maps and counts carry none.

Ties come out as PyTorch's CPU ops order them where that order is a property of the
algorithm rather than of the machine: stable sorts, topk (std::partial_sort /
nth_element + sort), kthvalue (quickselect), and unstable sorts of the dtypes PyTorch
gives to std::sort. PyTorch's unstable sort of float32/64 and int32/64 runs x86's SIMD
sort, whose tie order depends on the CPU's vector width; there ours is stable.
"""
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as _kernels
from ._util import ShapeError, as_tensor, check_dim, const
from .creation import clone
from .index import gather
from .shape import squeeze

sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])
kthvalue_result = namedtuple("kthvalue", ["values", "indices"])

_SIMD_SORTED = frozenset("fdil")  # dtype chars of float32/64, int32/64 (PyTorch's x86-simd-sort)


def _kernel_rows(x, axis):
    """`x` with `axis` moved last, as a C-contiguous (rows, n) array the selection
    kernels can compare (float16 and bfloat16 as float32, bool as uint8: the same order)."""
    moved = np.moveaxis(x, axis, -1)
    rows = np.ascontiguousarray(moved).reshape(int(np.prod(moved.shape[:-1])), x.shape[axis])
    if rows.dtype == np.float16 or rows.dtype is _dtypes.bfloat16:
        return rows.astype(np.float32)
    if rows.dtype == np.bool_:
        return rows.view(np.uint8)
    return rows


def _from_rows(idx, x, axis):
    """(rows, m) kernel output back to x's layout, `axis` of length m."""
    moved = np.moveaxis(x, axis, -1).shape[:-1]
    return np.moveaxis(idx.reshape(moved + (idx.shape[-1],)), -1, axis)


def _stable_argsort(x, axis, descending):
    """A stable argsort with NaN ranked above every number (first when descending)."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    # sorting the reversed array and reversing the order keeps ties in their original
    # order, and puts NaN (last in NumPy's ascending order) first
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(order, axis)


def _argsort(x, axis, descending, stable):
    if x.ndim == 0:
        return np.zeros((), np.int64)
    if stable or x.dtype.char in _SIMD_SORTED or x.shape[axis] <= 1:
        return _stable_argsort(x, axis, descending).astype(np.int64)
    idx = _kernels.selection.sort_indices(_kernel_rows(x, axis), descending)
    return _from_rows(idx, x, axis)


def _take(input, axis, idx):
    """input's values at `idx` along `axis` (differentiable), idx as a constant tensor."""
    index = const(idx)
    if input._data.ndim == 0:
        return clone(input), index
    return gather(input, axis, index), index


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices) sorted along `dim`; NaN sorts as the largest value."""
    input = as_tensor(input, "sort")
    x = input._data
    axis = check_dim(dim, x.ndim, "sort")
    return sort_result(*_take(input, axis, _argsort(x, axis, bool(descending), bool(stable))))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort `input` along `dim` (as sort's)."""
    x = as_tensor(input, "argsort")._data
    axis = check_dim(dim, x.ndim, "argsort")
    return const(_argsort(x, axis, bool(descending), bool(stable)))


def msort(input):
    """`input` sorted along its first dim."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along `dim` and their indices, ties broken as
    PyTorch's CPU topk breaks them; NaN counts as the largest value."""
    input = as_tensor(input, "topk")
    x = input._data
    axis = check_dim(dim, x.ndim, "topk")
    n = x.shape[axis] if x.ndim else 1
    k = int(k)
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range (k={k}, dim {dim} of shape "
                           f"{tuple(x.shape)})")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if x.ndim == 0:
        return topk_result(*_take(input, axis, np.zeros((), np.int64)))
    _, idx = _kernels.selection.topk(_kernel_rows(x, axis), k, bool(largest), bool(sorted))
    return topk_result(*_take(input, axis, _from_rows(idx, x, axis)))


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest value (k from 1) along `dim` and its index, ties broken as
    PyTorch's quickselect breaks them; NaN counts as the largest value."""
    input = as_tensor(input, "kthvalue")
    x = input._data
    axis = check_dim(dim, x.ndim, "kthvalue")
    if x.dtype == np.bool_:
        raise NotImplementedError("kthvalue: not implemented for bool tensors")
    if x.size == 0:
        raise IndexError(f"kthvalue: cannot perform reduction function kthvalue on tensor with "
                         f"no elements (shape {tuple(x.shape)})")
    n = x.shape[axis] if x.ndim else 1
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis} "
                           f"(k={k}, size {n})")
    if x.ndim == 0:
        return kthvalue_result(*_take(input, axis, np.zeros((), np.int64)))
    _, idx = _kernels.selection.kthvalue(_kernel_rows(x, axis), k)
    values, index = _take(input, axis, _from_rows(idx[:, None], x, axis))
    if not keepdim:
        values, index = squeeze(values, axis), const(np.squeeze(index._data, axis))
    return kthvalue_result(values, index)


# ---- unique --------------------------------------------------------------------------
class Unique(Op):
    """unique's values (computed by the caller): recorded, but without a derivative, so
    backward through them raises, as PyTorch's."""

    def forward(ctx, x, values, dim, consecutive):
        ctx.dim, ctx.consecutive = dim, consecutive  # what an ONNX export needs
        return values


def _unique_outputs(input, values, inverse, counts, return_inverse, return_counts, dim=None,
                    consecutive=False):
    out = Unique.apply(input, values, dim, consecutive)
    if not return_inverse and not return_counts:
        return out
    extra = []
    if return_inverse:
        extra.append(const(inverse.astype(np.int64)))
    if return_counts:
        extra.append(const(counts.astype(np.int64)))
    return (out, *extra)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along `dim`) in ascending order, with the inverse
    map and the counts on request. NaNs are all distinct, as PyTorch's; the CPU result
    is sorted whatever `sorted` says, as PyTorch's."""
    input = as_tensor(input, "unique")
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(x.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(x.shape)
    else:
        axis = check_dim(dim, x.ndim, "unique")
        if x.size == 0 and x.shape[axis] != 0:
            raise ShapeError(f"unique: there are 0 sized dimensions, and they aren't selected, "
                             f"so unique cannot be applied (shape {tuple(x.shape)}, dim {dim})")
        if x.shape[axis] == 0:
            values, inverse, counts = x.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True,
                                                axis=axis, equal_nan=False)
            inverse = inverse.reshape(-1)
    return _unique_outputs(input, values, inverse, counts, return_inverse, return_counts,
                           None if dim is None else axis)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """One element (or slice along `dim`) of each run of equal consecutive ones."""
    input = as_tensor(input, "unique_consecutive")
    x = input._data
    if dim is None:
        flat, axis = x.reshape(-1), 0
        changed = flat[1:] != flat[:-1]
    else:
        axis = check_dim(dim, x.ndim, "unique_consecutive")
        flat = x
        n = x.shape[axis]
        diff = np.take(x, np.arange(1, n), axis) != np.take(x, np.arange(n - 1), axis)
        others = tuple(a for a in range(x.ndim) if a != axis)
        changed = np.any(diff, axis=others) if others else diff
    n = flat.shape[axis]
    starts = np.flatnonzero(np.concatenate([[n > 0], changed])) if n else np.zeros(0, np.intp)
    values = np.take(flat, starts, axis)
    counts = np.diff(np.append(starts, n))
    inverse = np.repeat(np.arange(len(starts)), counts)
    if dim is None:
        inverse = inverse.reshape(x.shape)
    return _unique_outputs(input, values, inverse, counts, return_inverse, return_counts,
                           None if dim is None else axis, consecutive=True)
