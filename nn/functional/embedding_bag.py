"""embedding_bag with PyTorch's signature and checks: a composition of the embedding
lookup (ops/embedding.py) with index_add (sum, mean) or a gather at each bag's argmax
(max), so every derivative comes from those ops."""
import numpy as np

import autograd_lite as ag
from autograd_lite.extend import constant
from autograd_lite.ops import embedding as embedding_ops

__all__ = ["embedding_bag"]

_OP = "embedding_bag"


def _int_array(t, what):
    arr = t._data if isinstance(t, ag.Tensor) else np.asarray(t)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{_OP}: expected {what} of an integer dtype (int64 or int32), got {arr.dtype}")
    return arr


def _bags(flat, offsets, include_last_offset, n_indices):
    """(number of bags, the bag of each index): indices past the last bag go to a
    dummy bag numbered like the count (dropped afterwards)."""
    if offsets.size:
        if offsets[0] != 0:
            raise RuntimeError(f"{_OP}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has "
                               f"to start from position 0. However, got {offsets[0]}")
        if offsets[-1] > n_indices:
            raise RuntimeError(f"{_OP}: offsets[-1] can not be greater than input's length {n_indices} but got "
                               f"offsets[-1] of {offsets[-1]}")
        if np.any(np.diff(offsets) < 0):
            raise RuntimeError(f"{_OP}: offsets must be non-decreasing, got {offsets.tolist()}")
    nb = max(len(offsets) - 1, 0) if include_last_offset else len(offsets)
    starts = offsets[:nb].astype(np.int64)
    ends = offsets[1:nb + 1].astype(np.int64) if include_last_offset else \
        np.append(offsets[1:], n_indices).astype(np.int64)
    bag_of = np.full(n_indices, nb, np.int64)
    if nb:
        bag_of[:ends[-1]] = np.repeat(np.arange(nb), ends - starts)
    return nb, bag_of


def _argmax_rows(values, bag_of, nb):
    """(nb, D): for each bag and column, the row of `values` (L, D) holding the bag's
    maximum, as PyTorch's CPU loop: the bag's first row, replaced by a later one only
    when strictly greater (so a NaN counts only when it comes first). Rows of the
    dummy bag nb are skipped; an empty bag points at row L (a zero row)."""
    n, d = values.shape
    arg = np.full((nb, d), n, np.int64)
    keep = np.flatnonzero(bag_of < nb)
    if keep.size == 0:
        return arg
    v, bags = values[keep], bag_of[keep]
    first = np.flatnonzero(np.r_[True, bags[1:] != bags[:-1]])  # each non-empty bag's first row in keep
    seg_bags = bags[first]
    cmp = np.where(np.isnan(v), -np.inf, v)
    seg_max = np.maximum.reduceat(cmp, first, axis=0)
    pos = np.where(cmp == seg_max[np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(keep)]))],
                   np.arange(len(keep))[:, None], len(keep))
    best = np.minimum.reduceat(pos, first, axis=0)
    best = np.where(np.isnan(v[first]), first[:, None], best)  # a NaN first stays the maximum
    arg[seg_bags] = keep[best]
    return arg


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of rows of `weight` (V, D), without building the
    (L, D) lookup's result as an output: `input` 2-D (B, N) is B bags of N indices
    (offsets must be None); 1-D (L) with `offsets` (1-D, start of each bag; with
    `include_last_offset` one more, the end of the last bag). Entries equal to
    `padding_idx` are left out of their bag (and of a mean's count); an empty bag gives
    zeros. `per_sample_weights` (input's shape) scales each row, mode='sum' only. With
    `max_norm`, the looked-up rows are renormalised in place first. Output (B, D) in
    weight's dtype.

    Raises ValueError for bad shapes or mode, NotImplementedError for per_sample_weights
    with another mode and for sparse=True, RuntimeError for offsets that don't start at
    0, pass the input's end or decrease, for an index out of range and for a padding_idx
    out of range, TypeError for non-integer indices."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"{_OP}: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, then it "
                         f"must have the same shape as the input ({tuple(input.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"{_OP}: weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx = _int_array(input, "input")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{_OP}: if input is 2D, then offsets has to be None, as input is treated is a "
                             f"mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        offs, last = np.arange(idx.shape[0], dtype=np.int64) * idx.shape[1], False  # one bag per row
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError(f"{_OP}: offsets has to be a 1D Tensor but got None")
        offs, last = _int_array(offsets, "offsets"), include_last_offset
        if offs.ndim != 1:
            raise ValueError(f"{_OP}: offsets has to be a 1D Tensor, got shape {tuple(offs.shape)}")
    else:
        raise ValueError(f"{_OP}: input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{_OP}: mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(f"{_OP}: max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError(f"{_OP}: sparse gradients are not supported; use sparse=False")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"{_OP}: per_sample_weights was not None. per_sample_weights is only supported "
                                  f"for mode='sum' (got mode='{mode}')")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(f"{_OP}: expected per_sample_weights of weight's dtype {weight.dtype}, got "
                           f"{per_sample_weights.dtype}")
    n_rows, dim = weight.shape
    if padding_idx is not None:
        if not -n_rows <= padding_idx < n_rows:
            raise RuntimeError(f"{_OP}: padding_idx must be within the number of embeddings, {-n_rows} through "
                               f"{n_rows - 1}, but got {padding_idx}")
        padding_idx = int(padding_idx) % n_rows
    flat = idx.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= n_rows):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise RuntimeError(f"{_OP}: index {bad} is out of range for an embedding of {n_rows} rows")
    nb, bag_of = _bags(flat, offs, last, flat.size)
    if padding_idx is not None:
        bag_of[flat == padding_idx] = nb
    if max_norm is not None:
        embedding_ops.renorm_(weight, flat, max_norm, norm_type)
    rows = embedding_ops.embedding(weight, flat.astype(np.int64), padding_idx, scale_grad_by_freq)
    if mode == "max":
        arg = _argmax_rows(rows._data.astype(np.float32) if rows.dtype == ag.bfloat16 else rows._data, bag_of, nb)
        padded = ag.cat([rows, ag.zeros((1, dim), dtype=rows.dtype)], 0)
        return ag.gather(padded, 0, constant(arg))
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    out = ag.zeros((nb + 1, dim), dtype=weight.dtype).index_add(0, constant(bag_of), rows)[:nb]
    if mode == "mean":
        counts = np.maximum(np.bincount(bag_of, minlength=nb + 1)[:nb], 1)
        out = out / constant(counts.astype(out._data.dtype).reshape(nb, 1))
    return out
