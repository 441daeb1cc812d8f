"""Shape ops: reshape and its aliases, permute, expand, flip, roll, repeat, cat/stack,
split/chunk/unbind, and `sum_to` (internal: how the ops undo broadcasting). Views share
memory (and version counter) with their input, as in PyTorch. Sizes and dims come in
PyTorch's forms: varargs, one tuple or list, or the keyword (`shape=`, `size=`, `dims=`)."""
from operator import index as _index

import numpy as np

from ..autograd.node import Op
from ..tensor import Size, Tensor, track_view
from ._summation import accurate_sum
from ._util import ShapeError, as_tensor, at_least_dims, broadcast_shape, check_dim, const
from .. import _dtypes


def _size_args(sizes, op, keyword=None, name="size"):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and the keyword form f(size=(2, 3));
    ints only (as PyTorch: a float size is an error, not truncated)."""
    if keyword is not None:
        if sizes:
            raise TypeError(f"{op}: got {name} both as positional arguments {sizes} and as "
                            f"the keyword {name}={keyword!r}")
        sizes = (keyword,)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    try:
        return tuple(map(_index, sizes))
    except TypeError:
        raise TypeError(f"{op}: {name} must be ints, got {sizes!r}") from None


# ---- reshape family -------------------------------------------------------------
class Reshape(Op):
    is_view = True

    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"reshape: shape {list(shape)} is invalid for input of shape {x.shape} "
                f"(size {x.size})"
            ) from None

    def backward(ctx, g):
        return reshape(g, ctx.in_shape)


def reshape(input, *sizes, shape=None):
    shape = _size_args(sizes, "reshape", shape, "shape")
    if input._data.shape == shape:
        return Reshape.apply(input, shape) if input._requires_grad else _alias(input)
    return Reshape.apply(input, shape)


def _alias(t):
    """A new tensor object over the same data (PyTorch's views of identical shape)."""
    alias = Tensor._make(t._data, False, None, 0, t._vc)
    track_view(t, alias)
    return alias


def view(input, *sizes, size=None):
    if len(sizes) == 1 and isinstance(sizes[0], np.dtype):
        raise TypeError("view: reinterpreting a tensor as another dtype is not supported")
    if size is not None:
        sizes = _size_args(sizes, "view", size)
    return reshape(input, *sizes)


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = check_dim(start_dim, nd, "flatten")
    e = check_dim(end_dim, nd, "flatten")
    if s > e:
        raise ShapeError("flatten: start_dim cannot come after end_dim")
    shp = input._data.shape
    new = shp[:s] + (int(np.prod(shp[s:e + 1], dtype=np.int64)),) + shp[e + 1:]
    return reshape(input, new)


def unflatten(input, dim, sizes):
    d = check_dim(dim, input._data.ndim, "unflatten")
    shp = input._data.shape
    sizes = tuple(int(s) for s in sizes)
    if sizes.count(-1) > 1:
        raise ShapeError("unflatten: only one dimension can be inferred (-1)")
    known = int(np.prod([s for s in sizes if s != -1], dtype=np.int64))
    if -1 in sizes:
        if known == 0 or shp[d] % known:
            raise ShapeError(f"unflatten: sizes {sizes} don't multiply up to size {shp[d]} of dim {dim}")
        sizes = tuple(shp[d] // known if s == -1 else s for s in sizes)
    elif known != shp[d]:
        raise ShapeError(f"unflatten: sizes {sizes} don't multiply up to size {shp[d]} of dim {dim}")
    return reshape(input, shp[:d] + sizes + shp[d + 1:])


def squeeze(input, dim=None, *more_dims):
    """`x.squeeze()`, `x.squeeze(0)`, `x.squeeze((0, 2))` or `x.squeeze(0, 2)`."""
    if more_dims:
        dim = (dim,) + more_dims
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {check_dim(d, len(shp), "squeeze") for d in dims}
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return reshape(input, new)


def unsqueeze(input, dim):
    shp = input._data.shape
    d = check_dim(dim, len(shp) + 1, "unsqueeze")
    return reshape(input, shp[:d] + (1,) + shp[d:])


class Contiguous(Op):
    """A C-ordered, writable copy (of a transposed or expanded tensor)."""

    def forward(ctx, x):
        return np.array(x, order="C", copy=True)

    def backward(ctx, g):
        return g


def contiguous(input, memory_format=None):
    """The tensor itself if its memory is C-ordered and writable, else a copy (as PyTorch)."""
    flags = input._data.flags
    if flags.c_contiguous and flags.writeable:
        return input
    return Contiguous.apply(input)


# ---- permute ------------------------------------------------------------------------
class Permute(Op):
    is_view = True

    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):
        return permute(g, tuple(np.argsort(ctx.dims)))


def permute(input, *dim_args, dims=None):
    dims = _size_args(dim_args, "permute", dims, "dims")
    nd = input._data.ndim
    if len(dims) != nd:
        raise ShapeError(f"permute: got {len(dims)} dims for a tensor of {nd} dims")
    dims = tuple(check_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise ShapeError(f"permute: repeated dim in {dims}")
    if dims == tuple(range(nd)):
        return reshape(input, input._data.shape)
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, ())
    d0 = check_dim(dim0, nd, "transpose")
    d1 = check_dim(dim1, nd, "transpose")
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(input, tuple(dims))


def swapaxes(input, axis0, axis1):
    """`transpose` with NumPy's argument names (as torch.swapaxes)."""
    return transpose(input, axis0, axis1)


swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise ShapeError(f"t: expects a tensor with <= 2 dimensions, got {input._data.ndim}")
    return transpose(input, 0, -1) if input._data.ndim == 2 else reshape(input, input._data.shape)


def _T(input):
    return permute(input, tuple(range(input._data.ndim - 1, -1, -1)))


def _mT(input):
    if input._data.ndim < 2:
        raise ShapeError("mT: tensor must have at least 2 dimensions")
    return transpose(input, -2, -1)


# ---- expand / sum_to --------------------------------------------------------------
class Expand(Op):
    is_view = True

    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(ctx, g):
        return sum_to(g, ctx.in_shape)


def expand(input, *sizes, size=None):
    sizes = _size_args(sizes, "expand", size)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise ShapeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({len(shp)})"
        )
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise ShapeError(f"expand: -1 is not allowed for a new leading dimension ({sizes})")
            target.append(s)
        else:
            cur = shp[i - lead]
            if s == -1:
                target.append(cur)
            elif cur == 1 or cur == s:
                target.append(s)
            else:
                raise ShapeError(
                    f"expand: the expanded size of the tensor ({s}) must match the existing "
                    f"size ({cur}) at non-singleton dimension {i}; target sizes {list(sizes)}, "
                    f"tensor sizes {list(shp)}"
                )
    target = tuple(target)
    if target == shp:
        return reshape(input, shp)
    return Expand.apply(input, target)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, *sizes, size=None):
    if size is not None:
        sizes = _size_args(sizes, "broadcast_to", size)
    return expand(input, *sizes)


