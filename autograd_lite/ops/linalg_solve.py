"""Inverses, determinants and linear systems through NumPy's LAPACK: inv, det,
slogdet, logdet, solve and matrix_power, batched over leading dims. Gradients are the
standard formulas written in ops, so they differentiate again."""
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, const
from .elementwise import where
from .linalg import matmul
from .shape import expand, sum_to, unsqueeze

slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])


class LinAlgError(RuntimeError):
    """A matrix a linear-algebra routine can't handle (singular, not positive
    definite), as torch.linalg.LinAlgError: a RuntimeError."""


def lapack_dtype(dtype, op, low_precision=False):
    """Refuse what LAPACK can't take, as PyTorch: non-float dtypes, and (unless the op
    only multiplies, `low_precision`) float16 and bfloat16."""
    if not _dtypes.is_floating(dtype):
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got {dtype}")
    if not low_precision and dtype.itemsize < 4:
        raise NotImplementedError(f"{op}: Low precision dtypes not supported. Got {dtype} (LAPACK "
                                  f"works in float32 and float64: convert with .float() first)")


def square_matrices(A, op, name="A", low_precision=False):
    """A as a float tensor of (batches of) square matrices, or a clear error."""
    A = as_tensor(A, op)
    a = A._data
    lapack_dtype(a.dtype, op, low_precision)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: {name} must be batches of square matrices, but got shape "
                         f"{tuple(a.shape)}")
    return A


def singular_batches(a):
    """The batch indices (as tuples) of the singular matrices in `a` (.., n, n)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    bad = [i for i in range(flat.shape[0]) if np.linalg.matrix_rank(flat[i]) < a.shape[-1]]
    return [np.unravel_index(i, a.shape[:-2]) for i in bad]


def _singular_error(a, op, what):
    bad = singular_batches(a)
    where = f" (batch element {tuple(int(i) for i in bad[0])})" if bad and a.ndim > 2 else ""
    return LinAlgError(f"{op}{where}: {what} because the input matrix is singular")


def mT(t):
    return t.mT


def _unsqueeze2(t):
    return unsqueeze(unsqueeze(t, -1), -1)


# ---- inv ---------------------------------------------------------------------------
class Inv(Op):
    save_output = True

    def forward(ctx, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular_error(a, "linalg.inv", "the inversion could not be completed") \
                from None

    def backward(ctx, g):
        y = ctx.saved_output
        yt = mT(y)
        return -matmul(matmul(yt, g), yt)

    def fast_backward(ctx, g):
        yt = np.swapaxes(ctx.saved_output_data, -1, -2)
        return -(yt @ g @ yt)


def inv(A):
    """The inverse of each square matrix; a singular one raises LinAlgError."""
    return Inv.apply(square_matrices(A, "linalg.inv"))


# ---- det, slogdet, logdet ------------------------------------------------------------
def _cofactors(a):
    """The cofactor matrix (the gradient of det) from the SVD, defined for singular
    matrices too: det(U) det(Vh) U diag(prod_{j != i} s_j) Vh."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(s, -1)[..., :-1]], -1), -1), -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return (u * (before * after)[..., None, :]) @ vh * sign[..., None, None]


class Det(Op):
    """det(A); the gradient det(A) A^-T (a solve), or the SVD's cofactors where A is
    singular (those are not differentiated again)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, a):
        return np.asarray(np.linalg.det(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        d = ctx.saved_output
        if np.all(d._data != 0):
            try:
                return _unsqueeze2(g * d) * mT(inv(a))
            except LinAlgError:
                pass
        return _unsqueeze2(g) * const(_cofactors(a._data))


def det(A):
    """The determinant of each square matrix."""
    return Det.apply(square_matrices(A, "linalg.det"))


class SlogDet(Op):
    """(sign, log|det|); the gradient of log|det| is A^-T, sign's is zero."""

    save_inputs = (0,)
    multi_output = True

    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        return np.asarray(sign), np.asarray(logabs)

    def backward(ctx, g_sign, g_logabs):
        (a,) = ctx.saved_tensors
        return _unsqueeze2(g_logabs) * mT(inv(a))


def slogdet(A):
    """(sign, log|det|) of each square matrix: the log-determinant without overflow."""
    sign, logabs = SlogDet.apply(square_matrices(A, "linalg.slogdet"))
    return slogdet_result(sign, logabs)


def logdet(input):
    """log(det(A)): -inf for a singular matrix, nan (with a zero gradient, as
    PyTorch's) for a negative determinant."""
    sign, logabs = slogdet(input)
    return where(sign._data < 0, np.nan, logabs)


# ---- solve ---------------------------------------------------------------------------
class Solve(Op):
    """X with A X = B for (.., n, n) A and (.., n, k) B, batch dims broadcast."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        try:
            return np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise _singular_error(a, "linalg.solve", "the solver failed") from None

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        ea, eb = ctx.next_functions
        gb = Solve.apply(mT(a), g)
        ga = -matmul(gb, mT(ctx.saved_output)) if ea is not None else None
        a_shape, b_shape = ctx.shapes
        return (sum_to(ga, a_shape) if ga is not None else None,
                sum_to(gb, b_shape) if eb is not None else None)


def solve(A, B, *, left=True):
    """X with A X = B (or X A = B when left=False). B is a (batch of) vector(s) when it
    has one dim, or one dim fewer than A and A's shape without the last dim."""
    return solve_with(Solve, "linalg.solve", A, B, left)


def solve_with(op_class, op, A, B, left):
    """solve's argument handling around `op_class` (Solve, or linalg.solve_ex's)."""
    A = square_matrices(A, op)
    B = as_tensor(B, op)
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(f"{op}: expected A and B to have the same dtype, got "
                           f"{A._data.dtype} and {B._data.dtype}")
    a, b = A._data, B._data
    vector = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    if vector:
        B = unsqueeze(B, -1)
    if B.ndim < 2:
        raise ShapeError(f"{op}: B must have at least 1 dim, got shape {tuple(b.shape)}")
    n = a.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise ShapeError(f"{op}: incompatible shapes of A {tuple(a.shape)} and B "
                         f"{tuple(b.shape)}")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], tuple(B.shape[:-2]))
    except ValueError:
        raise ShapeError(f"{op}: the batch dims of A {tuple(a.shape)} and B "
                         f"{tuple(b.shape)} cannot be broadcast") from None
    if left:
        X = op_class.apply(A, expand(B, batch + tuple(B.shape[-2:])))
    else:
        X = mT(op_class.apply(mT(A), expand(mT(B), batch + (B.shape[-1], B.shape[-2]))))
    return X[..., 0] if vector else X


# ---- matrix_power ----------------------------------------------------------------------
class EyeLike(Op):
    """Identity matrices shaped like A: A^0, with a zero gradient."""

    def forward(ctx, a):
        ctx.shape = a.shape
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    def backward(ctx, g):
        return g * 0

    def fast_backward(ctx, g):
        return np.zeros(ctx.shape, g.dtype)


def matrix_power(A, n):
    """A multiplied by itself n times (by squaring); n < 0 powers the inverse, n = 0
    gives the identity."""
    n = int(n)
    A = square_matrices(A, "linalg.matrix_power", low_precision=n >= 0)  # only products
    if n == 0:
        return EyeLike.apply(A)
    if n < 0:
        A, n = inv(A), -n
    result, power = None, A
    while n:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if n:
            power = matmul(power, power)
    return result
