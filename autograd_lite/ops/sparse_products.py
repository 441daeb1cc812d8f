"""The sparse COO times dense product on a Numba CSR kernel (kernels/sparse.py), and
its gradients: `SparseDenseMM` differentiates the stored values (on the pattern, as
torch.sparse.mm) and the dense operand; `DenseSourceMM` differentiates the dense
tensor a sparse operand was made from with `to_sparse()`, in full, as torch.mm and
`@` do (their sparse operand's gradient is dense, and to_sparse passes it on)."""
import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import const, wide
from .linalg import matmul


class Pattern:
    """The coordinates of a coalesced 2-D sparse matrix, in row order (CSR) and, made on
    first use, in column order (for the transposed product of the backward)."""

    __slots__ = ("rows", "cols", "n_rows", "n_cols", "indptr", "_by_col")

    def __init__(self, rows, cols, n_rows, n_cols):
        self.rows = np.ascontiguousarray(rows, np.int64)
        self.cols = np.ascontiguousarray(cols, np.int64)
        self.n_rows, self.n_cols = n_rows, n_cols
        self.indptr = _indptr(self.rows, n_rows)
        self._by_col = None

    def by_col(self):
        if self._by_col is None:
            order = np.argsort(self.cols, kind="stable")
            self._by_col = (_indptr(self.cols[order], self.n_cols), self.rows[order], order)
        return self._by_col

    def product(self, v, d, transpose):
        """A @ d, or A^T @ d, for the matrix A of this pattern with values v."""
        d = np.ascontiguousarray(d)
        if transpose:
            indptr, idx, order = self.by_col()
            return kernels.sparse.spmm(indptr, idx, np.ascontiguousarray(v[order]), d, self.n_cols)
        return kernels.sparse.spmm(self.indptr, self.cols, np.ascontiguousarray(v), d, self.n_rows)


def _indptr(sorted_keys, n):
    return np.searchsorted(sorted_keys, np.arange(n + 1), side="left").astype(np.int64)


class SparseDenseMM(Op):
    """A @ D for the sparse matrix A (pattern, values v) and dense D (A^T @ D when
    `transpose`); gradients: the values' is the product sampled on the pattern, D's is
    the transposed product."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, v, d, pattern, transpose):
        ctx.pattern, ctx.transpose = pattern, transpose
        return pattern.product(v, d, transpose)

    def backward(ctx, g):
        v, d = ctx.saved_tensors
        ev, ed = ctx.next_functions[:2]
        p, t = ctx.pattern, ctx.transpose
        gv = gd = None
        if ev is not None:
            gv = SampledDot.apply(d, g, p) if t else SampledDot.apply(g, d, p)
        if ed is not None:
            gd = SparseDenseMM.apply(v, g, p, not t)
        return gv, gd


class SampledDot(Op):
    """out[k] = a[rows[k]] . b[cols[k]]: a dense product sampled on the pattern."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, a, b, pattern):
        ctx.pattern = pattern
        return kernels.sparse.sampled_dot(pattern.rows, pattern.cols, np.ascontiguousarray(a),
                                          np.ascontiguousarray(b))

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions[:2]
        p = ctx.pattern
        return (SparseDenseMM.apply(g, b, p, False) if ea is not None else None,
                SparseDenseMM.apply(g, a, p, True) if eb is not None else None)


class DenseSourceMM(Op):
    """A @ D (A^T @ D when `transpose`) for A = x.to_sparse() (x dense, (n, m)): the
    product runs on the pattern, with x's values there; x's gradient is the dense
    g @ D^T (D @ g^T), D's the other product."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, d, pattern, transpose):
        ctx.pattern, ctx.transpose = pattern, transpose
        return pattern.product(x[pattern.rows, pattern.cols], d, transpose)

    def backward(ctx, g):
        x, d = ctx.saved_tensors
        ex, ed = ctx.next_functions[:2]
        p, t = ctx.pattern, ctx.transpose
        gx = gd = None
        if ex is not None:
            gx = matmul(d, g.transpose(0, 1)) if t else matmul(g, d.transpose(0, 1))
        if ed is not None:
            values = x[const(p.rows), const(p.cols)]
            gd = SparseDenseMM.apply(values, g, p, not t)
        return gx, gd
