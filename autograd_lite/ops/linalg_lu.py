"""LU decompositions with partial pivoting (torch.linalg.lu_factor, lu_factor_ex, lu,
lu_solve) and the `_ex` forms of cholesky, inv and solve, which report a failure in
`info` (LAPACK's code) instead of raising.

The factorization is LAPACK getrf's algorithm (the row of the largest |entry| pivots
each column, the first one on ties) on arrays, batched over leading dims. `lu` is the
one op; `lu_factor` packs its L and U and `lu_solve` solves with them through
differentiable ops, so every gradient (PyTorch's LU rule for square, tall and wide
matrices) differentiates again.
"""
from collections import namedtuple

import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, const
from .linalg import matmul
from .linalg_decomp import Cholesky, _symmetric_from
from .linalg_solve import (Inv, LinAlgError, Solve, lapack_dtype, mT, solve, solve_with,
                           square_matrices)
from .shape import cat, sum_to
from .triangular import tril, triu

lu_factor_result = namedtuple("lu_factor", ["LU", "pivots"])
lu_factor_ex_result = namedtuple("lu_factor_ex", ["LU", "pivots", "info"])
lu_result = namedtuple("lu", ["P", "L", "U"])
lu_unpack_result = namedtuple("lu_unpack", ["P", "L", "U"])
cholesky_ex_result = namedtuple("cholesky_ex", ["L", "info"])
inv_ex_result = namedtuple("inv_ex", ["inverse", "info"])
solve_ex_result = namedtuple("solve_ex", ["result", "info"])


