"""Grids and flat views: meshgrid, cartesian_prod, ravel and take."""
import warnings

import numpy as np

from ..tensor import Tensor
from ._util import ShapeError, as_tensor, const
from .index import index
from .shape import expand, reshape, stack


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D (or 0-D) tensors, as expanded views. indexing="ij"
    gives grid[i][j] = (a[i], b[j]); "xy" swaps the first two dims (matrix vs
    Cartesian indexing). Without `indexing`, "ij" with PyTorch's warning."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f'{indexing}')
    tensors = [as_tensor(t, "meshgrid") for t in tensors]
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0D or 1D tensors in the tensor list, but got "
                             f"shape {tuple(t._data.shape)}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got "
                               f"{tensors[0]._data.dtype} and {t._data.dtype}")
    sizes = [t._data.size for t in tensors]
    position = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        position[0], position[1] = 1, 0
    shape = [0] * len(tensors)
    for i, s in zip(position, sizes):
        shape[i] = s
    grids = []
    for t, s, i in zip(tensors, sizes, position):
        view = [1] * len(tensors)
        view[i] = s
        grids.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of the elements of the 1-D tensors, one per row (N, k); a
    single tensor comes back as it is."""
    tensors = [as_tensor(t, "cartesian_prod") for t in tensors]
    for t in tensors:
        if t._data.ndim != 1:
            raise ShapeError(f"cartesian_prod: expect a 1D vector, but got shape "
                             f"{list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def ravel(input):
    """The elements as a 1-D tensor (a view when the memory allows, as reshape)."""
    return reshape(as_tensor(input, "ravel"), (-1,))


def take(input, index_):
    """input's elements at `index_` (int64) of its flattened form, in index_'s shape;
    negative indices count from the end."""
    input = as_tensor(input, "take")
    idx = index_._data if isinstance(index_, Tensor) else np.asarray(index_)
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {idx.dtype}")
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"take: out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements")
    return index(reshape(input, (-1,)), const(idx))
