"""The norms of torch.linalg: vector_norm, matrix_norm ('fro', 'nuc', 1, -1, 2, -2,
inf, -inf) and norm, which picks one of them from `ord` and `dim`."""
import numpy as np

from ._util import ShapeError, as_tensor, check_dim
from .elementwise import abs as abs_
from .linalg_decomp import svdvals
from .linalg_solve import lapack_dtype
from .reduce import Norm, _dims, amax, amin
from .reduce import sum as sum_
from .shape import movedim, squeeze, unsqueeze


def _float_input(x, op, dtype):
    x = as_tensor(x, op)
    if dtype is not None:
        x = x.to(dtype)
    lapack_dtype(x._data.dtype, op, low_precision=True)  # sums and maxima: any float
    return x


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The `ord`-norm of the elements over `dim` (all of them by default, whatever the
    shape): sum(|x|^ord)^(1/ord), max |x| for inf, min |x| for -inf, the count of
    nonzeros for 0."""
    x = _float_input(x, "linalg.vector_norm", dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r} (use "
                           f"matrix_norm for 'fro' and 'nuc')")
    if isinstance(dim, int):
        dim = (dim,)
    return Norm.apply(x, float(ord), _dims(dim, x._data.ndim, "linalg.vector_norm"), keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The `ord`-norm of the matrices in dims `dim`: 'fro' (Frobenius), 'nuc' (sum of
    singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (largest /
    smallest column sum of |A|), inf / -inf (largest / smallest row sum)."""
    A = _float_input(A, "linalg.matrix_norm", dtype)
    nd = A._data.ndim
    if nd < 2:
        raise ShapeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                         f"dimensions, got shape {tuple(A._data.shape)}")
    dim = tuple(dim)
    if len(dim) != 2:
        raise ShapeError(f"linalg.matrix_norm: dim must be a 2-tuple, got {dim}")
    d1, d2 = (check_dim(d, nd, "linalg.matrix_norm") for d in dim)
    if d1 == d2:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different, got {dim}")
    if ord == "fro":
        return vector_norm(A, 2, (d1, d2), keepdim)
    if ord == "nuc" or ord in (2, -2):
        lapack_dtype(A._data.dtype, "linalg.matrix_norm")  # singular values: LAPACK's dtypes
        s = svdvals(movedim(A, (d1, d2), (-2, -1)))
        out = sum_(s, -1) if ord == "nuc" else (amax(s, -1) if ord == 2 else amin(s, -1))
        if keepdim:
            for d in sorted((d1, d2)):
                out = unsqueeze(out, d)
        return out
    if ord in (1, -1, np.inf, -np.inf):
        summed, picked = (d1, d2) if ord in (1, -1) else (d2, d1)
        sums = sum_(abs_(A), summed, keepdim=True)
        out = (amax if ord > 0 else amin)(sums, picked, keepdim=True)
        return out if keepdim else squeeze(out, (d1, d2))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm when `dim` is an int (or A is 1-D), a matrix norm when `dim` is a
    pair (or A is 2-D and ord is given); with neither ord nor dim, the 2-norm of all
    the elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is None or len(dim) == 1:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
    nd = as_tensor(A, "linalg.norm")._data.ndim
    if dim is None:
        if nd not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {nd}D.")
        dim = tuple(range(nd))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.norm: the order {ord!r} is only defined for matrices "
                               f"(pass a 2-tuple dim)")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dim}")
