"""The rest of torch.linalg: matrix_exp (an op; its gradient the exponential of a
block matrix, as PyTorch's), and functions composed of differentiable ops, so their
gradients are PyTorch's rules and differentiate again: lstsq (through the
pseudo-inverse, as PyTorch's backward), multi_dot, householder_product,
tensorsolve, tensorinv and vander."""
import math
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, const
from .linalg import matmul
from .linalg_decomp import pinv
from .linalg_solve import LinAlgError, inv, lapack_dtype, solve, square_matrices
from .reduce import cumprod
from .reduce import sum as sum_
from .shape import cat, expand, movedim, reshape, squeeze, unsqueeze

lstsq_result = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])

# ---- matrix_exp ------------------------------------------------------------------------
# Higham (2005): the [13/13] Pade approximant after scaling by 2^-s, ||A / 2^s||_1 <= theta
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def expm(a):
    """exp of each matrix in `a` (.., n, n), computed in float64 (rounded once to a's
    dtype): scaling and squaring with the [13/13] Pade approximant, per matrix."""
    n = a.shape[-1]
    flat = a.reshape((int(np.prod(a.shape[:-2])), n, n)).astype(np.float64)
    if flat.size == 0:
        return np.array(a, copy=True)
    norms = np.abs(flat).sum(-2).max(-1)
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(norms / _THETA13))).astype(np.int64)
    s = np.where(np.isfinite(norms), s, 0)
    x = flat / np.exp2(s)[:, None, None]
    b = _PADE13
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for i in range(int(s.max(initial=0))):
        r = np.where((i < s)[:, None, None], r @ r, r)
    return r.astype(a.dtype).reshape(a.shape)


def _block(a, g):
    """[[A^T, G], [0, A^T]]: its exponential's upper right block is exp's gradient."""
    at = np.swapaxes(a, -1, -2)
    return np.concatenate([np.concatenate([at, g], -1),
                           np.concatenate([np.zeros_like(at), at], -1)], -2)