# ---- the factorization on arrays -------------------------------------------------------
def getrf(a):
    """(packed LU, 1-based int32 pivots (.., k), int32 info (..)) of `a` (.., m, n), as
    LAPACK's getrf: info is the 1-based index of the first zero pivot, 0 if none."""
    *batch, m, n = a.shape
    k = min(m, n)
    lu = np.array(a.reshape((int(np.prod(batch)), m, n)), copy=True)
    count = lu.shape[0]
    piv = np.empty((count, k), np.int32)
    info = np.zeros(count, np.int32)
    rows = np.arange(count)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        row_j = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = row_j
        pivot = lu[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        col = lu[:, j + 1:, j] / np.where(zero, 1, pivot)[:, None]
        lu[:, j + 1:, j] = col
        lu[:, j + 1:, j + 1:] -= col[:, :, None] * lu[:, j, None, j + 1:]
    return lu.reshape(a.shape), piv.reshape(tuple(batch) + (k,)), info.reshape(tuple(batch))


def permutation_matrices(piv, m, dtype):
    """P (.., m, m) with A = P L U from getrf's pivots (.., k): row swaps i <-> piv[i]-1."""
    batch, k = piv.shape[:-1], piv.shape[-1]
    flat = piv.reshape((int(np.prod(batch)), k)).astype(np.intp) - 1
    count = flat.shape[0]
    perm = np.tile(np.arange(m), (count, 1))
    rows = np.arange(count)
    for j in range(k):
        p = flat[:, j]
        held = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = held
    P = np.zeros((count, m, m), dtype)
    P[rows[:, None], perm, np.arange(m)[None, :]] = 1  # row i of L U is row perm[i] of A
    return P.reshape(tuple(batch) + (m, m))


def unpack(lu, piv):
    """(P, L, U) arrays from the packed factors: L (.., m, k) unit lower, U (.., k, n)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    U = np.triu(lu[..., :k, :])
    return permutation_matrices(piv, m, lu.dtype), L, U


# ---- lu ------------------------------------------------------------------------------
def _lu_backward(P, L, U, gL, gU):
    """PyTorch's rule for A = P L U (square, wide m < n, tall m > n); only the
    triangles of gL and gU that L and U can vary in are read."""
    m, n = L.shape[-2], U.shape[-1]
    if m == n:
        phi = tril(matmul(mT(L), gL), -1) + triu(matmul(gU, mT(U)))
        gA = solve(mT(L), solve(mT(U), phi, left=False))
    elif m < n:
        U1 = U[..., :, :m]
        phi = tril(matmul(mT(L), gL) - matmul(triu(gU), mT(U)), -1)
        gA = solve(mT(U1), phi, left=False)
        gA = cat([gA + triu(gU[..., :, :m]), gU[..., :, m:]], -1)
        gA = solve(mT(L), gA)
    else:
        L1 = L[..., :n, :]
        phi = triu(matmul(gU, mT(U)) - matmul(mT(L), tril(gL, -1)))
        gA = solve(mT(L1), phi)
        gA = cat([gA + tril(gL[..., :n, :], -1), gL[..., n:, :]], -2)
        gA = solve(mT(U), gA, left=False)
    return matmul(P, gA)


class LU(Op):
    """A = P L U: outputs P, L, U, the pivots and info (those three not
    differentiable). The backward's factors are recomputed from the saved input under
    create_graph, so the gradient differentiates again."""

    save_inputs = (0,)
    multi_output = True
    non_differentiable = (0, 3, 4)

    def forward(ctx, a):
        lu, piv, info = getrf(a)
        P, L, U = unpack(lu, piv)
        ctx.factors = (P, L, U)
        return P, L, U, piv, info

    def backward(ctx, gP, gL, gU, gpiv, ginfo):
        if is_grad_enabled():
            (a,) = ctx.saved_tensors
            P, L, U = lu(a)
        else:
            P, L, U = (const(f) for f in ctx.factors)
        return _lu_backward(P, L, U, gL, gU)


def _lu_input(A, op, pivot=True):
    A = as_tensor(A, op)
    a = A._data
    if a.ndim < 2:
        raise RuntimeError(f"{op}: Expected tensor with 2 or more dimensions. Got shape "
                           f"{tuple(a.shape)} instead")
    lapack_dtype(a.dtype, op)
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")
    return A


def lu(A, *, pivot=True):
    """(P, L, U) with A = P L U for (batches of) m x n matrices: P a permutation, L (m, k)
    unit lower triangular, U (k, n) upper triangular, k = min(m, n). Partial pivoting as
    LAPACK's getrf (pivot=False raises, as PyTorch's CPU version). Differentiable in A
    (for a square A while it is invertible)."""
    P, L, U, _, _ = LU.apply(_lu_input(A, "linalg.lu", pivot))
    return lu_result(P, L, U)


def _pack(L, U):
    """LAPACK's packed LU (m, n): L's strict lower triangle over U."""
    m, n = L.shape[-2], U.shape[-1]
    lower = tril(L, -1)
    if m >= n:
        pad = const(np.zeros(tuple(U.shape[:-2]) + (m - n, n), U.dtype))
        return lower + cat([U, pad], -2)
    pad = const(np.zeros(tuple(L.shape[:-2]) + (m, n - m), L.dtype))
    return U + cat([lower, pad], -1)


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """(LU, pivots, info): the packed factors (L's strict lower triangle over U, as
    LAPACK), the 1-based int32 row swaps, and info, the 1-based index of U's first
    zero diagonal entry (0 where none). check_errors=True raises where info > 0."""
    A = _lu_input(A, "linalg.lu_factor_ex", pivot)
    P, L, U, piv, info = LU.apply(A)
    if check_errors and np.any(info._data > 0):
        raise LinAlgError(f"linalg.lu_factor_ex{_batch_text(info._data)}: U[{_first(info._data)}, "
                          f"{_first(info._data)}] is zero: the input matrix is singular")
    return lu_factor_ex_result(_pack(L, U), piv, info)


def lu_factor(A, *, pivot=True):
    """(LU, pivots): the packed LU factorization (see lu_factor_ex). A singular matrix
    raises LinAlgError, as PyTorch's (lu_solve would divide by zero); lu_factor_ex and
    lu factor it anyway."""
    A = _lu_input(A, "linalg.lu_factor", pivot)
    P, L, U, piv, info = LU.apply(A)
    if np.any(info._data > 0):
        i = _first(info._data)
        raise LinAlgError(f"linalg.lu_factor{_batch_text(info._data)}: U[{i},{i}] is zero and "
                          f"using it on lu_solve would result in a division by zero. To factor "
                          f"it anyway, call linalg.lu(A) or linalg.lu_factor_ex(A)")
    return lu_factor_result(_pack(L, U), piv)


def _first(info):
    return int(info[info > 0].flat[0])


def _batch_text(info):
    if info.ndim == 0:
        return ""
    idx = np.argwhere(info > 0)[0]
    return f" (batch element {tuple(int(i) for i in idx)})"


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from lu_factor's packed (LU, pivots), as torch.lu_unpack: L (.., m, k)
    unit lower triangular, U (.., k, n), P (.., m, m); unpack_data=False leaves L and U
    empty, unpack_pivots=False leaves P empty. Differentiable in LU_data."""
    op = "lu_unpack"
    LU = as_tensor(LU_data, op)
    lu_ = LU._data
    if lu_.ndim < 2:
        raise ShapeError(f"{op}: LU_data must have at least 2 dimensions, got shape "
                         f"{tuple(lu_.shape)}")
    m, n = lu_.shape[-2:]
    k = min(m, n)
    piv = np.asarray(LU_pivots._data if hasattr(LU_pivots, "_data") else LU_pivots)
    if piv.dtype != np.int32:
        raise RuntimeError(f"{op}: LU_pivots is expected to be a contiguous tensor of torch.int32 "
                           f"dtype, got {piv.dtype}")
    if piv.shape != lu_.shape[:-2] + (k,):
        raise ShapeError(f"{op}: LU_pivots must have shape {lu_.shape[:-2] + (k,)} for LU_data "
                         f"{tuple(lu_.shape)}, got {tuple(piv.shape)}")
    if piv.size and (piv.min() < 1 or piv.max() > m):
        raise RuntimeError(f"{op}: pivots must lie in [1, {m}]")
    empty = const(np.zeros((0,), lu_.dtype))
    P = const(permutation_matrices(piv, m, lu_.dtype)) if unpack_pivots else empty
    if not unpack_data:
        return lu_unpack_result(P, empty, empty)
    L = tril(LU[..., :, :k], -1) + const(np.eye(m, k, dtype=lu_.dtype))
    U = triu(LU[..., :k, :])
    return lu_unpack_result(P, L, U)


