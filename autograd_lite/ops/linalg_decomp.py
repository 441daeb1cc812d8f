"""Matrix decompositions through NumPy's LAPACK: cholesky, qr, svd/svdvals,
eigh/eigvalsh and pinv, batched over leading dims, with the standard backward formulas
(Murray's for Cholesky, the QR rule for tall and wide matrices, Townsend's for the
SVD, the symmetric eigenvalue rule, Golub-Pereyra's for the pseudo-inverse).

The factors a backward needs are kept as arrays; under create_graph (grad mode on in
backward) the decomposition is recomputed from the saved input, so the factors are
connected to the graph and the gradient differentiates again.
"""
from collections import namedtuple

import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, const
from .elementwise import where
from .linalg import matmul
from .linalg_solve import LinAlgError, inv, lapack_dtype, mT, square_matrices
from .shape import cat, unsqueeze
from .triangular import diag_embed, diagonal, tril

qr_result = namedtuple("qr", ["Q", "R"])
svd_result = namedtuple("svd", ["U", "S", "Vh"])
eigh_result = namedtuple("eigh", ["eigenvalues", "eigenvectors"])


def _float_matrices(A, op):
    A = as_tensor(A, op)
    a = A._data
    lapack_dtype(a.dtype, op)
    if a.ndim < 2:
        raise ShapeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape "
                         f"{tuple(a.shape)}")
    return A


def _factors(ctx, recompute):
    """The factors for backward: recomputed from the saved input under create_graph
    (connected to the graph), else the arrays forward kept (as constants)."""
    (a,) = ctx.saved_tensors
    if is_grad_enabled():
        return recompute(a)
    return tuple(const(f) for f in ctx.factors)


def _symmetric_from(a, lower):
    """The symmetric matrix one triangle of `a` describes (the other is not read)."""
    tri = np.tril(a) if lower else np.triu(a)
    strict = np.tril(a, -1) if lower else np.triu(a, 1)
    return tri + np.swapaxes(strict, -1, -2)


def _eye_mask(n):
    return np.eye(n, dtype=bool)


def _pair_weights(values):
    """F_ij = 1 / (values_j - values_i) off the diagonal, 0 on it (.., n, n)."""
    n = values.shape[-1]
    diff = unsqueeze(values, -2) - unsqueeze(values, -1)
    mask = _eye_mask(n)
    return where(mask, 0.0, 1 / where(mask, 1.0, diff))


# ---- cholesky --------------------------------------------------------------------------
def _first_bad_minor(a):
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[..., :k, :k])
        except np.linalg.LinAlgError:
            return k
    return a.shape[-1]


class Cholesky(Op):
    """L lower triangular with L L^T = A, from one triangle of A (the lower, or the
    upper for upper=True, as LAPACK's uplo). The gradient L^-T Phi(L^T gL) L^-1,
    symmetrised (Phi: the lower triangle, diagonal halved)."""

    save_output = True

    def forward(ctx, a, lower):
        sym = _symmetric_from(a, lower)
        try:
            return np.linalg.cholesky(sym)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.cholesky: The factorization could not be completed "
                              f"because the input is not positive-definite (the leading minor "
                              f"of order {_first_bad_minor(sym)} is not positive-definite)") \
                from None

    def backward(ctx, g):
        L = ctx.saved_output
        P = tril(matmul(mT(L), g))
        P = P - diag_embed(diagonal(P, 0, -2, -1)) * 0.5
        L_inv = inv(L)
        S = matmul(matmul(mT(L_inv), P), L_inv)
        return (S + mT(S)) * 0.5


def cholesky(A, *, upper=False):
    """The Cholesky factor of each symmetric positive-definite matrix: lower (L L^T = A,
    from A's lower triangle) or, with upper=True, U = L^T (from A's upper triangle). A
    matrix that isn't positive definite raises LinAlgError."""
    L = Cholesky.apply(square_matrices(A, "linalg.cholesky"), not upper)
    return mT(L) if upper else L


# ---- qr ----------------------------------------------------------------------------
def _copy_lower_to_upper(M):
    return tril(M) + mT(tril(M, -1))


def _qr_backward_tall(Q, R, gQ, gR):
    """A = Q R with m >= n: gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q."""
    M = matmul(R, mT(gR)) - matmul(mT(gQ), Q)
    return matmul(gQ + matmul(Q, _copy_lower_to_upper(M)), mT(inv(R)))


