"""grid_sample and affine_grid's ops (nn.functional.grid_sample and affine_grid check
the arguments).

GridSample samples (N, C, H, W) or (N, C, D, H, W) input at a grid of normalised
coordinates with the kernels of kernels/grid_sample.py; its backward is GridSampleGrad,
one kernel call giving the input's gradient (a scatter-add) and the grid's. PyTorch
differentiates that backward again (GridSampler2DBackwardBackward0), so
GridSampleGrad's own backward is the derivative of the sampling written in
autograd_lite ops (`_composite`: constant pixel indices gathered from the input,
weights computed from the grid as Tensors) and differentiated under create_graph, the
way the recurrent layers give second derivatives.

affine_grid is the product of a constant grid of pixel positions with theta (so every
derivative comes from matmul's rules), as PyTorch computes it.
"""
import numpy as np

from ..autograd.api import grad as autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import const, wide
from .elementwise import clamp
from .index import gather
from .linalg import matmul
from .shape import reshape, transpose

_A = -0.75  # PyTorch's cubic convolution coefficient


class GridSample(Op):
    """out = input sampled at grid (mode and padding numbered as kernels.grid_sample's)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, grid, mode, padding, align_corners):
        ctx.mode, ctx.padding, ctx.align = mode, padding, align_corners
        return kernels.grid_sample.sample(x, grid, mode, padding, align_corners)

    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        return GridSampleGrad.apply(g, x, grid, ctx.mode, ctx.padding, ctx.align)

    @wide
    def fast_backward(ctx, g):
        x, grid = ctx.saved_arrays
        return _kernel_grads(g, x, grid, ctx.mode, ctx.padding, ctx.align)


def _kernel_grads(g, x, grid, mode, padding, align):
    if x.dtype != g.dtype:  # a bfloat16 op's float32 gradient meets saved bfloat16 arrays
        x, grid = x.astype(g.dtype), grid.astype(g.dtype)
    return kernels.grid_sample.sample_backward(g, x, grid, mode, padding, align)


class GridSampleGrad(Op):
    """(input's gradient, grid's gradient) of GridSample given its output's gradient g."""

    save_inputs = (0, 1, 2)
    multi_output = True

    @wide
    def forward(ctx, g, x, grid, mode, padding, align_corners):
        ctx.mode, ctx.padding, ctx.align = mode, padding, align_corners
        return _kernel_grads(g, x, grid, mode, padding, align_corners)

    def backward(ctx, ggx, gggrid):
        """Differentiate the sampling's vector-Jacobian product, written in ops."""
        edges = ctx.next_functions
        higher = is_grad_enabled()
        with enable_grad():
            args = [_GridSampleAlias.apply(t) if t.requires_grad else t.detach().requires_grad_()
                    for t in ctx.saved_tensors]
            g, x, grid = args
            y = _composite(x, grid, ctx.mode, ctx.padding, ctx.align)
            grads = autograd_grad([y], [x, grid], grad_outputs=[g], create_graph=True,
                                  allow_unused=True)
            pairs = [(o, w) for o, w in zip(grads, (ggx, gggrid))
                     if o is not None and o.requires_grad and w is not None]
            if not pairs:
                return (None,) * len(edges)
            res = autograd_grad([o for o, _ in pairs], args, grad_outputs=[w for _, w in pairs],
                                create_graph=higher, allow_unused=True)
        return tuple(r if e is not None else None for r, e in zip(res, edges))


class _GridSampleAlias(Op):
    """Identity with its own node, so autograd.grad asks for the gradient through
    exactly this use of a saved tensor."""

    def forward(ctx, x):
        return x

    def backward(ctx, g):
        return g


def grid_sample(input, grid, mode, padding, align_corners):
    """GridSample with mode and padding as kernels.grid_sample numbers them."""
    return GridSample.apply(input, grid, mode, padding, bool(align_corners))


# ---- the sampling in autograd_lite ops (GridSampleGrad's derivative) ------------------------------
def _reflected(p, twice_low, twice_high):
    """Positions reflected into [twice_low / 2, twice_high / 2] and the derivative's sign."""
    if twice_low == twice_high:
        return np.zeros_like(p), np.zeros_like(p)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    q = p - low
    sign = np.where(q < 0, -1.0, 1.0)
    q = np.abs(q)
    flips = np.floor(q / span)
    extra = np.fmod(q, span)
    odd = flips % 2 == 1
    return np.where(odd, span - extra + low, extra + low), np.where(odd, -sign, sign)


def _padded_positions(p, size, padding, align):
    """The kernels' padding map on an array of positions (the bicubic taps)."""
    if padding == 2:
        p, _ = _reflected(p, 0, 2 * (size - 1)) if align else _reflected(p, -1, 2 * size - 1)
    if padding:
        p = np.clip(p, 0, size - 1)
    return p