# ---- lu_solve ------------------------------------------------------------------------
def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B (left=False: X A = B; adjoint=True: A^T in place of A) from
    lu_factor's (LU, pivots). Batch dims broadcast; differentiable in LU and B."""
    op = "linalg.lu_solve"
    LU, B = as_tensor(LU, op), as_tensor(B, op)
    lu_, b = LU._data, B._data
    lapack_dtype(lu_.dtype, op)
    if lu_.ndim < 2 or lu_.shape[-1] != lu_.shape[-2]:
        raise ShapeError(f"{op}: LU must be batches of square matrices, got shape "
                         f"{tuple(lu_.shape)}")
    if b.ndim < 2:
        raise ShapeError(f"{op}: The input tensor B must have at least 2 dimensions, got "
                         f"shape {tuple(b.shape)}")
    if b.dtype != lu_.dtype:
        raise RuntimeError(f"{op}: expected LU and B to have the same dtype, got {lu_.dtype} "
                           f"and {b.dtype}")
    n = lu_.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise ShapeError(f"{op}: Incompatible shapes of A and B for the equation {eq} "
                         f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    piv = np.asarray(pivots._data if hasattr(pivots, "_data") else pivots)
    if piv.dtype != np.int32:
        raise RuntimeError(f"{op}: pivots must be int32 (as lu_factor returns them), got "
                           f"{piv.dtype}")
    if piv.shape != lu_.shape[:-1]:
        raise ShapeError(f"{op}: pivots must have shape {tuple(lu_.shape[:-1])} (LU's without "
                         f"the last dim), got {tuple(piv.shape)}")
    if piv.size and (piv.min() < 1 or piv.max() > n):
        raise RuntimeError(f"{op}: pivots must lie in [1, {n}]")
    P = const(permutation_matrices(piv, n, lu_.dtype))
    L = tril(LU, -1) + const(np.eye(n, dtype=lu_.dtype))
    U = triu(LU)
    # A = P L U; adjoint: A^T = U^T L^T P^T
    if left:
        if adjoint:
            return matmul(P, solve(mT(L), solve(mT(U), B)))
        return solve(U, solve(L, matmul(mT(P), B)))
    if adjoint:  # X U^T L^T P^T = B
        return solve(mT(U), solve(mT(L), matmul(B, P), left=False), left=False)
    return matmul(solve(L, solve(U, B, left=False), left=False), mT(P))


# ---- the _ex forms -------------------------------------------------------------------
class InvEx(Inv):
    """inv with the singular matrices' inverses NaN (their info says why)."""

    def forward(ctx, a):
        _, _, info = getrf(a)
        out = np.full(a.shape, np.nan, a.dtype)
        ok = info == 0
        if np.all(ok):
            return np.linalg.inv(a)
        if np.any(ok):
            out[ok] = np.linalg.inv(a[ok])
        return out


def inv_ex(A, *, check_errors=False):
    """(inverse, info): info is 0 for an invertible matrix, else the 1-based index of
    the first zero pivot of its LU factorization (int32, one per matrix). A singular
    matrix's inverse is NaN (PyTorch's holds whatever LAPACK left: infs); with
    check_errors=True it raises LinAlgError."""
    A = square_matrices(A, "linalg.inv_ex")
    _, _, info = getrf(A._data)
    if check_errors and np.any(info > 0):
        raise LinAlgError(f"linalg.inv_ex{_batch_text(info)}: The diagonal element {_first(info)} "
                          f"is zero, the inversion could not be completed because the input "
                          f"matrix is singular.")
    return inv_ex_result(InvEx.apply(A), const(info))


class SolveEx(Solve):
    """solve with the singular systems' solutions NaN."""

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        _, _, info = getrf(a)
        ok = np.broadcast_to(info == 0, b.shape[:-2])
        if np.all(ok):
            return np.linalg.solve(a, b)
        out = np.full(b.shape, np.nan, np.result_type(a, b))
        if np.any(ok):
            a_full = np.broadcast_to(a, b.shape[:-2] + a.shape[-2:])
            out[ok] = np.linalg.solve(a_full[ok], b[ok])
        return out

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        ea, eb = ctx.next_functions
        gb = SolveEx.apply(mT(a), g)
        ga = -matmul(gb, mT(ctx.saved_output)) if ea is not None else None
        a_shape, b_shape = ctx.shapes
        return (sum_to(ga, a_shape) if ga is not None else None,
                sum_to(gb, b_shape) if eb is not None else None)


def solve_ex(A, B, *, left=True, check_errors=False):
    """(result, info): linalg.solve's X, and info from A's LU factorization (0, or the
    1-based index of the first zero pivot). Systems with a singular A give NaN (PyTorch's
    hold infs); with check_errors=True they raise LinAlgError."""
    Asq = square_matrices(A, "linalg.solve_ex")
    _, _, info = getrf(Asq._data)
    if check_errors and np.any(info > 0):
        raise LinAlgError(f"linalg.solve_ex{_batch_text(info)}: The solver failed because the "
                          f"input matrix is singular.")
    op_class = Solve if np.all(info == 0) else SolveEx
    return solve_ex_result(solve_with(op_class, "linalg.solve_ex", Asq, B, left), const(info))


def _potrf_info(sym):
    """LAPACK potrf's info per matrix: the order of the first leading minor that is not
    positive definite, 0 if none."""
    flat = sym.reshape((int(np.prod(sym.shape[:-2])),) + sym.shape[-2:])
    info = np.zeros(flat.shape[0], np.int32)
    if not _not_pd(sym):  # all positive definite: one batched call
        return info.reshape(sym.shape[:-2])
    for i in range(flat.shape[0]):
        try:
            np.linalg.cholesky(flat[i])
        except np.linalg.LinAlgError:
            for k in range(1, sym.shape[-1] + 1):
                if not np.all(np.isfinite(flat[i, :k, :k])) or _not_pd(flat[i, :k, :k]):
                    info[i] = k
                    break
    return info.reshape(sym.shape[:-2])


def _not_pd(block):
    try:
        np.linalg.cholesky(block)
        return False
    except np.linalg.LinAlgError:
        return True


class CholeskyEx(Cholesky):
    """cholesky with the factors of the matrices that aren't positive definite NaN."""

    def forward(ctx, a, lower):
        sym = _symmetric_from(a, lower)
        info = _potrf_info(sym)
        ok = info == 0
        if np.all(ok):
            return np.linalg.cholesky(sym)
        out = np.full(a.shape, np.nan, a.dtype)
        if np.any(ok):
            out[ok] = np.linalg.cholesky(sym[ok])
        return out


def cholesky_ex(A, *, upper=False, check_errors=False):
    """(L, info): linalg.cholesky's factor, and info, 0 for a positive-definite matrix,
    else the order of its first leading minor that is not (int32, one per matrix). The
    factor of such a matrix is NaN (PyTorch's holds LAPACK's partial result); with
    check_errors=True it raises LinAlgError."""
    A = square_matrices(A, "linalg.cholesky_ex")
    info = _potrf_info(_symmetric_from(A._data, not upper))
    if check_errors and np.any(info > 0):
        raise LinAlgError(f"linalg.cholesky_ex{_batch_text(info)}: The factorization could not "
                          f"be completed because the input is not positive-definite (the "
                          f"leading minor of order {_first(info)} is not positive-definite).")
    L = CholeskyEx.apply(A, not upper)
    return cholesky_ex_result(mT(L) if upper else L, const(info))

