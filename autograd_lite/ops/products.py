"""Products and distances between tensors: kron, cross (and linalg.cross), cdist, the
BLAS-style products with a scaled input added (addmm, addmv, baddbmm, addbmm) and
tensordot."""
import warnings

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, broadcast_error, check_dim
from .creation import ones_like, zeros_like
from .elementwise import abs as abs_, clamp_min, sign, sqrt, where
from .linalg import bmm, matmul, mm
from .reduce import sum as sum_
from .shape import cat, expand, permute, reshape, roll, sum_to, unsqueeze


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


# ---- addmm, addmv, baddbmm, addbmm ---------------------------------------------------------
def _same_dtype(op, *named):
    first_name, first = named[0]
    for name, t in named[1:]:
        if t._data.dtype != first._data.dtype:
            raise RuntimeError(f"{op}: expected {first_name} and {name} to have the same dtype, "
                               f"but got: {first._data.dtype} != {t._data.dtype}")


def _check_scalars(op, dtype, beta, alpha):
    if dtype.kind in "biu":
        for name, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float) and not float(v).is_integer():
                raise RuntimeError(f"{op}: for integral input tensors, argument {name} must be "
                                   f"an integer, got {v}")


def _scaled_sum(op, input, product, beta, alpha):
    """beta * input + alpha * product, input broadcast to product's shape. As PyTorch, beta
    = 0 ignores input's values (NaN and inf too); input still gets its zero gradient."""
    shape = tuple(product.shape)
    try:
        ok = np.broadcast_shapes(input._data.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"{op}: input of shape {tuple(input.shape)} can't be broadcast to the "
                         f"product's shape {shape}")
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        if not input.requires_grad:
            return product
        hidden = where(np.zeros(input._data.shape, bool), input, zeros_like(input))
        return product + hidden
    return product + (input if beta == 1 else input * beta)


