"""Ops that rearrange, stack, split or combine tensors, composed of flip, transpose,
reshape, cat, tensor_split and index_select (so their gradients and ONNX export come
from those): rot90, atleast_1d/2d/3d, dstack, column_stack, row_stack, hsplit, vsplit,
dsplit, block_diag, combinations."""
import itertools
import numbers

import numpy as np

from .. import _dtypes
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, const
from .index import index_select
from .shape import cat, flip, hstack, reshape, transpose, vstack
from .slicing import tensor_split


def rot90(input, k=1, dims=(0, 1)):
    """`input` rotated by 90 degrees k times in the plane of `dims` (from the first dim's
    direction towards the second's; negative k turns the other way). A copy (k % 4 == 0)
    or a view of a flipped copy, as PyTorch's. Fewer than 2 dims, or dims that aren't two
    different in-range dims, raise RuntimeError/IndexError."""
    input = as_tensor(input, "rot90")
    nd = input._data.ndim
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = (int(d) for d in dims)
    for name, d in (("dim0", d0), ("dim1", d1)):
        if not -nd <= d < nd:
            raise IndexError(f"rot90: Rotation {name} out of range, {name} = {d}")
    if d0 == d1 or abs(d0 - d1) == nd:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {d0} "
                           f"and dim1 = {d1}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


# ---- atleast_nd ------------------------------------------------------------------------------
def _at_least(tensors, fix, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(fix(as_tensor(t, op)) for t in tensors[0])
    if len(tensors) == 1:
        return fix(as_tensor(tensors[0], op))
    return tuple(fix(as_tensor(t, op)) for t in tensors)


def _one_d(t):
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _two_d(t):
    return reshape(t, (1, -1)) if t._data.ndim < 2 else t


def _three_d(t):
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return reshape(t, (1, -1, 1))
    if nd == 2:
        return reshape(t, t._data.shape + (1,))
    return t


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-d tensor becomes shape (1,); others are
    returned as they are). One tensor in, one out; several (or a list) give a tuple."""
    return _at_least(tensors, _one_d, "atleast_1d")


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims: 0-d -> (1, 1), (n,) -> (1, n); as `atleast_1d`."""
    return _at_least(tensors, _two_d, "atleast_2d")


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: 0-d -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) ->
    (m, n, 1); as `atleast_1d`."""
    return _at_least(tensors, _three_d, "atleast_3d")


def _sequence(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return [as_tensor(t, op) for t in tensors]


def dstack(tensors):
    """The tensors joined along their third dim, after `atleast_3d` (dtypes promoted)."""
    return cat([_three_d(t) for t in _sequence(tensors, "dstack")], 2)


def column_stack(tensors):
    """The tensors side by side as columns: 0-d and 1-d tensors become (n, 1) columns,
    the rest are joined along dim 1 (`hstack` of the reshaped tensors)."""
    parts = [reshape(t, (-1, 1)) if t._data.ndim <= 1 else t
             for t in _sequence(tensors, "column_stack")]
    return hstack(parts)


def row_stack(tensors):
    """`vstack` (PyTorch's deprecated alias of it)."""
    return vstack(_sequence(tensors, "row_stack"))


# ---- hsplit, vsplit, dsplit ------------------------------------------------------------------
def _split(input, ios, dim, min_dims, op):
    input = as_tensor(input, op)
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension"
                           f"{'s' if min_dims > 1 else ''}, but got a tensor with {nd} dimensions!")
    if dim is None:
        dim = 0 if nd == 1 else 1
    if isinstance(ios, numbers.Integral) and not isinstance(ios, bool):
        size = input._data.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the size "
                               f"of the dimension {size} is not divisible by the split_size {ios}!")
        return tensor_split(input, int(ios), dim)
    if not isinstance(ios, (list, tuple)):
        raise TypeError(f"{op}(): indices_or_sections must be an int or a list or tuple of ints, "
                        f"got {type(ios).__name__}")
    return tensor_split(input, list(ios), dim)


def hsplit(input, indices_or_sections):
    """`tensor_split` along dim 1 (dim 0 of a 1-d tensor) into equal sections (an int,
    which must divide the size) or at indices (a list). The method also takes the indices
    as arguments: `x.hsplit(1, 3)`."""
    return _split(input, indices_or_sections, None, 1, "hsplit")


def vsplit(input, indices_or_sections):
    """`hsplit` along dim 0 of a tensor of at least 2 dims."""
    return _split(input, indices_or_sections, 0, 2, "vsplit")


def dsplit(input, indices_or_sections):
    """`hsplit` along dim 2 of a tensor of at least 3 dims."""
    return _split(input, indices_or_sections, 2, 3, "dsplit")


def _split_method(fn):
    def method(self, *indices_or_sections):
        ios = indices_or_sections
        return fn(self, ios[0] if len(ios) == 1 else list(ios))
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


hsplit_method = _split_method(hsplit)
vsplit_method = _split_method(vsplit)
dsplit_method = _split_method(dsplit)


# ---- block_diag, combinations ----------------------------------------------------------------
def block_diag(*tensors):
    """A block diagonal matrix of the tensors (0-d: a 1x1 block, (n,): a 1xn row block,
    2-d as they are), zeros elsewhere; dtypes promoted. No tensor gives a (1, 0) matrix,
    as PyTorch's. More than 2 dims raise RuntimeError."""
    blocks = []
    for i, t in enumerate(tensors):
        t = as_tensor(t, "block_diag")
        if t._data.ndim > 2:
            raise ShapeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                             f"Input {i} has {t._data.ndim} dimensions")
        blocks.append(_two_d(t))
    if not blocks:
        return const(np.zeros((1, 0), _dtypes.get_default_dtype()))
    dtype = _dtypes.result_type(*[b._data for b in blocks])
    blocks = [b if b._data.dtype == dtype else b.to(dtype) for b in blocks]
    width = sum(b._data.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b._data.shape
        before, after = np.zeros((r, left), dtype), np.zeros((r, width - left - c), dtype)
        rows.append(cat([const(before), b, const(after)], 1))
        left += c
    return cat(rows, 0)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of the elements of the 1-d `input` (itertools.combinations,
    or combinations_with_replacement), one per row, in lexicographic order of positions:
    shape (count, r); r=0 gives an empty 1-d tensor. Other inputs or a negative r raise
    RuntimeError."""
    input = as_tensor(input, "combinations")
    x = input._data
    if x.ndim != 1:
        raise ShapeError(f"combinations: Expect a 1D vector, but got shape {list(x.shape)}")
    r = int(r)
    if r < 0:
        raise RuntimeError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return const(np.zeros(0, x.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(x.shape[0]), r)), np.int64).reshape(-1, r)
    return reshape(index_select(input, 0, const(idx.reshape(-1))), (-1, r))
