"""Ops that pick, repeat or difference slices along a dim, composed of basic indexing,
index_select, cat and subtraction (so their gradients and ONNX export come from those):
repeat_interleave, tensor_split, select, diff."""
import numbers

import numpy as np

from .. import _dtypes
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, check_dim, const
from .compare import logical_xor
from .creation import clone
from .index import index_select
from .shape import cat, reshape


def _slice_at(d, key):
    return (slice(None),) * d + (key,)


# ---- repeat_interleave ---------------------------------------------------------------------
def _repeat_counts(repeats, n, op):
    """Each of the n slices' repeat count, from an int or a 0-d/1-element/n-element tensor."""
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: repeats must be an integer tensor, got {r.dtype}")
        if r.ndim > 1:
            raise ShapeError(f"{op}: repeats must be 0-d or 1-d tensor, got shape {r.shape}")
        r = r.reshape(-1)
        if r.size != 1 and r.size != n:
            raise ShapeError(f"{op}: repeats must have the same size as input along dim, but got "
                             f"repeats.size(0) = {r.size} and input.size(dim) = {n}")
        r = np.broadcast_to(r, (n,)).astype(np.int64)
    elif isinstance(repeats, numbers.Integral) and not isinstance(repeats, bool):
        r = np.full(n, int(repeats), np.int64)
    else:
        raise TypeError(f"{op}: repeats must be an int or an integer tensor, got "
                        f"{type(repeats).__name__}")
    if r.size and r.min() < 0:
        raise RuntimeError(f"{op}: repeats can not be negative, got {int(r.min())}")
    return r


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each slice of `input` along `dim` `repeats` times (an int, or an integer
    tensor with one count per slice or a single count), consecutive copies together;
    `dim=None` works on the flattened input. `repeat_interleave(counts)` alone gives
    `arange(len(counts))` repeated by `counts`. `output_size`, when given, must be the
    result's length along dim (ValueError otherwise; PyTorch uses it only to skip a
    sync). Negative counts raise RuntimeError; a 0-d input takes only dim=None
    (IndexError otherwise, as PyTorch)."""
    op = "repeat_interleave"
    if repeats is None:  # the one-tensor form: input holds the counts
        counts = as_tensor(input, op)
        if counts._data.ndim != 1:
            raise RuntimeError(f"{op} only accepts a 1-d tensor of counts as its one argument, "
                               f"got shape {counts._data.shape}")
        counts = _repeat_counts(counts, counts._data.size, op)
        return const(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    input = as_tensor(input, op)
    if dim is None:
        input = reshape(input, (-1,))
        d = 0
    elif input._data.ndim == 0:
        raise IndexError(f"{op}: a 0-d input takes dim=None (PyTorch raises 'Dimension out of "
                         f"range' for dim={dim})")
    else:
        d = check_dim(dim, input._data.ndim, op)
    n = input._data.shape[d]
    counts = _repeat_counts(repeats, n, op)
    idx = np.repeat(np.arange(n, dtype=np.int64), counts)
    if output_size is not None and int(output_size) != idx.size:
        raise ValueError(f"{op}: output_size {output_size} differs from the result's length "
                         f"{idx.size} along dim {d}")
    return index_select(input, d, const(idx))


# ---- tensor_split, select ---------------------------------------------------------------------
def tensor_split(input, indices_or_sections, dim=0):
    """Views of `input` split along `dim`: into n parts (an int n; the first `size % n`
    parts one longer) or at the given indices (a list, tuple or 1-d integer tensor: the
    parts are `[:i0], [i0:i1], ..., [ik:]`, Python slicing, so indices past the end or
    out of order give empty parts). A tuple of tensors. A 0-d input or a number of
    sections below 1 raises RuntimeError."""
    op = "tensor_split"
    input = as_tensor(input, op)
    if input._data.ndim == 0:
        raise RuntimeError(f"{op} expected at least a 1-dimensional tensor, but got a tensor "
                           f"with 0 dims")
    d = check_dim(dim, input._data.ndim, op)
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        arr = ios._data
        if arr.dtype.kind not in "iu" or arr.ndim > 1:
            raise RuntimeError(f"{op} expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional tensor, but got a tensor with {arr.ndim} dims "
                               f"of {arr.dtype}")
        ios = int(arr) if arr.ndim == 0 else [int(i) for i in arr]
    n = input._data.shape[d]
    if isinstance(ios, numbers.Integral) and not isinstance(ios, bool):
        sections = int(ios)
        if sections <= 0:
            raise RuntimeError(f"{op}: number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = np.cumsum([0] + [size + 1] * extra + [size] * (sections - extra))
        starts, ends = bounds[:-1], bounds[1:]
    elif isinstance(ios, (list, tuple)):
        points = [int(i) for i in ios]
        starts, ends = [0] + points, points + [None]
    else:
        raise TypeError(f"{op}: indices_or_sections must be an int, a list of ints or an integer "
                        f"tensor, got {type(ios).__name__}")
    return tuple(input[_slice_at(d, slice(a, None if b is None else int(b)))]
                 for a, b in zip(starts, ends))


def select(input, dim, index):
    """The slice of `input` at `index` along `dim`, without that dim (a view; a negative
    index counts from the end). Out of range raises IndexError."""
    input = as_tensor(input, "select")
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = check_dim(dim, nd, "select")
    n = input._data.shape[d]
    i = int(index)
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return input[_slice_at(d, i)]


# ---- diff -----------------------------------------------------------------------------------------
def _diff_part(t, input, d, name):
    t = as_tensor(t, "diff") if isinstance(t, Tensor) else None
    if t is None:
        raise TypeError(f"diff(): argument '{name}' must be Tensor")
    if t._data.ndim != input._data.ndim:
        raise RuntimeError(f"diff expects prepend or append to be the same dimension as input, "
                           f"got {name} of shape {tuple(t.shape)} for input {tuple(input.shape)}")
    for k, (a, b) in enumerate(zip(t._data.shape, input._data.shape)):
        if k != d and a != b:
            raise ShapeError(f"diff expects the shape of tensor to prepend or append to match "
                             f"that of input except along the differencing dimension; got "
                             f"{name} {tuple(t.shape)} and input {tuple(input.shape)}")
    return t


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim`: `x[1:] - x[:-1]`, n times (for bool
    tensors, `x[1:] != x[:-1]`). `prepend` and `append` (tensors with input's number of
    dims and its sizes except along dim) are joined to input first. A 0-d input or a
    negative n raises RuntimeError."""
    input = as_tensor(input, "diff")
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = check_dim(dim, input._data.ndim, "diff")
    parts = [input]
    if prepend is not None:
        parts.insert(0, _diff_part(prepend, input, d, "prepend"))
    if append is not None:
        parts.append(_diff_part(append, input, d, "append"))
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        hi, lo = x[_slice_at(d, slice(1, None))], x[_slice_at(d, slice(0, length - 1))]
        x = logical_xor(hi, lo) if x._data.dtype == _dtypes.bool_ else hi - lo
    return clone(x) if x is input else x