class MatrixExp(Op):
    """exp(A) = sum_k A^k / k!; the gradient (Mathias): the upper right n x n block of
    exp([[A^T, G], [0, A^T]]), itself this op, so it differentiates again."""

    save_inputs = (0,)

    def forward(ctx, a):
        return expm(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = a.mT
        block = cat([cat([at, g], -1), cat([at * 0, at], -1)], -2)
        return MatrixExp.apply(block)[..., :n, n:]

    def fast_backward(ctx, g):
        a = ctx.saved_arrays[0]
        n = a.shape[-1]
        return expm(_block(a, g))[..., :n, n:]


def matrix_exp(A):
    """The matrix exponential of each square matrix (batched), by scaling and squaring
    in float64. Differentiable to any order."""
    return MatrixExp.apply(square_matrices(A, "linalg.matrix_exp"))


# ---- lstsq ---------------------------------------------------------------------------
DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (minimum norm where A is rank deficient)
    for (.., m, n) A and (.., m, k) B, or (.., m) B (a vector per matrix); batch dims
    broadcast. Returns (solution, residuals, rank, singular_values) with PyTorch's CPU
    rules: `driver` is 'gelsy' (default), 'gelsd', 'gelss' or 'gels'; rank (int64, A's
    batch dims) comes with every driver but 'gels', singular_values with 'gelsd' and
    'gelss', and residuals (the squared norms of A X - B per column) when m > n, the
    driver is not 'gelsy' and (for 'gelsd'/'gelss') every matrix has full rank; the
    others are empty. Singular values at or below rcond * the largest count as zero
    (rcond defaults to eps * max(m, n)); 'gels' assumes full rank and raises
    LinAlgError on a rank-deficient A. The solution is computed as pinv(A) B (from the
    SVD, where LAPACK's drivers factor A otherwise: the same solution up to rounding),
    and differentiated as PyTorch does, through the pseudo-inverse."""
    op = "linalg.lstsq"
    A, B = as_tensor(A, op), as_tensor(B, op)
    a, b = A._data, B._data
    if a.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions, got shape "
                         f"{tuple(a.shape)}")
    if b.ndim < 1 or not 0 <= a.ndim - b.ndim <= 1:
        raise ShapeError(f"{op}: other (B) must have as many dims as input (A) or one fewer "
                         f"(a vector per matrix), got A {tuple(a.shape)} and B {tuple(b.shape)}")
    lapack_dtype(a.dtype, op)
    if b.dtype != a.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got "
                           f"{a.dtype} and {b.dtype}")
    driver = "gelsy" if driver is None else driver
    if driver not in DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss), got {driver!r}")
    vector = b.ndim == a.ndim - 1
    if vector:
        B = unsqueeze(B, -1)
    m, n = a.shape[-2:]
    if B.shape[-2] != m:
        raise ShapeError(f"{op}: input.size(-2) should match other.size(-2): A {tuple(a.shape)} "
                         f"and B {tuple(b.shape)}")
    try:
        np.broadcast_shapes(a.shape[:-2], tuple(B.shape[:-2]))
    except ValueError:
        raise ShapeError(f"{op}: the batch dims of A {tuple(a.shape)} and B {tuple(b.shape)} "
                         f"cannot be broadcast") from None
    eps = float(np.finfo(a.dtype).eps)
    cutoff = eps * max(m, n) if rcond is None or rcond < 0 else float(rcond)
    k = min(m, n)
    if k:
        s = np.linalg.svd(a, compute_uv=False)
        rank = (s > cutoff * s[..., :1]).sum(-1).astype(np.int64)
    else:
        s = np.zeros(a.shape[:-2] + (0,), a.dtype)
        rank = np.zeros(a.shape[:-2], np.int64)
    if driver == "gels" and np.any(rank < k):
        raise LinAlgError(f"{op}: The least squares solution could not be computed because "
                          f"the input matrix does not have full rank (driver 'gels' assumes "
                          f"it; use 'gelsy', 'gelsd' or 'gelss')")
    batch = np.broadcast_shapes(a.shape[:-2], tuple(B.shape[:-2]))
    if k:
        X = matmul(pinv(A, rtol=cutoff), B)
    else:
        X = matmul(A.mT, B) * 0  # no equations or no unknowns: zeros, shaped as PyTorch's
    X = expand(X, batch + (n, B.shape[-1]))
    empty = const(np.zeros((0,), a.dtype))
    if m > n and driver != "gelsy" and (driver == "gels" or np.all(rank == n)):
        residuals = sum_((matmul(A, X) - B) ** 2, -2)
    else:
        residuals = empty
    rank_t = const(rank) if driver != "gels" else const(np.zeros((0,), np.int64))
    values = const(s.astype(a.dtype)) if driver in ("gelsd", "gelss") else empty
    return lstsq_result(X[..., 0] if vector else X, residuals, rank_t, values)


# ---- multi_dot -------------------------------------------------------------------------
def _chain_order(dims):
    """The cheapest parenthesisation of a matrix chain (dims[i] x dims[i+1] matrices):
    split[i][j], the classic dynamic programme."""
    count = len(dims) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j] = math.inf
            for c in range(i, j):
                q = cost[i][c] + cost[c + 1][j] + dims[i] * dims[c + 1] * dims[j + 1]
                if q < cost[i][j]:
                    cost[i][j], split[i][j] = q, c
    return split


def _chain(ts, split, i, j):
    if i == j:
        return ts[i]
    c = split[i][j]
    return matmul(_chain(ts, split, i, c), _chain(ts, split, c + 1, j))


def multi_dot(tensors):
    """The product of a list of matrices in the cheapest order. The first may be 1-D (a
    row vector) and the last 1-D (a column vector); the others must be 2-D. The result
    drops the dims of the vectors, as PyTorch's (a 0-d tensor for two vectors)."""
    op = "linalg.multi_dot"
    tensors = [as_tensor(t, op) for t in tensors]
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise ShapeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise ShapeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise ShapeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dtypes = {t._data.dtype for t in tensors}
    if len(dtypes) > 1:
        raise RuntimeError(f"multi_dot(): all tensors must have the same dtype, got "
                           f"{sorted(str(d) for d in dtypes)}")
    mats = list(tensors)
    if first.ndim == 1:
        mats[0] = unsqueeze(first, 0)
    if last.ndim == 1:
        mats[-1] = unsqueeze(last, -1)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ShapeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                             f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                             f"cannot be multiplied")
    dims = [t.shape[0] for t in mats] + [mats[-1].shape[1]]
    out = _chain(mats, _chain_order(dims), 0, len(mats) - 1)
    if first.ndim == 1 and last.ndim == 1:
        return reshape(out, ())
    if first.ndim == 1:
        return squeeze(out, 0)
    if last.ndim == 1:
        return squeeze(out, -1)
    return out


# ---- householder_product ---------------------------------------------------------------
def householder_product(A, tau):
    """The first n columns of H_1 H_2 ... H_k, H_i = I - tau_i v_i v_i^T, v_i having
    zeros above row i, 1 at row i and A[i+1:, i] below (geqrf's encoding; orgqr).
    A is (.., m, n) with m >= n, tau (.., k) with k <= n. Differentiable in both."""
    op = "linalg.householder_product"
    A, tau = as_tensor(A, op), as_tensor(tau, op)
    a, t = A._data, tau._data
    if a.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dimensions, got shape "
                         f"{tuple(a.shape)}")
    lapack_dtype(a.dtype, op)
    if t.dtype != a.dtype:
        raise RuntimeError(f"{op}: tau dtype {t.dtype} does not match input dtype {a.dtype}")
    m, n = a.shape[-2:]
    if m < n:
        raise ShapeError(f"{op}: input.shape[-2] must be greater than or equal to "
                         f"input.shape[-1], got shape {tuple(a.shape)}")
    if t.ndim != a.ndim - 1 or t.shape[:-1] != a.shape[:-2]:
        raise ShapeError(f"{op}: tau must have shape {tuple(a.shape[:-2])} + (k,) for input "
                         f"{tuple(a.shape)}, got {tuple(t.shape)}")
    k = t.shape[-1]
    if k > n:
        raise ShapeError(f"{op}: input.shape[-1] must be greater than or equal to "
                         f"tau.shape[-1], got {n} and {k}")
    rows = np.arange(m)
    Q = A * 0 + const(np.eye(m, n, dtype=a.dtype))  # depends on A even when k = 0
    for i in reversed(range(k)):  # Q <- H_i Q
        v = A[..., :, i] * const((rows > i).astype(a.dtype)) + const((rows == i).astype(a.dtype))
        vtQ = matmul(unsqueeze(v, -2), Q)  # (.., 1, n)
        Q = Q - unsqueeze(tau[..., i], -1)[..., None] * matmul(unsqueeze(v, -1), vtQ)
    return Q


