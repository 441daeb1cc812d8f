"""Products and distances between tensors: kron, cross (and linalg.cross) and cdist."""
import warnings

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, broadcast_error, check_dim
from .creation import ones_like
from .elementwise import abs as abs_, clamp_min, sign, sqrt, where
from .linalg import matmul
from .reduce import sum as sum_
from .shape import cat, expand, reshape, roll, sum_to, unsqueeze


def kron(input, other):
    """The Kronecker product: block (i, j, ...) is input[i, j, ...] * other. The operands
    are padded with leading 1-dims to the same number of dims."""
    a, b = as_tensor(input, "kron"), as_tensor(other, "kron")
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    a = reshape(a, tuple(v for s in sa for v in (s, 1)))  # (a0, 1, a1, 1, ...)
    b = reshape(b, tuple(v for s in sb for v in (1, s)))  # (1, b0, 1, b1, ...)
    return reshape(a * b, tuple(x * y for x, y in zip(sa, sb)))


# ---- cross ---------------------------------------------------------------------------
def _cross(input, other, dim, op):
    a, b = as_tensor(input, op), as_tensor(other, op)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op}: expected both inputs to have the same dtype, got "
                           f"{a._data.dtype} and {b._data.dtype}")
    if a._data.ndim != b._data.ndim:
        raise ShapeError(f"{op}: inputs must have the same number of dimensions, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    try:
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error(op, a._data, b._data) from None
    if dim is None:
        dim = next((d for d, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise ShapeError(f"{op}: no dimension of size 3 in input shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")
    d = check_dim(dim, len(shape), op)
    if a._data.shape[d] != 3 or b._data.shape[d] != 3:
        raise ShapeError(f"{op}: inputs dimension {dim} must have length 3. Got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    a, b = expand(a, shape), expand(b, shape)
    # (a x b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}, indices mod 3
    return roll(a, -1, d) * roll(b, -2, d) - roll(a, -2, d) * roll(b, -1, d)


def cross(input, other, dim=None):
    """The cross product of 3-vectors along `dim` (the operands broadcast). Without
    `dim`, PyTorch's deprecated default: the first dim of size 3, with a warning."""
    if dim is None:
        warnings.warn("Using cross without specifying the dim arg is deprecated; pass the dim "
                      "explicitly or use linalg.cross (whose default is dim=-1)", UserWarning,
                      stacklevel=2)
    return _cross(input, other, dim, "cross")


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along `dim` (default the last; operands broadcast)."""
    return _cross(input, other, dim, "linalg.cross")


def vecdot(x, y, *, dim=-1):
    """The dot products of the vectors along `dim` (the operands broadcast)."""
    return sum_(as_tensor(x, "linalg.vecdot") * y, dim)


# ---- cdist ---------------------------------------------------------------------------
_COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                  "donot_use_mm_for_euclid_dist": 2}


class Cdist(Op):
    """The p-norm distances between the rows of x1 (.., P, M) and x2 (.., R, M), from
    their differences; the gradient is PyTorch's (0 where a distance is 0)."""

    save_inputs = (0, 1)
    save_output = True

    def forward(ctx, x1, x2, p):
        ctx.p, ctx.shapes = p, (x1.shape, x2.shape)
        diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            return np.count_nonzero(diff, axis=-1).astype(x1.dtype)
        if p == 1:
            return diff.sum(-1)
        if p == 2:
            return np.sqrt(np.einsum("...i,...i->...", diff, diff))
        if p == np.inf:
            return diff.max(-1, initial=0)
        with np.errstate(over="ignore"):
            return (diff ** p).sum(-1) ** (1 / p)

    def backward(ctx, g):
        x1, x2 = ctx.saved_tensors
        p = ctx.p
        diff = unsqueeze(x1, -2) - unsqueeze(x2, -3)  # (.., P, R, M)
        dist = unsqueeze(ctx.saved_output, -1)
        g = unsqueeze(g, -1)
        zero = dist._data == 0
        if p == 0:
            grad = diff * 0
        elif p == 1:
            grad = g * sign(diff)
        elif p == 2:
            grad = where(zero, 0.0, g * diff / where(zero, 1.0, dist))
        elif p == np.inf:
            grad = g * sign(diff) * (abs_(diff)._data == dist._data)
        else:
            safe = where(zero, 1.0, dist)
            mag = abs_(diff)
            if p < 1:  # |diff|^(p-1) is infinite at 0: PyTorch takes 0 there
                mag = where(mag._data == 0, 1.0, mag)
            grad = where(zero | (diff._data == 0), 0.0,
                         g * sign(diff) * (mag / safe) ** (p - 1))
        e1, e2 = ctx.next_functions[:2]
        shape1, shape2 = ctx.shapes
        return (sum_to(sum_(grad, -2), shape1) if e1 is not None else None,
                sum_to(-sum_(grad, -3), shape2) if e2 is not None else None)


def _euclidean_by_matmul(x1, x2):
    """PyTorch's matmul form of the euclidean distance (its default for more than 25
    rows): sqrt(max(|a|^2 + |b|^2 - 2 a.b, 1e-30)), one matmul on padded operands."""
    n1 = sum_(x1 * x1, -1, keepdim=True)
    n2 = sum_(x2 * x2, -1, keepdim=True)
    left = cat([x1 * -2, n1, ones_like(n1)], -1)
    right = cat([x2, ones_like(n2), n2], -1)
    return sqrt(clamp_min(matmul(left, right.mT), 1e-30))


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 (.., P, M) and each of x2 (.., R, M):
    (.., P, R), batch dims broadcast. For p=2, `compute_mode` picks PyTorch's matmul form
    (faster, less exact for close points) as PyTorch does: always, never, or when P or R
    exceeds 25."""
    x1, x2 = as_tensor(x1, "cdist"), as_tensor(x2, "cdist")
    a, b = x1._data, x2._data
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"cdist: {compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", a), ("X2", b)):
        if t.ndim < 2:
            raise ShapeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D "
                             f"(shape {t.shape})")
        if not _dtypes.is_floating(t.dtype):
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {t.dtype}")
        if t.dtype is _dtypes.bfloat16:
            raise NotImplementedError(f"cdist: not implemented for bfloat16 ({name}), as PyTorch's "
                                      f"CPU cdist; convert with .float() first")
    if a.dtype != b.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have the same dtype, got {a.dtype} and "
                           f"{b.dtype}")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"cdist: X1 and X2 must have the same number of columns. X1: "
                         f"{a.shape[-1]} X2: {b.shape[-1]}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist: batch dims of {a.shape} and {b.shape} cannot be broadcast") \
            from None
    p = float(p)
    if p < 0 or np.isnan(p):
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    mode = _COMPUTE_MODES[compute_mode]
    if p == 2 and (mode == 1 or (mode == 0 and (a.shape[-2] > 25 or b.shape[-2] > 25))):
        return _euclidean_by_matmul(x1, x2)
    return Cdist.apply(x1, x2, p)