def _operands(op, **named):
    out = {name: as_tensor(t, op) for name, t in named.items()}
    _same_dtype(op, *out.items())
    return out.values()


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """`beta * input + alpha * (mat1 @ mat2)`: mat1 (n, m), mat2 (m, p), input
    broadcastable to (n, p). With beta=0 input is ignored (its NaN and inf don't
    propagate), as in PyTorch. The three tensors must share a dtype (RuntimeError);
    integer ones take integer beta and alpha (a fractional one raises RuntimeError:
    PyTorch's CPU kernel truncates it); shapes that don't fit raise ShapeError."""
    input, mat1, mat2 = _operands("addmm", input=input, mat1=mat1, mat2=mat2)
    _check_scalars("addmm", input._data.dtype, beta, alpha)
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"addmm: mat1 and mat2 must be matrices, got shapes {tuple(mat1.shape)} "
                         f"and {tuple(mat2.shape)}")
    if mat1.shape[1] != mat2.shape[0]:
        raise ShapeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x"
                         f"{mat1.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """`beta * input + alpha * (mat @ vec)`: mat (n, m), vec (m,), input broadcastable to
    (n,). With beta=0 input is ignored (its NaN and inf don't propagate). The three
    tensors must share a dtype (RuntimeError); integer ones take integer beta and alpha
    (a fractional one raises RuntimeError: PyTorch's CPU kernel truncates it); shapes
    that don't fit raise ShapeError."""
    input, mat, vec = _operands("addmv", input=input, mat=mat, vec=vec)
    _check_scalars("addmv", input._data.dtype, beta, alpha)
    if mat.ndim != 2 or vec.ndim != 1:
        raise ShapeError(f"addmv: expected a matrix and a vector, got shapes {tuple(mat.shape)} "
                         f"and {tuple(vec.shape)}")
    if mat.shape[1] != vec.shape[0]:
        raise ShapeError(f"addmv: size mismatch, got mat {tuple(mat.shape)} and vec "
                         f"{tuple(vec.shape)}")
    return _scaled_sum("addmv", input, matmul(mat, vec), beta, alpha)


def _check_batches(op, b1, b2):
    if b1.ndim != 3 or b2.ndim != 3:
        raise ShapeError(f"{op}: batch1 and batch2 must be 3-D tensors, got shapes "
                         f"{tuple(b1.shape)} and {tuple(b2.shape)}")
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise ShapeError(f"{op}: batch1 {tuple(b1.shape)} and batch2 {tuple(b2.shape)} cannot be "
                         f"multiplied (want (b, n, m) and (b, m, p))")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """`beta * input + alpha * bmm(batch1, batch2)`: batch1 (b, n, m), batch2 (b, m, p),
    input broadcastable to (b, n, p). With beta=0 input is ignored (its NaN and inf
    don't propagate). The three tensors must share a dtype (RuntimeError); integer ones
    take integer beta and alpha (a fractional one raises RuntimeError: PyTorch's CPU
    kernel truncates it); shapes that don't fit raise ShapeError."""
    input, b1, b2 = _operands("baddbmm", input=input, batch1=batch1, batch2=batch2)
    _check_scalars("baddbmm", input._data.dtype, beta, alpha)
    _check_batches("baddbmm", b1, b2)
    return _scaled_sum("baddbmm", input, bmm(b1, b2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """`beta * input + alpha * sum(bmm(batch1, batch2), 0)`: batch1 (b, n, m), batch2 (b,
    m, p), input broadcastable to (n, p). With beta=0 input is ignored (its NaN and inf
    don't propagate). The three tensors must share a dtype (RuntimeError); integer ones
    take integer beta and alpha (a fractional one raises RuntimeError: PyTorch's CPU
    kernel truncates it); shapes that don't fit raise ShapeError."""
    input, b1, b2 = _operands("addbmm", input=input, batch1=batch1, batch2=batch2)
    _check_scalars("addbmm", input._data.dtype, beta, alpha)
    _check_batches("addbmm", b1, b2)
    return _scaled_sum("addbmm", input, sum_(bmm(b1, b2), 0), beta, alpha)


# ---- tensordot ---------------------------------------------------------------------------------
def _dim_list(d, ndim, what):
    dims = [d] if isinstance(d, (int, np.integer)) else list(d)
    return [check_dim(int(x), ndim, f"tensordot ({what})") for x in dims]


def tensordot(a, b, dims=2, out=None):
    """Sums the products of `a`'s and `b`'s elements over the dims `dims` names: an int n
    (a's last n dims against b's first n) or a pair of lists `([dims of a], [dims of b])`.
    The result's dims are a's remaining ones followed by b's. The dtypes must match
    (RuntimeError), and the contracted sizes (ShapeError). `out` is not supported
    (TypeError when given)."""
    if out is not None:
        raise TypeError("tensordot: out= is not supported")
    a, b = as_tensor(a, "tensordot"), as_tensor(b, "tensordot")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"tensordot: expected both tensors to have the same dtype, got "
                           f"{a._data.dtype} and {b._data.dtype}")
    if isinstance(dims, (int, np.integer)):
        n = int(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.ndim or n > b.ndim:
            raise ShapeError(f"tensordot: dims={n} exceeds the dims of shapes {tuple(a.shape)} "
                             f"and {tuple(b.shape)}")
        da, db = list(range(a.ndim - n, a.ndim)), list(range(n))
    elif isinstance(dims, (tuple, list)) and len(dims) == 2:
        da, db = _dim_list(dims[0], a.ndim, "a"), _dim_list(dims[1], b.ndim, "b")
    else:
        raise TypeError(f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}")
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dimension lists should have the same length, got "
                           f"{len(da)} and {len(db)}")
    if len(set(da)) != len(da) or len(set(db)) != len(db):
        raise RuntimeError(f"tensordot: a dim is repeated in dims {dims!r}")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise ShapeError(f"tensordot: contracted dimensions need to match, but first has size "
                             f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in dim {y}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    def size(t, ds):
        return int(np.prod([t.shape[d] for d in ds], dtype=np.int64))
    out_shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    k = size(a, da)
    left = reshape(permute(a, free_a + da), (size(a, free_a), k))
    right = reshape(permute(b, db + free_b), (k, size(b, free_b)))
    return reshape(mm(left, right), out_shape)
