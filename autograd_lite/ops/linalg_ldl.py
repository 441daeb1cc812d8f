"""LDL^T factorizations of symmetric matrices (torch.linalg.ldl_factor, ldl_factor_ex,
ldl_solve): LAPACK sytrf's Bunch-Kaufman pivoting (1 x 1 and 2 x 2 diagonal blocks),
from the lower triangle, on arrays, batched over leading dims; ldl_solve is sytrs's
two triangular sweeps. As PyTorch's, neither has a derivative: their outputs require a
gradient when an input does, and backward through them raises."""
from collections import namedtuple

import numpy as np

from ..autograd.node import Op
from ._util import ShapeError, as_tensor
from .linalg_solve import LinAlgError, lapack_dtype, square_matrices

ldl_factor_result = namedtuple("ldl_factor", ["LD", "pivots"])
ldl_factor_ex_result = namedtuple("ldl_factor_ex", ["LD", "pivots", "info"])
ALPHA = (1 + np.sqrt(17)) / 8  # Bunch-Kaufman's threshold


def _swap_rows_cols(A, kk, kp, k, kstep):
    """sytf2's symmetric interchange of rows and columns kk and kp (lower triangle)."""
    n = A.shape[0]
    if kp < n - 1:
        A[kp + 1:, [kk, kp]] = A[kp + 1:, [kp, kk]]
    held = A[kk + 1:kp, kk].copy()
    A[kk + 1:kp, kk] = A[kp, kk + 1:kp]
    A[kp, kk + 1:kp] = held
    A[kk, kk], A[kp, kp] = A[kp, kp], A[kk, kk]
    if kstep == 2:
        A[k + 1, k], A[kp, k] = A[kp, k], A[k + 1, k]


def _pivot(A, k):
    """(kp, kstep): Bunch-Kaufman's choice for column k, or (None, 1) for a zero column."""
    n = A.shape[0]
    absakk = abs(A[k, k])
    imax, colmax = k, 0.0
    if k < n - 1:
        imax = k + 1 + int(np.argmax(np.abs(A[k + 1:, k])))
        colmax = abs(A[imax, k])
    if max(absakk, colmax) == 0 or np.isnan(absakk):
        return None, 1
    if absakk >= ALPHA * colmax:
        return k, 1
    jmax = k + int(np.argmax(np.abs(A[imax, k:imax])))
    rowmax = abs(A[imax, jmax])
    if imax < n - 1:
        jmax = imax + 1 + int(np.argmax(np.abs(A[imax + 1:, imax])))
        rowmax = max(rowmax, abs(A[jmax, imax]))
    if absakk >= ALPHA * colmax * (colmax / rowmax):
        return k, 1
    if abs(A[imax, imax]) >= ALPHA * rowmax:
        return imax, 1
    return imax, 2