class SumTo(Op):
    """Sum a broadcast gradient back to an operand's shape (undoes broadcasting)."""

    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return _sum_to_array(x, shape)

    def backward(ctx, g):
        return expand(g, ctx.in_shape)

    def fast_backward(ctx, g):
        return np.broadcast_to(g, ctx.in_shape)


def _sum_to_array(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    y = accurate_sum(x, axes, True) if axes else x
    return y.reshape(shape) if lead else y


def sum_to_array(x, shape):
    """`sum_to` on an ndarray (for first-order rules on arrays)."""
    if x.shape == shape:
        return x
    return np.asarray(_sum_to_array(x, shape))


def sum_to(x, shape):
    """`x` summed over broadcast dims so it has `shape`; `x` itself if it has it."""
    if x._data.shape == shape:
        return x
    return SumTo.apply(x, shape)


def sum_to_size(input, *sizes, size=None):
    """`input` summed over the dims where `size` is 1 or missing (as
    torch.Tensor.sum_to_size); `size` must broadcast to the input's shape."""
    size = _size_args(sizes, "sum_to_size", size)
    try:
        expandable = np.broadcast_shapes(size, input.shape) == input.shape
    except ValueError:
        expandable = False
    if not expandable:
        raise ShapeError(f"sum_to_size: size {size} is not expandable to the tensor's shape "
                         f"{tuple(input.shape)}")
    return sum_to(input, size)


def broadcast_tensors(*tensors):
    shape = broadcast_shape([tuple(t.shape) for t in tensors], "broadcast_tensors")
    return tuple(expand(as_tensor(t, "broadcast_tensors"), shape) for t in tensors)


def broadcast_shapes(*shapes):
    return Size(broadcast_shape(shapes, "broadcast_shapes"))


# ---- flip / roll / repeat -------------------------------------------------------
class Flip(Op):
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()  # torch.flip copies (np.flip would be a view)

    def backward(ctx, g):
        return Flip.apply(g, ctx.dims)


def flip(input, *dim_args, dims=None):
    dims = _size_args(dim_args, "flip", dims, "dims")
    dims = tuple(check_dim(d, input._data.ndim, "flip") for d in dims)
    return Flip.apply(input, dims)


def fliplr(input):
    return flip(at_least_dims(input, 2, "fliplr"), 1)


def flipud(input):
    return flip(at_least_dims(input, 1, "flipud"), 0)


class Roll(Op):
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return np.roll(x, shifts)
        return np.roll(x, shifts, dims)

    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, neg, ctx.dims)


