"""Searching and counting, not differentiable: isin, argwhere, bincount, searchsorted and
bucketize (NumPy's kernels; integer or bool tensors out, bincount's weighted counts
float)."""
import numbers

import numpy as np

from .. import _dtypes
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, const


def _values(x):
    """An array NumPy compares natively (bfloat16 widened to float32, exactly)."""
    return x.astype(np.float32) if x.dtype == _dtypes.bfloat16 else x


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` is in `test_elements` (a bool tensor of
    elements' shape; `invert` negates it). Either may be a number, not both.
    `assume_unique` is accepted and ignored (a speed hint in PyTorch)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: expected elements or test_elements to be a Tensor, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    a = _values(as_tensor(elements, "isin")._data)
    b = _values(as_tensor(test_elements, "isin")._data)
    return const(np.isin(a, b, invert=bool(invert)).reshape(a.shape))


def argwhere(input):
    """The indices of the nonzero elements, one row each: int64 of shape (count, ndim)."""
    x = _values(as_tensor(input, "argwhere")._data)
    return const(np.argwhere(x != 0).astype(np.int64))


def bincount(input, weights=None, minlength=0):
    """The number of times each value 0..max occurs in the 1-d non-negative integer
    `input` (at least `minlength` bins), int64; with `weights` (one per element) their
    sums instead: float32 for float32 weights, float64 for any other dtype (an empty input
    gives int64 zeros either way), as PyTorch.
    Not differentiable (PyTorch has no derivative for it either)."""
    x = as_tensor(input, "bincount")._data
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got a "
                           f"{x.ndim}-d {x.dtype} tensor")
    if not isinstance(minlength, numbers.Integral) or minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return const(np.bincount(x, minlength=minlength).astype(np.int64))
    w = as_tensor(weights, "bincount")._data
    if w.shape != x.shape:
        raise ShapeError(f"bincount: weights should be 1-d and have the same length as input, "
                         f"got shapes {w.shape} and {x.shape}")
    if x.size == 0:  # int64 zeros even with weights, as PyTorch
        return const(np.zeros(minlength, np.int64))
    out = np.bincount(x, weights=_values(w).astype(np.float64), minlength=minlength)
    return const(out.astype(np.float32 if w.dtype == np.float32 else np.float64))


def _side(right, side, op):
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side!r}")
    if right and side == "left":
        raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of left "
                           f"while right was True")
    return side


def _search(boundaries, values, side, sorter, out_int32, op):
    """np.searchsorted of each row of `values` in the matching row of `boundaries` (one
    1-d boundaries tensor for every value, or one row per leading index)."""
    seq, x = _values(boundaries), _values(values)
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, got 0-d")
    if seq.ndim > 1 and seq.shape[:-1] != x.shape[:-1]:
        raise ShapeError(f"{op}: boundaries tensor should be 1 dimension or the first N-1 "
                         f"dimensions of boundaries tensor and input value tensor must match, "
                         f"but we got boundaries tensor {seq.shape} and input value tensor "
                         f"{x.shape}")
    if sorter is not None:
        order = as_tensor(sorter, op)._data
        if order.shape != seq.shape or order.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: sorter must be an int64 tensor of the boundaries' shape "
                               f"{seq.shape}, got {order.dtype} {order.shape}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError(f"{op}: sorter index out of range (boundaries have "
                               f"{seq.shape[-1]} along the last dim)")
        seq = np.take_along_axis(seq, order, -1)
    dtype = np.int32 if out_int32 else np.int64
    if seq.ndim == 1:
        return const(np.searchsorted(seq, x, side).astype(dtype).reshape(x.shape))
    out = np.empty(x.shape, dtype)
    for row in np.ndindex(seq.shape[:-1]):
        out[row] = np.searchsorted(seq[row], x[row], side)
    return const(out)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value of `input`, the index in `sorted_sequence` (sorted along its last
    dim) where it would be inserted to keep it sorted: the first such index, or the last
    with `right=True` / `side='right'`. A 1-d sequence serves every value; an n-d one
    pairs its leading dims with input's. `sorter` holds indices that sort the sequence.
    `input` may be a number (a 0-d result). int64, or int32 with `out_int32`."""
    op = "searchsorted"
    seq = as_tensor(sorted_sequence, op)._data
    x = as_tensor(input, op)._data
    return _search(seq, x, _side(right, side, op), sorter, out_int32, op)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket each value of `input` falls in, given the sorted 1-d
    `boundaries`: `boundaries[i-1] < x <= boundaries[i]`, or `boundaries[i-1] <= x <
    boundaries[i]` with `right=True` (searchsorted with the sides swapped in name).
    `input` may be a number (a 0-d result). int64, or int32 with `out_int32`."""
    b = as_tensor(boundaries, "bucketize")._data
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim("
                           f"{b.ndim})")
    x = as_tensor(input, "bucketize")._data
    return _search(b, x, "right" if right else "left", None, out_int32, "bucketize")