# ---- tensorsolve, tensorinv, vander ------------------------------------------------------
def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B: X has shape A.shape[B.ndim:], and the product
    of B's sizes must equal the product of X's. `dims`: dims of A moved to the end first."""
    op = "linalg.tensorsolve"
    A, B = as_tensor(A, op), as_tensor(B, op)
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    rhs = tuple(A.shape[:B.ndim])
    rest = tuple(A.shape[B.ndim:])
    if rhs != tuple(B.shape) or math.prod(rest) != math.prod(rhs):
        raise ShapeError(f"{op}: Expected self to satisfy the requirement "
                         f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]) "
                         f"with self.shape[:other.ndim] == other.shape, got A {tuple(A.shape)} "
                         f"and B {tuple(B.shape)}")
    size = math.prod(rest)
    X = solve(reshape(A, (size, size)), reshape(B, (size,)))
    return reshape(X, rest)


def tensorinv(A, ind=2):
    """The inverse of A for tensordot over `ind` dims: A reshaped to a
    (prod(A.shape[:ind]), prod(A.shape[ind:])) matrix must be square and invertible; the
    result has shape A.shape[ind:] + A.shape[:ind]."""
    op = "linalg.tensorinv"
    A = as_tensor(A, op)
    ind = int(ind)
    if ind <= 0:
        raise RuntimeError(f"{op}: Expected a strictly positive integer for 'ind', but got {ind}")
    left, right = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(left) != math.prod(right):
        raise ShapeError(f"{op}: Expected self to satisfy the requirement "
                         f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                         f"{math.prod(right)} != {math.prod(left)} (shape {tuple(A.shape)})")
    size = math.prod(left)
    return reshape(inv(reshape(A, (size, size))), right + left)


def vander(x, *, N=None):
    """The Vandermonde matrix (.., n, N) of x (.., n): column j holds x ** j (j < N, N
    defaulting to n, at least 2), made by a cumulative product (so x = 0 has PyTorch's
    gradients)."""
    op = "linalg.vander"
    x = as_tensor(x, op)
    if x.ndim < 1:
        raise ShapeError(f"{op}: x must have at least one dimension, got a 0-d tensor")
    N = x.shape[-1] if N is None else int(N)
    if N <= 1:
        raise RuntimeError(f"{op}: N must be greater than 1, got {N}")
    dtype = x._data.dtype
    if dtype.kind in "biu":
        x = x.to(_dtypes.int64)
    cols = cumprod(expand(unsqueeze(x, -1), tuple(x.shape) + (N - 1,)), -1)
    ones = const(np.ones(tuple(x.shape) + (1,), x._data.dtype))
    return cat([ones, cols], -1)
