"""Triangles and diagonals: tril/triu and their index lists, diag, diagonal (a view,
as PyTorch's), diag_embed and trace."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, check_dim, const
from .creation import _options, clone
from .reduce import sum as sum_


# ---- tril / triu ---------------------------------------------------------------------
class Triangle(Op):
    """The lower (tril) or upper (triu) triangle of the last two dims; the gradient is
    the same triangle of the incoming gradient."""

    def forward(ctx, x, k, lower):
        ctx.k, ctx.lower = k, lower
        return np.tril(x, k) if lower else np.triu(x, k)

    def backward(ctx, g):
        return Triangle.apply(g, ctx.k, ctx.lower)

    def fast_backward(ctx, g):
        return np.tril(g, ctx.k) if ctx.lower else np.triu(g, ctx.k)


def _triangle(input, diagonal, lower):
    op = "tril" if lower else "triu"
    input = as_tensor(input, op)
    if input._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(input._data.shape)}")
    return Triangle.apply(input, int(diagonal), lower)


def tril(input, diagonal=0):
    """The lower triangle (on and below the `diagonal`-th diagonal) of the last two dims."""
    return _triangle(input, diagonal, True)


def triu(input, diagonal=0):
    """The upper triangle (on and above the `diagonal`-th diagonal) of the last two dims."""
    return _triangle(input, diagonal, False)


def _triangle_indices(row, col, offset, dtype, device, layout, lower):
    op = "tril_indices" if lower else "triu_indices"
    dtype = _options(op, dtype, layout, device) or _dtypes.int64
    if dtype.kind not in "iu":
        raise NotImplementedError(f"{op}: not implemented for dtype {dtype} (use an integer dtype)")
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{op}: {name} must be non-negative, got {v}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(int(row), int(offset), int(col))
    return const(np.stack([rows, cols]).astype(dtype).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row and column indices of the lower triangle of a row x col matrix,
    row by row."""
    return _triangle_indices(row, col, offset, dtype, device, layout, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row and column indices of the upper triangle of a row x col matrix,
    row by row."""
    return _triangle_indices(row, col, offset, dtype, device, layout, False)


# ---- diagonals -----------------------------------------------------------------------
def _writable_diagonal(x, offset, d1, d2):
    """NumPy's diagonal view, writable when `x` is (PyTorch's diagonal is a writable
    view: `a.diagonal().fill_(1)` changes `a`)."""
    view = np.diagonal(x, offset, d1, d2)
    if x.flags.writeable:
        try:
            view.flags.writeable = True
        except ValueError:  # a base NumPy won't let go of (read-only memory)
            pass
    return view


class Diagonal(Op):
    """The diagonal of dims d1, d2 as a view, appended as the last dim."""

    is_view = True

    def forward(ctx, x, offset, d1, d2):
        ctx.in_shape, ctx.where = x.shape, (offset, d1, d2)
        return _writable_diagonal(x, offset, d1, d2)

    def backward(ctx, g):
        return DiagonalScatter.apply(g, ctx.in_shape, *ctx.where)


class DiagonalScatter(Op):
    """Zeros of `shape` with `x` written along the diagonal of dims d1, d2 (the
    gradient of Diagonal, and diag_embed)."""

    def forward(ctx, x, shape, offset, d1, d2):
        ctx.where = (offset, d1, d2)
        out = np.zeros(shape, x.dtype)
        _writable_diagonal(out, offset, d1, d2)[...] = x
        return out

    def backward(ctx, g):
        return Diagonal.apply(g, *ctx.where)


def _two_dims(dim1, dim2, ndim, op):
    d1, d2 = check_dim(dim1, ndim, op), check_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The `offset`-th diagonal of dims dim1 and dim2, as a view whose last dim runs
    along the diagonal (empty when the offset passes the matrix)."""
    input = as_tensor(input, "diagonal")
    if input._data.ndim < 2:
        raise IndexError(f"diagonal: expected a tensor with at least 2 dims, got shape "
                         f"{tuple(input._data.shape)}")
    d1, d2 = _two_dims(dim1, dim2, input._data.ndim, "diagonal")
    return Diagonal.apply(input, int(offset), d1, d2)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """linalg.diagonal: diagonal() with the last two dims as the default."""
    return diagonal(A, offset, dim1, dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor with one more dim whose diagonals of dims dim1, dim2 hold the last dim
    of `input` (zeros elsewhere)."""
    input = as_tensor(input, "diag_embed")
    x = input._data
    nd = x.ndim + 1
    d1, d2 = _two_dims(dim1, dim2, nd, "diag_embed")
    if x.ndim == 0:
        raise IndexError("diag_embed: expected a tensor with at least 1 dim, got a 0-d tensor")
    n = x.shape[-1] + abs(int(offset))
    rest = iter(x.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(rest) for i in range(nd))
    return DiagonalScatter.apply(input, shape, int(offset), d1, d2)


def diag(input, diagonal=0):
    """1-D input: the square matrix with it on the `diagonal`-th diagonal. 2-D input: a
    copy of its `diagonal`-th diagonal."""
    input = as_tensor(input, "diag")
    x = input._data
    k = int(diagonal)
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        return DiagonalScatter.apply(input, (n, n), k, 0, 1)
    if x.ndim == 2:
        return clone(Diagonal.apply(input, k, 0, 1))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D "
                       f"(shape {tuple(x.shape)})")


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum to int64)."""
    input = as_tensor(input, "trace")
    x = input._data
    if x.ndim != 2:
        raise ShapeError(f"trace: expected a matrix, but got tensor with dim {x.ndim} "
                         f"(shape {tuple(x.shape)})")
    if x.dtype == _dtypes.bool_:
        raise NotImplementedError("trace: not implemented for bool tensors")
    return sum_(Diagonal.apply(input, 0, 0, 1))
