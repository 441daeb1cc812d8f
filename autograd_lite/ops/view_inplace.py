"""In-place changes of tensors that share memory (views, or bases with live views)
while gradients are recorded, as PyTorch allows them: `y[1] += 5`, `buf[:, :3].copy_(a)`,
`y.t().mul_(2)`, `y[0] = v` while another view of `y` is alive.

The changed values land in the shared memory; the histories follow them. The base (the
C-contiguous tensor whose memory holds every view involved) takes the history of "the
old base with the view's region replaced by the new values" (`CopySlices`, PyTorch's
name), and every live view that overlaps the change takes the history of "that region
of the new base" (`StridedView`). A region is a geometry: the offset, shape and
strides in elements of a view inside a C-contiguous array of the base's shape, so the
same region can be taken from any such array (the gradients' too).

What can't be expressed so raises the error it always did: a base that isn't
C-contiguous, a view that reinterprets the dtype, views whose elements overlap (an
expanded view), or overlapping aliases with no live base holding them all.
"""
import numpy as np
from numpy.lib.array_utils import byte_bounds
from numpy.lib.stride_tricks import as_strided

from ..autograd.node import Op
from ..tensor import Tensor, mark_dirty


def unsupported(op):
    return RuntimeError(
        f"{op}: in-place change of a tensor that is a view, or has live views, whose memory "
        f"layout can't be followed while recording gradients (the base isn't C-contiguous, "
        f"a view reinterprets the dtype, or a view's elements overlap, as an expand()ed "
        f"one's do); use out-of-place ops (cat/stack, where, index_put) or clone() first")


def region(array, geometry):
    """The view of C-contiguous `array` at `geometry` (offset, shape, strides in elements)."""
    offset, shape, strides = geometry
    item = array.itemsize
    return as_strided(array.reshape(-1)[offset:], shape, tuple(s * item for s in strides))


class CopySlices(Op):
    """`base` with the region at `geometry` replaced by `value`: the history a base
    takes when one of its views changes in place."""

    def forward(ctx, base, value, geometry):
        ctx.geometry = geometry
        out = np.array(base, order="C")
        region(out, geometry)[...] = value
        return out

    def backward(ctx, g):
        eb, ev, _ = ctx.next_functions
        geometry = ctx.geometry
        gb = gv = None
        if eb is not None:
            gb = CopySlices.apply(g, Tensor._make(np.zeros(geometry[1], g.dtype), False, None, 0, [0, 0]), geometry)
        if ev is not None:
            gv = StridedView.apply(g, geometry)
        return gb, gv, None

    def fast_backward(ctx, g):
        eb, ev, _ = ctx.next_functions
        geometry = ctx.geometry
        g = np.ascontiguousarray(g)
        gv = region(g, geometry).copy() if ev is not None else None
        gb = None
        if eb is not None:
            gb = g.copy()
            region(gb, geometry)[...] = 0
        return gb, gv, None


class StridedView(Op):
    """The region at `geometry` of `base`, as a new array: the history a live view takes
    after its base changed in place."""

    def forward(ctx, base, geometry):
        ctx.geometry, ctx.base_shape = geometry, base.shape
        return region(np.ascontiguousarray(base), geometry).copy()

    def backward(ctx, g):
        zeros = Tensor._make(np.zeros(ctx.base_shape, g.dtype), False, None, 0, [0, 0])
        return CopySlices.apply(zeros, g, ctx.geometry), None

    def fast_backward(ctx, g):
        out = np.zeros(ctx.base_shape, g.dtype)
        region(out, ctx.geometry)[...] = g
        return out, None


def _geometry(base, view):
    """`view`'s region inside C-contiguous `base`, or None if it isn't one."""
    b, v = base._data, view._data
    if v.dtype != b.dtype:
        return None
    item = b.itemsize
    offset = v.__array_interface__["data"][0] - b.__array_interface__["data"][0]
    if v.size == 0:
        return (0, v.shape, tuple(0 for _ in v.shape))
    if offset % item or any(s % item for s in v.strides):
        return None
    lo, hi = byte_bounds(v)
    blo, bhi = byte_bounds(b)
    if lo < blo or hi > bhi:
        return None
    strides = tuple(s // item for s in v.strides)
    if any(s == 0 and n > 1 for s, n in zip(strides, v.shape)):
        return None  # overlapping elements: a region assignment would drop all but one
    return (offset // item, v.shape, strides)


def _live_aliases(t):
    refs = t._vc[1] or ()
    out = []
    for r in refs:
        other = r()
        if other is not None and all(other is not o for o in out):
            out.append(other)
    if all(t is not o for o in out):
        out.append(t)
    return out


def _base_of(self, involved, op):
    """The C-contiguous tensor among `involved` whose memory holds them all (the
    largest), with every one's geometry in it."""
    candidates = [t for t in involved if t._data.flags.c_contiguous]
    for base in sorted(candidates, key=lambda t: -t._data.nbytes):
        geometries = [_geometry(base, t) for t in involved]
        if all(g is not None for g in geometries):
            return base, geometries
    raise unsupported(op)


def rebase_shared(self, result, op):
    """Give `self` (which shares memory with live tensors) the values of `result` and,
    through its base, the histories of every overlapping alias (see the module doc).
    `result` already has self's shape and dtype."""
    involved = [t for t in _live_aliases(self)
                if t is self or np.may_share_memory(t._data, self._data)]
    base, geometries = _base_of(self, involved, op)
    if base is not self and base.grad_fn is None and base._requires_grad:
        raise RuntimeError(f"{op}: a view of a leaf tensor that requires grad is being used in an "
                           f"in-place operation; do it under ag.no_grad() or clone() the leaf first")
    if base is self:
        new = result
    else:
        old_base = Tensor._make(base._data.copy(), base._requires_grad, base.grad_fn, base._output_nr, [0, 0])
        mine = next(g for t, g in zip(involved, geometries) if t is self)
        new = CopySlices.apply(old_base, result, mine)
    np.copyto(self._data, result._data)
    mark_dirty(self)  # one version counter: every alias moves on
    base.grad_fn, base._output_nr, base._requires_grad = new.grad_fn, new._output_nr, new._requires_grad
    for t, geometry in zip(involved, geometries):
        if t is base:
            continue
        follow = StridedView.apply(base, geometry)
        t.grad_fn, t._output_nr, t._requires_grad = follow.grad_fn, 0, follow._requires_grad
    return self