def roll(input, shifts, dims=None):
    if dims is None:
        if isinstance(shifts, (tuple, list)):
            if len(shifts) != 1:
                raise ShapeError("roll: with dims=None, shifts must be a single int")
            shifts = shifts[0]
        return Roll.apply(input, int(shifts), None)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (int(shifts),)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise ShapeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    dims = tuple(check_dim(d, input._data.ndim, "roll") for d in dims)
    return Roll.apply(input, tuple(int(s) for s in shifts), dims)


class Repeat(Op):
    """Tile the tensor `sizes[i]` times along dim i (PyTorch's repeat, NumPy's tile);
    the result is new memory, as in PyTorch."""

    def forward(ctx, x, sizes):
        ctx.in_shape, ctx.sizes = x.shape, sizes
        return np.tile(x, sizes)

    def backward(ctx, g):
        lead = len(ctx.sizes) - len(ctx.in_shape)  # new dims: summed one by one, as PyTorch
        for _ in range(lead):  # (bfloat16 rounds after each)
            g = g.sum(0)
        big, inter = [], []  # (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...), summed over the r's
        for r, s in zip(ctx.sizes[lead:], ctx.in_shape):
            big += [r, s]
            inter += [1, s]
        return reshape(sum_to(reshape(g, tuple(big)), tuple(inter)), ctx.in_shape)


def repeat(input, *sizes, repeats=None):
    sizes = _size_args(sizes, "repeat", repeats, "repeats")
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise ShapeError(
            f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the "
            f"number of dimensions of the tensor ({len(shp)})"
        )
    if any(s < 0 for s in sizes):
        raise ShapeError(f"repeat: repeats can not be negative, got {sizes}")
    return Repeat.apply(input, sizes)


def tile(input, *dim_args, dims=None):
    dims = _size_args(dim_args, "tile", dims, "dims")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


# ---- cat / stack / split ---------------------------------------------------------------
def _legacy_empty(x, nd):
    """PyTorch's cat skips empty 1-D tensors when the others have more dims."""
    return nd > 1 and x.shape == (0,)


class Cat(Op):
    def forward(ctx, *xs, dim):
        nd = max(x.ndim for x in xs)
        ctx.dim = dim
        ctx.sizes = [None if _legacy_empty(x, nd) else x.shape[dim] for x in xs]
        return np.concatenate([x for x in xs if not _legacy_empty(x, nd)], axis=dim)

    def backward(ctx, g):
        out = []
        start = 0
        for size in ctx.sizes:
            if size is None:
                out.append(const(np.zeros((0,), g._data.dtype)))
                continue
            out.append(narrow(g, ctx.dim, start, size))
            start += size
        return tuple(out)


def _common_dtype(tensors, op):
    dtype = _dtypes.result_type(*[t._data for t in tensors])
    return [t if t._data.dtype == dtype else t.to(dtype) for t in tensors]


