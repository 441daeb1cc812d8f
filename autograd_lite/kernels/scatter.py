"""Scatter-add: `out[key] += values` where repeated indices accumulate.

Used by the gradients of advanced indexing, gather, scatter_add and (later)
embeddings. The common case, one integer index array over the leading axis, runs a
Numba row kernel; every other key goes through NumPy's `np.add.at`.
benchmarks/scatter_add.py measures the two (see there for the numbers).
"""
import numpy as np

from ._numba import njit


@njit(cache=True)
def _index_add_rows(out, idx, src):
    # out (V, D), idx (N,), src (N, D): out[idx[i]] += src[i]
    n_rows = out.shape[0]
    d = out.shape[1]
    for i in range(idx.shape[0]):
        r = idx[i]
        if r < 0:
            r += n_rows
        for j in range(d):
            out[r, j] += src[i, j]


def index_add_rows(out, idx, src):
    """out[idx[i]] += src[i] along axis 0 (out is C-contiguous, modified in place)."""
    n = out.shape[0]
    idx = np.ascontiguousarray(idx.reshape(-1), dtype=np.int64)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_add: index out of range for a leading dim of size {n}")
    rows = out.reshape(n, -1)
    src2 = np.ascontiguousarray(src.reshape(idx.shape[0], -1), dtype=out.dtype)
    if rows.shape[1] != src2.shape[1]:
        raise ValueError(f"index_add: rows of size {rows.shape[1]} and {src2.shape[1]} differ")
    _index_add_rows(rows, idx, src2)


def scatter_add(out, key, values):
    """out[key] += values, accumulating repeated indices (NumPy key semantics)."""
    if (len(key) == 1 and isinstance(key[0], np.ndarray) and key[0].dtype.kind in "iu"
            and out.flags.c_contiguous and out.dtype.kind == "f" and out.ndim >= 1
            and values.shape == key[0].shape + out.shape[1:]):
        index_add_rows(out, key[0], values)
    else:
        np.add.at(out, key, values)