class QR(Op):
    save_inputs = (0,)
    multi_output = True

    def forward(ctx, a, mode):
        ctx.mode = mode
        if mode == "r":
            ctx.factors = ()
            return np.zeros((0,), a.dtype), np.linalg.qr(a, mode="r")
        q, r = np.linalg.qr(a, mode=mode)
        ctx.factors = (q.copy(), r.copy())
        return q, r

    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError("linalg.qr: the derivative of linalg.qr depends on Q, which is "
                               "not computed when mode='r'; use mode='reduced' to differentiate")
        Q, R = _factors(ctx, lambda a: tuple(qr(a, ctx.mode)))
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: the QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols")
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR)
        # wide: A = [X | Y] with X = Q U square, Y = Q V
        (a,) = ctx.saved_tensors
        Y = a[..., :, m:]
        U, gU, gV = R[..., :, :m], gR[..., :, :m], gR[..., :, m:]
        gX = _qr_backward_tall(Q, U, gQ + matmul(Y, mT(gV)), gU)
        return cat([gX, matmul(Q, gV)], -1)


def qr(A, mode="reduced"):
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular (LAPACK's signs,
    which PyTorch shares). mode: 'reduced', 'complete', or 'r' (Q empty)."""
    A = _float_matrices(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"linalg.qr: qr received unrecognized mode '{mode}' but expected "
                           f"one of 'reduced' (default), 'r', or 'complete'")
    Q, R = QR.apply(A, mode)
    return qr_result(Q, R)


# ---- svd ---------------------------------------------------------------------------
def _svd_backward(U, S, Vh, gU, gS, gVh):
    """Townsend's rule for A = U diag(S) Vh (reduced, k = min(m, n)):
    U [(F o (U^T gU - gU^T U)) S + diag(gS) + S (F o (V^T gV - gV^T V))] Vh
    + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V V^T), F_ij = 1 / (s_j^2 - s_i^2)."""
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    F = _pair_weights(S * S)
    UtgU = matmul(mT(U), gU)
    VtgV = matmul(Vh, mT(gVh))
    core = (F * (UtgU - mT(UtgU))) * unsqueeze(S, -2) + unsqueeze(S, -1) * (F * (VtgV - mT(VtgV)))
    core = core + diag_embed(gS)
    gA = matmul(matmul(U, core), Vh)
    S_inv = unsqueeze(1 / S, -2)
    if m > k:
        gA = gA + matmul((gU - matmul(U, UtgU)) * S_inv, Vh)
    if n > k:
        gA = gA + matmul(U * S_inv, gVh - matmul(mT(VtgV), Vh))
    return gA


class SVD(Op):
    save_inputs = (0,)
    multi_output = True

    def forward(ctx, a, full_matrices):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        k = s.shape[-1]
        ctx.factors = (u[..., :, :k].copy(), s.copy(), vh[..., :k, :].copy())
        return u, s, vh

    def backward(ctx, gU, gS, gVh):
        U, S, Vh = _factors(ctx, lambda a: tuple(svd(a, full_matrices=False)))
        k = S.shape[-1]
        # the columns beyond min(m, n) of full matrices are not unique: their
        # gradients are dropped, as PyTorch does
        return _svd_backward(U, S, Vh, gU[..., :, :k], gS, gVh[..., :k, :])


def svd(A, full_matrices=True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh, S descending. Singular vectors are unique up to
    sign only: LAPACK builds differ in the signs they pick (PyTorch's MKL and NumPy's
    OpenBLAS do), so compare U S Vh, or sign-free quantities, across libraries."""
    A = _float_matrices(A, "linalg.svd")
    if driver is not None:
        raise RuntimeError("linalg.svd: keyword argument `driver=` is only supported on CUDA "
                           "inputs with cuSOLVER backend")
    U, S, Vh = SVD.apply(A, bool(full_matrices))
    return svd_result(U, S, Vh)


