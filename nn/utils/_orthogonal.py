"""nn.utils.parametrizations.orthogonal's parametrization (PyTorch's `_Orthogonal`):
the matrix exponential, Cayley map or Householder product of an unconstrained matrix,
composed here of differentiable ops (matmul, solve), so gradients of every order follow."""
import math

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import constant, no_grad

from ..module import Module

MAPS = ("matrix_exp", "cayley", "householder")


def _eye(n, like):
    return ag.eye(n, dtype=like.dtype)


def matrix_exp(a):
    """exp(a) for (..., n, n) `a`: scaling and squaring around a degree-18 Taylor
    polynomial (Horner form), the scale chosen from a's 1-norm so the terms left out
    are below double rounding."""
    n = a.shape[-1]
    norm = float(np.abs(a._data).sum(axis=-2).max()) if a._data.size else 0.0
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    b = a / float(2 ** s) if s else a
    eye = _eye(n, a)
    p = eye
    for k in range(18, 0, -1):
        p = eye + (b @ p) / float(k)
    for _ in range(s):
        p = p @ p
    return p


def householder_product(a, tau):
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i the i-th column
    of (..., n, k) `a` below the diagonal with 1 on it (torch.linalg.householder_product)."""
    n, k = a.shape[-2], a.shape[-1]
    batch = tuple(a.shape[:-2])
    q = _eye(n, a).expand(*batch, n, n) if batch else _eye(n, a)
    for i in range(k):
        parts = []
        if i:
            parts.append(ag.zeros(batch + (i,), dtype=a.dtype))
        parts.append(ag.ones(batch + (1,), dtype=a.dtype))
        if i + 1 < n:
            parts.append(a[..., i + 1:, i])
        v = ag.cat(parts, -1).unsqueeze(-1)  # (..., n, 1)
        q = q - (q @ v) * tau[..., i].unsqueeze(-1).unsqueeze(-1) @ v.transpose(-2, -1)
    return q[..., :, :k]


def _make_orthogonal(a):
    """The Q of a's QR factorisation with R's diagonal made non-negative (an array)."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def _is_orthogonal(q):
    n, k = q.shape[-2], q.shape[-1]
    eps = 10.0 * n * np.finfo(q.dtype).eps
    return np.allclose(np.swapaxes(q, -2, -1) @ q, np.eye(k, dtype=q.dtype), atol=eps, rtol=1e-5)


def _geqrf(q):
    """LAPACK geqrf's (a, tau) of (..., n, k) `q`, from NumPy's 'raw' QR, per matrix."""
    flat = q.reshape((-1,) + q.shape[-2:])
    out, taus = np.empty_like(flat), np.empty(flat.shape[:-2] + (min(flat.shape[-2:]),), q.dtype)
    for i, m in enumerate(flat):
        h, tau = np.linalg.qr(m, mode="raw")
        out[i], taus[i] = h.T, tau
    return out.reshape(q.shape), taus.reshape(q.shape[:-2] + taus.shape[-1:])


class _Orthogonal(Module):
    """Maps a matrix (or batch) to an orthogonal one of its shape: the exponential or
    Cayley transform of the skew-symmetric part of its lower triangle, or the product of
    the Householder reflectors below its diagonal; with `use_trivialization` the result
    is multiplied by the buffer `base` (set when a value is assigned)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x):
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.transpose(-2, -1)
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                x = ag.cat([x, ag.zeros(tuple(x.shape[:-2]) + (n, n - k), dtype=x.dtype)], -1)
            a = x - x.transpose(-2, -1)
            if self.orthogonal_map == "matrix_exp":
                q = matrix_exp(a)
            else:
                eye = _eye(n, a)
                q = ag.linalg.solve(eye - a * 0.5, eye + a * 0.5)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = householder_product(a, tau)
            sign = np.trunc(np.diagonal(x._data, axis1=-2, axis2=-1)).astype(x._data.dtype)
            q = q * constant(np.ascontiguousarray(sign[..., None, :]))
        if self._buffers.get("base") is not None:
            q = self.base @ q
        if transposed:
            q = q.transpose(-2, -1)
        return q

    def right_inverse(self, q):
        """What the original must hold for the parametrization to give `q` (with a
        trivialization: `base` becomes q made orthogonal, the original minus the identity).
        Raises ValueError for another shape, NotImplementedError for the exponential or
        Cayley map without trivialization."""
        if tuple(q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape "
                             f"{tuple(q.shape)}.")
        with no_grad():
            arr = q._data
            n, k = arr.shape[-2], arr.shape[-1]
            transpose = n < k
            if transpose:
                arr = np.swapaxes(arr, -2, -1)
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("matrix_exp", "cayley"):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                a, tau = _geqrf(arr)
                diag = np.sign(np.diagonal(a, axis1=-2, axis2=-1)).copy()
                diag[tau == 0.0] *= -1
                idx = np.arange(min(n, k))
                a[..., idx, idx] = diag
                out = np.swapaxes(a, -2, -1) if transpose else a
                return ag.tensor(np.ascontiguousarray(out))
            if n == k:
                base = _make_orthogonal(arr) if not _is_orthogonal(arr) else arr.copy()
            else:
                extra = ag.randn(*(arr.shape[:-2] + (n, n - k)), dtype=q.dtype)._data
                base = _make_orthogonal(np.concatenate([arr, extra], -1))
            self.base = ag.tensor(np.ascontiguousarray(base).astype(arr.dtype, copy=False))
            neg_id = np.zeros(q.shape, arr.dtype)
            idx = np.arange(min(q.shape[-2:]))
            neg_id[..., idx, idx] = -1.0
            return ag.tensor(neg_id)