def _position(c, size, padding, align):
    """Pixel position Tensor of normalised coordinates c (the kernels' _source)."""
    p = (c + 1.0) / 2.0 * (size - 1) if align else ((c + 1.0) * size - 1.0) / 2.0
    if padding == 2:
        twice = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
        ref, sign = _reflected(p._data, *twice)
        p = p * const(sign.astype(p.dtype)) + const((ref - p._data * sign).astype(p.dtype))
    if padding:
        p = clamp(p, 0, size - 1)
    return p


def _taps(p, size):
    """Integer pixel indices and in-image masks of an array of whole-number positions."""
    inside = (p >= 0) & (p < size)
    return np.where(inside, p, 0).astype(np.int64), inside


def _cubic(t):
    """The four cubic convolution weights (Tensors) at fractions t."""
    def near(s):
        return ((s * (_A + 2.0) - (_A + 3.0)) * s) * s + 1.0

    def far(s):
        return ((s * _A - 5.0 * _A) * s + 8.0 * _A) * s - 4.0 * _A

    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _composite(x, grid, mode, padding, align):
    n, c = x.shape[:2]
    spatial = tuple(x.shape[2:])
    out_shape = tuple(grid.shape[1:-1])
    nd, q = len(spatial), int(np.prod(out_shape))
    flat = reshape(x, (n, c, int(np.prod(spatial))))
    axes = []  # per spatial axis (outermost first): [(index array, mask array, weight Tensor)]
    for a in range(nd):
        size = spatial[nd - 1 - a]
        coord = reshape(grid[..., a], (n, 1, q))
        if mode == 2:
            p = (coord + 1.0) / 2.0 * (size - 1) if align else ((coord + 1.0) * size - 1.0) / 2.0
            f = np.floor(p._data)
            taps = [_taps(_padded_positions(f - 1 + k, size, padding, align), size) for k in range(4)]
            ws = _cubic(p - const(f))
            axes.insert(0, [(i, m, w) for (i, m), w in zip(taps, ws)])
            continue
        p = _position(coord, size, padding, align)
        if mode == 1:
            i, m = _taps(np.rint(p._data), size)
            axes.insert(0, [(i, m, None)])
            continue
        f = np.floor(p._data)
        t = p - const(f)
        axes.insert(0, [_taps(f, size) + (1.0 - t,), _taps(f + 1, size) + (t,)])
    out = None
    for corner in np.ndindex(*(len(ax) for ax in axes)):
        index, mask, weight = 0, True, None
        for ax, k, size in zip(axes, corner, spatial):
            i, m, w = ax[k]
            index, mask = index * size + i, mask & m
            weight = w if weight is None else (weight * w if w is not None else weight)
        picked = gather(flat, 2, const(np.ascontiguousarray(np.broadcast_to(
            np.where(mask, index, 0), (n, c, q)))))
        m = const(mask.astype(x.dtype))
        term = picked * (m if weight is None else weight * m)
        out = term if out is None else out + term
    return reshape(out, (n, c) + out_shape)


# ---- affine_grid -----------------------------------------------------------------------------------
def _positions(steps, align_corners, dtype):
    """PyTorch's linspace_from_neg_one: -1..1 (scaled by (steps - 1) / steps without
    align_corners), or 0 for one step."""
    if steps <= 1:
        return np.zeros(max(steps, 1), dtype)
    r = np.linspace(-1.0, 1.0, steps).astype(dtype)
    if not align_corners:
        r = (r * dtype.type(steps - 1) / dtype.type(steps)).astype(dtype)
    return r


def affine_grid(theta, size, align_corners):
    """grid (N, *spatial, k) = base (*spatial, k + 1) @ theta^T for theta (N, k, k + 1) and
    size (N, C, *spatial), k = 2 or 3; base holds each pixel's normalised (x, y[, z], 1)."""
    spatial = tuple(size[2:])
    dtype = theta._data.dtype
    work = np.float32 if dtype.itemsize < 4 else dtype
    axes = [_positions(s, align_corners, np.dtype(work)) for s in spatial]
    k = len(spatial)
    base = np.ones(spatial + (k + 1,), work)
    mesh = np.meshgrid(*axes, indexing="ij")
    for a in range(k):  # x runs along the last dim, y the one before (, z the first)
        base[..., a] = mesh[k - 1 - a]
    rows = const(base.reshape(1, -1, k + 1).astype(dtype))
    grid = matmul(rows, transpose(theta, 1, 2))
    return reshape(grid, (theta.shape[0],) + spatial + (k,))