class SVDVals(Op):
    save_inputs = (0,)

    def forward(ctx, a):
        return np.linalg.svd(a, compute_uv=False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        U, _, Vh = svd(a if is_grad_enabled() else const(a._data), full_matrices=False)
        return matmul(U * unsqueeze(g, -2), Vh)


def svdvals(A, *, driver=None):
    """The singular values of each matrix, descending (differentiable: U diag(g) Vh)."""
    A = _float_matrices(A, "linalg.svdvals")
    return SVDVals.apply(A)


# ---- eigh --------------------------------------------------------------------------
def _check_uplo(UPLO, op):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO == "L"


class Eigh(Op):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix, one
    triangle of which is read. The gradient, symmetrised as PyTorch's:
    V (diag(gL) + F o (V^T gV - gV^T V) / 2) V^T, F_ij = 1 / (l_j - l_i)."""

    save_inputs = (0,)
    multi_output = True

    def forward(ctx, a, lower):
        ctx.lower = lower
        w, v = np.linalg.eigh(_symmetric_from(a, lower))
        ctx.factors = (w.copy(), v.copy())
        return w, v

    def backward(ctx, gL, gV):
        L, V = _factors(ctx, lambda a: tuple(eigh(a, "L" if ctx.lower else "U")))
        VtgV = matmul(mT(V), gV)
        inner = _pair_weights(L) * (VtgV - mT(VtgV)) * 0.5 + diag_embed(gL)
        return matmul(matmul(V, inner), mT(V))


def eigh(A, UPLO="L"):
    """(eigenvalues ascending, eigenvectors as columns) of each symmetric matrix, read
    from its lower (UPLO='L') or upper triangle. Eigenvectors are unique up to sign
    only (see svd)."""
    lower = _check_uplo(UPLO, "linalg.eigh")
    L, V = Eigh.apply(square_matrices(A, "linalg.eigh"), lower)
    return eigh_result(L, V)


class EigvalsH(Op):
    save_inputs = (0,)

    def forward(ctx, a, lower):
        ctx.lower = lower
        return np.linalg.eigvalsh(_symmetric_from(a, lower))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        _, V = eigh(a if is_grad_enabled() else const(a._data), "L" if ctx.lower else "U")
        return matmul(V * unsqueeze(g, -2), mT(V))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues (ascending) of each symmetric matrix (differentiable)."""
    lower = _check_uplo(UPLO, "linalg.eigvalsh")
    return EigvalsH.apply(square_matrices(A, "linalg.eigvalsh"), lower)


# ---- pinv --------------------------------------------------------------------------
class Pinv(Op):
    """The pseudo-inverse P of A from the SVD, singular values at or below the cutoff
    taken as zero. Gradient (Golub-Pereyra, for locally constant rank):
    -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, a, atol, rtol, hermitian):
        if hermitian:  # eigenvalues stand in for the singular values
            values, v = np.linalg.eigh(_symmetric_from(a, True))
            left, right = v, v
        else:
            u, values, vh = np.linalg.svd(a, full_matrices=False)
            left, right = np.swapaxes(vh, -1, -2), u
        size = np.abs(values)
        keep = size > np.maximum(atol, rtol * size.max(-1, keepdims=True, initial=0))
        inverted = np.where(keep, 1 / np.where(keep, values, 1), 0)
        return (left * inverted[..., None, :]) @ np.swapaxes(right, -1, -2)

    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        P = ctx.saved_output
        Pt, gt = mT(P), mT(g)
        AP = matmul(A, P)  # (m, m)
        PA = matmul(P, A)  # (n, n)
        term1 = -matmul(matmul(Pt, g), Pt)
        term2 = matmul(matmul(gt - matmul(AP, gt), P), Pt)
        term3 = matmul(matmul(Pt, P), gt - matmul(gt, PA))
        return term1 + term2 + term3


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse of each matrix. Singular values at or below
    max(atol, rtol * largest) count as zero; rtol defaults to eps * max(m, n) when
    neither tolerance is given (and to 0 when only atol is)."""
    A = _float_matrices(A, "linalg.pinv")
    a = A._data
    if hermitian and a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.pinv: hermitian=True needs square matrices, got shape "
                         f"{tuple(a.shape)}")
    atol_v = 0.0 if atol is None else _tolerance(atol)
    if rtol is None:
        rtol_v = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None or np.all(
            atol_v <= 0) else 0.0
    else:
        rtol_v = _tolerance(rtol)
    return Pinv.apply(A, atol_v, rtol_v, bool(hermitian))


def _tolerance(t):
    """A tolerance: a number, or a tensor of one per matrix (broadcast as (.., 1))."""
    if hasattr(t, "_data"):
        return np.asarray(t._data)[..., None]
    return float(t)


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse, singular values at or below rcond * largest taken as zero."""
    return pinv(input, rtol=rcond)