def cat(tensors, dim=0, *, axis=None):
    """`axis` is PyTorch's NumPy-style name for `dim` (torch.concatenate's)."""
    if axis is not None:
        dim = axis
    tensors = [as_tensor(t, "cat") for t in tensors]
    if not tensors:
        raise ShapeError("cat: expected a non-empty list of Tensors")
    nd_max = max(t._data.ndim for t in tensors)
    kept = [t for t in tensors if not _legacy_empty(t._data, nd_max)]
    ref = kept[0]
    nd = ref._data.ndim
    if nd == 0:
        raise ShapeError("cat: zero-dimensional tensor cannot be concatenated")
    d = check_dim(dim, nd, "cat")
    for i, t in enumerate(kept):
        if t._data.ndim != nd:
            raise ShapeError(
                f"cat: tensors must have the same number of dimensions: got {nd} and "
                f"{t._data.ndim} for tensor number {i} in the list "
                f"(shapes {', '.join(str(tuple(x.shape)) for x in tensors)})"
            )
        for k in range(nd):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise ShapeError(
                    f"cat: sizes of tensors must match except in dimension {d}; expected size "
                    f"{ref._data.shape[k]} but got size {t._data.shape[k]} for tensor number {i} in the "
                    f"list (shapes {', '.join(str(tuple(x.shape)) for x in tensors)})"
                )
    return Cat.apply(*_common_dtype(tensors, "cat"), dim=d)


concat = cat
concatenate = cat


def stack(tensors, dim=0):
    tensors = [as_tensor(t, "stack") for t in tensors]
    if not tensors:
        raise ShapeError("stack: expected a non-empty list of Tensors")
    shp = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shp:
            raise ShapeError(
                f"stack: expects each tensor to be equal size, but got {list(shp)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = check_dim(dim, len(shp) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


def hstack(tensors):
    tensors = [as_tensor(t, "hstack") for t in tensors]
    tensors = [t if t._data.ndim else reshape(t, (1,)) for t in tensors]  # 0-d -> 1-d, as torch
    return cat(tensors, 0 if tensors and tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    tensors = [as_tensor(t, "vstack") for t in tensors]
    return cat([t if t._data.ndim >= 2 else reshape(t, (1, -1)) for t in tensors], 0)


class Split(Op):
    is_view = True
    multi_output = True

    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(np.split(x, bounds, axis=dim))

    def backward(ctx, *grads):
        return cat(list(grads), ctx.dim)


def split(tensor, split_size_or_sections, dim=0):
    d = check_dim(dim, tensor._data.ndim, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or min(sizes, default=0) < 0:
            raise ShapeError(
                f"split: split sizes {sizes} must be >= 0 and sum to the size of dim {d} ({n}) of a tensor "
                f"of shape {tensor._data.shape}"
            )
    else:
        size = int(split_size_or_sections)
        if size <= 0 and n > 0:
            raise ShapeError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
    return Split.apply(tensor, sizes, d)


def split_method(self, split_size, dim=0):
    """Tensor.split: PyTorch names the size argument `split_size` on the method."""
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise ShapeError(f"chunk: chunks must be positive, got {chunks}")
    d = check_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return Split.apply(input, [0] * chunks if n == 0 else [n], d)
    return split(input, size, d)


class Unbind(Op):
    is_view = True
    multi_output = True

    def forward(ctx, x, dim):
        ctx.dim = dim
        return tuple(np.moveaxis(x, dim, 0))

    def backward(ctx, *grads):
        return stack(list(grads), ctx.dim)


def unbind(input, dim=0):
    d = check_dim(dim, input._data.ndim, "unbind")
    if input._data.shape[d] == 0:
        return ()
    return Unbind.apply(input, d)


def narrow(input, dim, start, length):
    d = check_dim(dim, at_least_dims(input, 1, "narrow")._data.ndim, "narrow")
    n = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += n
    if not (0 <= start <= n) or length < 0 or start + length > n:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}) of dim {d}"
        )
    return input[(slice(None),) * d + (slice(start, start + length),)]


def movedim(input, source, destination):
    nd = input._data.ndim
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ShapeError(f"movedim: source {source} and destination {destination} must have the "
                         f"same number of dims")
    src = [check_dim(s, nd, "movedim") for s in src]
    dst = [check_dim(s, nd, "movedim") for s in dst]
    if nd == 0:
        return reshape(input, ())
    order = [i for i in range(nd) if i not in src]
    for d_, s_ in sorted(zip(dst, src)):
        order.insert(d_, s_)
    return permute(input, tuple(order))


moveaxis = movedim