def sytf2(a):
    """(LD lower, 1-based int32 pivots, info) of one symmetric matrix's lower triangle,
    as LAPACK's sytf2/sytrf: a negative pivot pair marks a 2 x 2 block."""
    A = np.tril(a)
    n = A.shape[0]
    ipiv = np.zeros(n, np.int32)
    info, k = 0, 0
    while k < n:
        kp, kstep = _pivot(A, k)
        if kp is None:
            info = info or k + 1
            kp = k
        else:
            kk = k + kstep - 1
            if kp != kk:
                _swap_rows_cols(A, kk, kp, k, kstep)
            if kstep == 1 and k < n - 1:
                d11 = 1 / A[k, k]
                A[k + 1:, k + 1:] -= np.tril(np.outer(A[k + 1:, k], d11 * A[k + 1:, k]))
                A[k + 1:, k] *= d11
            elif kstep == 2 and k < n - 2:
                d21 = A[k + 1, k]
                d11 = A[k + 1, k + 1] / d21
                d22 = A[k, k] / d21
                d21 = 1 / (d11 * d22 - 1) / d21
                wk = d21 * (d11 * A[k + 2:, k] - A[k + 2:, k + 1])
                wkp1 = d21 * (d22 * A[k + 2:, k + 1] - A[k + 2:, k])
                A[k + 2:, k + 2:] -= np.tril(np.outer(A[k + 2:, k], wk) + np.outer(A[k + 2:, k + 1], wkp1))
                A[k + 2:, k] = wk
                A[k + 2:, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return A, ipiv, info


def sytrs(LD, ipiv, b):
    """X with A X = b from sytf2's (LD, ipiv) of one matrix (b: (n, k), copied)."""
    n = LD.shape[0]
    B = np.array(b, copy=True)
    k = 0
    while k < n:  # L D Y = B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            B[[k, kp]] = B[[kp, k]]
            B[k + 1:] -= np.outer(LD[k + 1:, k], B[k])
            B[k] /= LD[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            B[[k + 1, kp]] = B[[kp, k + 1]]
            B[k + 2:] -= np.outer(LD[k + 2:, k], B[k]) + np.outer(LD[k + 2:, k + 1], B[k + 1])
            akm1k = LD[k + 1, k]
            akm1, ak = LD[k, k] / akm1k, LD[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = B[k] / akm1k, B[k + 1] / akm1k
            B[k], B[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y
        if ipiv[k] > 0:
            B[k] -= LD[k + 1:, k] @ B[k + 1:]
            kp = ipiv[k] - 1
            B[[k, kp]] = B[[kp, k]]
            k -= 1
        else:
            B[k] -= LD[k + 1:, k] @ B[k + 1:]
            B[k - 1] -= LD[k + 1:, k - 1] @ B[k + 1:]
            kp = -ipiv[k] - 1
            B[[k, kp]] = B[[kp, k]]
            k -= 2
    return B


class LDLFactor(Op):
    """(LD, pivots, info); no derivative, as PyTorch's."""

    multi_output = True
    non_differentiable = (1, 2)

    def forward(ctx, a):
        n = a.shape[-1]
        flat = a.reshape((int(np.prod(a.shape[:-2])), n, n))
        LD = np.empty_like(flat)
        piv = np.empty(flat.shape[:2], np.int32)
        info = np.empty(flat.shape[0], np.int32)
        for i in range(flat.shape[0]):
            LD[i], piv[i], info[i] = sytf2(flat[i])
        return LD.reshape(a.shape), piv.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])

    def backward(ctx, *grads):
        raise RuntimeError("derivative for linalg.ldl_factor is not implemented (as PyTorch's)")


class LDLSolve(Op):
    """X with A X = B from (LD, pivots); no derivative, as PyTorch's."""

    def forward(ctx, LD, B, piv):
        batch = np.broadcast_shapes(LD.shape[:-2], B.shape[:-2])
        n = LD.shape[-1]
        LDb = np.broadcast_to(LD, batch + LD.shape[-2:]).reshape((-1, n, n))
        pivb = np.broadcast_to(piv, batch + piv.shape[-1:]).reshape((-1, n))
        Bb = np.broadcast_to(B, batch + B.shape[-2:]).reshape((-1,) + B.shape[-2:])
        out = np.empty(Bb.shape, np.result_type(LD, B))
        for i in range(Bb.shape[0]):
            out[i] = sytrs(LDb[i], pivb[i], Bb[i])
        return out.reshape(batch + B.shape[-2:])

    def backward(ctx, g):
        raise RuntimeError("derivative for linalg.ldl_solve is not implemented (as PyTorch's)")


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """(LD, pivots, info): A = P L D L^T P^T for a symmetric A read from its lower
    triangle, as LAPACK's sytrf (Bunch-Kaufman): LD holds L's strict lower triangle and D's
    blocks (its upper triangle zero); pivots (int32, 1-based) are negative in pairs where D
    has a 2 x 2 block; info is the 1-based index of the first zero pivot (0 if none).
    `hermitian` is accepted (real matrices: the same). check_errors=True raises where info
    > 0. No derivative (as PyTorch's: backward raises)."""
    A = square_matrices(A, "linalg.ldl_factor_ex")
    LD, piv, info = LDLFactor.apply(A)
    if check_errors and np.any(info._data > 0):
        raise LinAlgError(f"linalg.ldl_factor_ex: D[{int(info._data[info._data > 0].flat[0])}] is "
                          f"zero: the input matrix is singular")
    return ldl_factor_ex_result(LD, piv, info)


def ldl_factor(A, *, hermitian=False):
    """(LD, pivots) of ldl_factor_ex; a singular matrix (a zero pivot) raises
    LinAlgError (PyTorch's fails with an internal error there)."""
    A = square_matrices(A, "linalg.ldl_factor")
    LD, piv, info = LDLFactor.apply(A)
    if np.any(info._data > 0):
        raise LinAlgError(f"linalg.ldl_factor: D[{int(info._data[info._data > 0].flat[0])}] is "
                          f"zero: the input matrix is singular (ldl_factor_ex returns the "
                          f"factors and info)")
    return ldl_factor_result(LD, piv)


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """X with A X = B from ldl_factor's (LD, pivots); batch dims broadcast. No
    derivative (as PyTorch's)."""
    op = "linalg.ldl_solve"
    LD, B = square_matrices(LD, op, "LD"), as_tensor(B, op)
    ld, b = LD._data, B._data
    lapack_dtype(b.dtype, op)
    if b.ndim < 2:
        raise ShapeError(f"{op}: B must have at least 2 dimensions, got shape {tuple(b.shape)}")
    if b.dtype != ld.dtype:
        raise RuntimeError(f"{op}: expected LD and B to have the same dtype, got {ld.dtype} and "
                           f"{b.dtype}")
    n = ld.shape[-1]
    if b.shape[-2] != n:
        raise ShapeError(f"{op}: Incompatible shapes of A and B for the equation AX = B "
                         f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    piv = np.asarray(pivots._data if hasattr(pivots, "_data") else pivots)
    if piv.dtype.kind not in "iu" or piv.shape != ld.shape[:-1]:
        raise ShapeError(f"{op}: pivots must be integers of shape {tuple(ld.shape[:-1])}, got "
                         f"{piv.dtype} {tuple(piv.shape)}")
    if piv.size and (np.abs(piv).min() < 1 or np.abs(piv).max() > n):
        raise RuntimeError(f"{op}: pivots must lie in [1, {n}] (negative for 2 x 2 blocks)")
    try:
        np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"{op}: the batch dims of LD {tuple(ld.shape)} and B {tuple(b.shape)} "
                         f"cannot be broadcast") from None
    return LDLSolve.apply(LD, B, piv)
