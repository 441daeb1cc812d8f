"""Sparse (COO) times dense products, as CSR row loops.

`spmm(indptr, cols, vals, dense, n_rows)`: out[i] = sum_k vals[k] * dense[cols[k]] over
the entries k of row i (indptr[i] <= k < indptr[i + 1]), each output row written by one
iteration, so rows run in parallel (`prange`) when `set_num_threads` asked for more
than one thread. `sampled_dot(rows, cols, a, b)`: out[k] = a[rows[k]] . b[cols[k]] (the
gradient of the values), parallel over entries. Arrays are C-contiguous, one dtype,
indices int64 and in range: the callers (ops/sparse.py) check them.
"""
import numpy as np

from ..threads import get_num_threads
from ._numba import njit, prange

# From this much work (entries times dense columns) the parallel loop pays for itself
PARALLEL_MIN = 1 << 15


@njit(cache=True)
def _spmm_serial(indptr, cols, vals, dense, out):
    k = dense.shape[1]
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            c = cols[p]
            v = vals[p]
            for j in range(k):
                out[i, j] += v * dense[c, j]


@njit(cache=True, parallel=True)
def _spmm_parallel(indptr, cols, vals, dense, out):
    k = dense.shape[1]
    for i in prange(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            c = cols[p]
            v = vals[p]
            for j in range(k):
                out[i, j] += v * dense[c, j]


@njit(cache=True)
def _sampled_dot_serial(rows, cols, a, b, out):
    k = a.shape[1]
    for e in range(rows.shape[0]):
        r = rows[e]
        c = cols[e]
        s = out.dtype.type(0)
        for j in range(k):
            s += a[r, j] * b[c, j]
        out[e] = s


@njit(cache=True, parallel=True)
def _sampled_dot_parallel(rows, cols, a, b, out):
    k = a.shape[1]
    for e in prange(rows.shape[0]):
        r = rows[e]
        c = cols[e]
        s = out.dtype.type(0)
        for j in range(k):
            s += a[r, j] * b[c, j]
        out[e] = s


def _parallel(work):
    return work >= PARALLEL_MIN and get_num_threads() > 1


def spmm(indptr, cols, vals, dense, n_rows):
    """(n_rows, k) = the CSR matrix (indptr, cols, vals) times dense (n_cols, k)."""
    out = np.zeros((n_rows, dense.shape[1]), dense.dtype)
    kernel = _spmm_parallel if _parallel(cols.shape[0] * dense.shape[1]) else _spmm_serial
    kernel(indptr, cols, vals, dense, out)
    return out


def sampled_dot(rows, cols, a, b):
    """(nnz,) = the dot products of rows a[rows[e]] and b[cols[e]]."""
    out = np.empty(rows.shape[0], a.dtype)
    kernel = _sampled_dot_parallel if _parallel(rows.shape[0] * a.shape[1]) else _sampled_dot_serial
    kernel(rows, cols, a, b, out)
    return out
