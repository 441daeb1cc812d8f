"""Views of a tensor's memory by sizes and strides: `Tensor.unfold` (sliding windows
along a dim), `as_strided` (any geometry inside the tensor's memory), `view(dtype)`
(the bytes read as another dtype), and the memory queries they rest on
(`storage_offset`, `dim_order`).

A tensor's "storage" here is the memory of the NumPy array that owns its elements
(the end of its array's `.base` chain): `storage_offset` counts elements from its
start, and `as_strided` may reach any element of it, never past it.

Windows and strided views whose elements overlap (unfold with step < size, a zero
stride) are read-only, as `expand`'s are: writing through them would make every
alias of one memory location take one of several values."""
from operator import index as _index

import numpy as np
from numpy.lib.array_utils import byte_bounds
from numpy.lib.stride_tricks import as_strided as _np_as_strided

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor, track_view
from ._util import as_tensor, check_dim, wide
from .shape import reshape, view as _view_sizes


# ---- storage --------------------------------------------------------------------------------
def _owner(a):
    """The ndarray at the end of `a`'s base chain (the array holding the memory)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def storage(a):
    """(the owning array, its first byte's address, its size in bytes)."""
    owner = _owner(a)
    if owner.size == 0:
        start = a.__array_interface__["data"][0]
        return owner, start, 0
    lo, hi = byte_bounds(owner)
    return owner, lo, hi - lo


def storage_offset_of(a):
    """The position, in elements, of array `a`'s first element in its storage."""
    _, start, _ = storage(a)
    return (a.__array_interface__["data"][0] - start) // a.itemsize


def storage_offset(self):
    """The position, in elements, of the tensor's first element in its storage (the
    memory of the array that owns its elements, as PyTorch's storage)."""
    return storage_offset_of(self._data)


def _dense_in_order(shape, strides, order):
    """Whether the dims laid out in `order` (outermost first) are C-contiguous, size-1
    dims' strides ignored (PyTorch's is_contiguous rule)."""
    expected = 1
    for d in reversed(order):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _outer_first(a, b, shape, strides):
    """PyTorch's comparison for dim_order's sort: 1 when dim a lies inside dim b in
    memory, -1 when outside, 0 when the strides can't tell (a zero stride, or equal
    strides and a not longer)."""
    sa, sb = strides[a], strides[b]
    if sa == 0 or sb == 0:
        return 0
    if sa == sb:
        return 0 if shape[b] >= shape[a] else 1
    return -1 if sb > sa else 1


def dim_order(self, *, ambiguity_check=False):
    """The dims from the outermost in memory to the innermost, as PyTorch's `dim_order`:
    (0, 1, ..., n-1) for a contiguous tensor, (0, 2, 3, 1) for a channels-last one, else
    a stable sort by stride (zero strides and ties leave dims in place). With
    `ambiguity_check=True`, a tensor whose order isn't unique (a size-1 dim, or
    neighbouring dims of equal stride) raises RuntimeError. The strides are NumPy's: a
    size-1 dim made by indexing with None has stride 0 here."""
    if not isinstance(ambiguity_check, bool):
        raise TypeError(f"dim_order: ambiguity_check must be a bool here (memory format lists "
                        f"are not supported), got {ambiguity_check!r}")
    a = self._data
    shape = a.shape
    strides = tuple(st // a.itemsize for st in a.strides)
    if ambiguity_check and (any(n == 1 for n in shape) or
                            any(x == y for x, y in zip(strides, strides[1:]))):
        raise RuntimeError(f"dim_order: the tensor of shape {tuple(shape)} and strides {strides} "
                           f"does not have a unique dim order")
    nd = a.ndim
    if nd <= 1:
        return tuple(range(nd))
    contiguous = _dense_in_order(shape, strides, tuple(range(nd)))
    channels_last = nd == 4 and _dense_in_order(shape, strides, (0, 2, 3, 1))
    if contiguous and not channels_last:
        return tuple(range(nd))
    if channels_last and not contiguous:
        return (0, 2, 3, 1)
    perm = list(reversed(range(nd)))  # an insertion sort from the innermost end, as PyTorch's
    for i in range(1, nd):
        j = i
        for k in reversed(range(i)):
            c = _outer_first(perm[k], perm[j], shape, strides)
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    return tuple(reversed(perm))


def flat_storage(a):
    """The storage of `a` as a 1-D array of a's dtype (sharing memory, a's writability)."""
    owner, start, nbytes = storage(a)
    item = a.itemsize
    if nbytes % item:
        raise RuntimeError(f"as_strided: the storage's {nbytes} bytes are not a whole number of "
                           f"{a.dtype} elements")

    class _Memory:  # an __array_interface__ over the owner's bytes, keeping the owner alive
        __array_interface__ = dict(shape=(nbytes,), typestr="|u1", version=3,
                                   data=(start, not a.flags.writeable))
        base = owner

    return np.asarray(_Memory()).view(a.dtype)


def _positions(shape, strides, offset):
    """The storage position (in elements) of each element of a view, as an int64 array."""
    pos = np.full(shape, offset, np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        step = np.arange(n, dtype=np.int64) * s
        pos += step.reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _geometry(a):
    """(strides, offset) of `a` in elements of its storage."""
    return tuple(s // a.itemsize for s in a.strides), storage_offset_of(a)


def _overlaps(shape, strides):
    """Whether two elements of the geometry can share a memory location."""
    dims = sorted((abs(s), n) for n, s in zip(shape, strides) if n > 1)
    reach = 0
    for s, n in dims:
        if s <= reach:
            return True
        reach += s * (n - 1)
    return False


# ---- as_strided -----------------------------------------------------------------------------
class StorageMove(Op):
    """Gradients between two geometries of one storage of `size` elements: `g` (at
    positions `src`) scatter-added into the storage, times `pre` first, then read at
    positions `dst` and times `post`. as_strided's backward (src: the view's positions,
    dst: the input's, post: 1 / how many input elements share a location, as PyTorch's
    as_strided_backward) and, with the roles swapped, its own backward."""

    def forward(ctx, g, src, dst, size, pre, post):
        ctx.args = (src, dst, size, pre, post)
        return _move(g, src, dst, size, pre, post)

    def backward(ctx, gg):
        src, dst, size, pre, post = ctx.args
        return StorageMove.apply(gg, dst, src, size, post, pre)

    def fast_backward(ctx, gg):
        src, dst, size, pre, post = ctx.args
        return _move(gg, dst, src, size, post, pre)


@wide
def _move_arrays(ctx, g, src, dst, size, pre, post):
    buf = np.zeros(size, g.dtype)
    if pre is not None:
        g = g * pre.astype(g.dtype)
    np.add.at(buf, src.reshape(-1), np.asarray(g).reshape(-1))
    out = buf[dst]
    if post is not None:
        out *= post.astype(g.dtype)
    return out


def _move(g, src, dst, size, pre, post):
    return _move_arrays(None, g, src, dst, size, pre, post)


class AsStrided(Op):
    """A view of the input's storage at (size, stride, offset); backward moves the
    gradient through the storage (StorageMove)."""

    is_view = True

    def forward(ctx, x, size, stride, offset):
        flat = flat_storage(x)
        in_strides, in_offset = _geometry(x)
        ctx.args = (_positions(size, stride, offset), _positions(x.shape, in_strides, in_offset),
                    flat.size)
        out = _np_as_strided(flat[offset:] if flat.size else flat, size,
                             tuple(s * x.itemsize for s in stride),
                             writeable=flat.flags.writeable and not _overlaps(size, stride))
        return out

    def backward(ctx, g):
        src, dst, size = ctx.args
        return StorageMove.apply(g, src, dst, size, None, _share(dst, size))

    def fast_backward(ctx, g):
        src, dst, size = ctx.args
        return _move(g, src, dst, size, None, _share(dst, size))


def _share(dst, size):
    """1 / how many of the input's elements sit at each one's location (None if none
    share): the gradient of a location is split evenly among them."""
    counts = np.bincount(dst.reshape(-1), minlength=size)
    if not dst.size or counts.max() <= 1:
        return None
    return 1.0 / counts[dst]


def as_strided(input, size, stride, storage_offset=None):
    """A view of `input`'s storage with the given sizes, strides (in elements) and
    offset (default: input's own `storage_offset()`). Every element must lie inside the
    storage (RuntimeError otherwise, as PyTorch). Where the view's elements overlap it
    is read-only. The gradient reaches each input element from the view elements at
    its memory location (split evenly among input elements that share one)."""
    input = as_tensor(input, "as_strided")
    try:
        size = tuple(_index(s) for s in size)
        stride = tuple(_index(s) for s in stride)
    except TypeError:
        raise TypeError(f"as_strided: size and stride must be sequences of ints, got {size!r}, "
                        f"{stride!r}") from None
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided: mismatch in length of strides and shape ({len(stride)} "
                           f"strides for {len(size)} sizes)")
    if any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: negative sizes or strides are not allowed, got size "
                           f"{list(size)}, stride {list(stride)}")
    a = input._data
    offset = storage_offset_of(a) if storage_offset is None else _index(storage_offset)
    if offset < 0:
        raise RuntimeError(f"as_strided: storage offset can't be negative, got {offset}")
    _, _, nbytes = storage(a)
    n = nbytes // a.itemsize
    needed = 0 if 0 in size else offset + 1 + sum((k - 1) * s for k, s in zip(size, stride))
    if needed > n:
        raise RuntimeError(
            f"as_strided: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
            f"and itemsize {a.itemsize} require a storage of {needed} elements, but the "
            f"tensor's storage holds {n} (autograd_lite only reaches the memory the tensor's "
            f"array owns)")
    return AsStrided.apply(input, size, stride, offset)


# ---- unfold ----------------------------------------------------------------------------------
class SlidingWindows(Op):
    """Windows of `size` every `step` along dim `d`, as a view with the window as a new
    last dim."""

    is_view = True

    def forward(ctx, x, d, size, step):
        ctx.args = (x.shape, d, size, step)
        n = (x.shape[d] - size) // step + 1
        shape = x.shape[:d] + (n,) + x.shape[d + 1:] + (size,)
        strides = x.strides[:d] + (x.strides[d] * step,) + x.strides[d + 1:] + (x.strides[d],)
        overlap = step < size and n > 1 and size > 1
        return _np_as_strided(x, shape, strides, writeable=x.flags.writeable and not overlap)

    def backward(ctx, g):
        return SlidingWindowsGrad.apply(g, *ctx.args)

    def fast_backward(ctx, g):
        return _unfold_grad(None, g, *ctx.args)


@wide
def _unfold_grad(ctx, g, shape, d, size, step):
    """The windows' gradients summed back into zeros of the input's shape."""
    out = np.zeros(shape, g.dtype)
    o = np.moveaxis(out, d, 0)
    gw = np.moveaxis(g, (d, g.ndim - 1), (0, 1))
    n = gw.shape[0]
    for k in range(size):  # one window position at a time: no index repeats within one
        o[k:k + step * (n - 1) + 1:step] += gw[:, k]
    return out


class SlidingWindowsGrad(Op):
    """SlidingWindows's backward: overlapping windows' gradients added back in place."""

    def forward(ctx, g, shape, d, size, step):
        ctx.args = (d, size, step)
        return _unfold_grad(None, g, shape, d, size, step)

    def backward(ctx, gg):
        return SlidingWindows.apply(gg, *ctx.args)


def unfold(input, dimension, size, step):
    """All windows of `size` elements taken every `step` along `dimension`, as a view
    with one more dim (the window, last); the sliced dim holds
    `(n - size) // step + 1` windows. Windows that overlap (step < size) are
    read-only. The gradient adds the overlapping windows' gradients back."""
    input = as_tensor(input, "unfold")
    a = input._data
    size, step = _index(size), _index(step)
    d = check_dim(dimension, a.ndim, "unfold")
    n = a.shape[d] if a.ndim else 1
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size} (tensor shape {tuple(a.shape)})")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if a.ndim == 0:
        return reshape(SlidingWindows.apply(reshape(input, (1,)), 0, size, step), (size,))
    return SlidingWindows.apply(input, d, size, step)


# ---- view(dtype) -----------------------------------------------------------------------------
def view_dtype(input, dtype):
    """The same bytes read as `dtype` (no copy, outside autograd, as PyTorch: the
    result has no gradient). With another itemsize the last dim must be contiguous
    and, going to a larger itemsize, its size and offset a multiple of the ratio."""
    input = as_tensor(input, "view")
    a = input._data
    dtype = _dtypes.to_dtype(dtype)
    if dtype.itemsize != a.itemsize:
        if a.ndim == 0:
            raise RuntimeError(f"view: self.dim() cannot be 0 to view {a.dtype} as {dtype} "
                               f"(different element sizes)")
        if a.strides[-1] != a.itemsize and a.shape[-1] != 1:
            raise RuntimeError(f"view: self.stride(-1) must be 1 to view {a.dtype} as {dtype} "
                               f"(different element sizes), but got "
                               f"{a.strides[-1] // a.itemsize}")
        if dtype.itemsize > a.itemsize:
            ratio = dtype.itemsize // a.itemsize
            if a.shape[-1] % ratio:
                raise RuntimeError(f"view: self.size(-1) must be divisible by {ratio} to view "
                                   f"{a.dtype} as {dtype} (different element sizes), but got "
                                   f"{a.shape[-1]}")
            if storage_offset_of(a) % ratio:
                raise RuntimeError(f"view: self.storage_offset() must be divisible by {ratio} to "
                                   f"view {a.dtype} as {dtype} (different element sizes), but got "
                                   f"{storage_offset_of(a)}")
            for s in a.strides[:-1]:
                if s % dtype.itemsize:
                    raise RuntimeError(f"view: self.stride(i) must be divisible by {ratio} for "
                                       f"every dim but the last to view {a.dtype} as {dtype}")
    if a.ndim and a.shape[-1] == 1 and a.strides[-1] != a.itemsize:
        a = _np_as_strided(a, a.shape, a.strides[:-1] + (a.itemsize,), writeable=a.flags.writeable)
    try:
        out = a.view(dtype)
    except ValueError as e:
        raise RuntimeError(f"view: can't view {a.dtype} of shape {tuple(a.shape)} as {dtype}: {e}") from None
    result = Tensor._make(out, False, None, 0, input._vc)  # shares the version counter
    track_view(input, result)
    return result


def view(input, *sizes, size=None):  # documented by its op-table entry (table/shape.py)
    if size is None and len(sizes) == 1 and not isinstance(sizes[0], (int, tuple, list)) \
            and not hasattr(sizes[0], "__index__"):
        try:
            dt = np.dtype(sizes[0]) if not isinstance(sizes[0], np.dtype) else sizes[0]
        except TypeError:
            dt = None
        if dt is not None:
            return view_dtype(input, dt)
    return _view_sizes(input, *sizes, size=size)

