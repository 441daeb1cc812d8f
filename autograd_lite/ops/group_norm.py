"""The group_norm op (instance norm is group norm with one channel per group), one
fused node; nn.functional checks the arguments and keeps instance norm's running
statistics.

The statistics of each (sample, group), the normalisation and the per-channel affine
run in Numba kernels (kernels/normalization.py) for float32/float64 and in NumPy for
other dtypes (the NumPy forms are also the kernels' reference in the tests). The
first-order backward is a kernel too (`fast_backward`); under `create_graph=True`
the backward is also written in autograd_lite ops from the saved input, so higher
derivatives work, and the gradients keep the kernel's values (ops/fused.py).
"""
import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ..kernels import lazy as kernels
from .. import _dtypes
from ._util import KERNEL_DTYPES, const, wide
from .elementwise import rsqrt
from .fused import kernel_valued_all
from .normalization import _channel_shape, _update_running, _vec
from . import reduce
from .shape import reshape


def _groups_view(x, groups):
    """x (N, C, *) as (N, G, C / G * L) (explicit sizes: N may be 0)."""
    return x.reshape(x.shape[0], groups, int(np.prod(x.shape[1:], dtype=np.int64)) // groups)


def group_norm_stats_numpy(x, groups):
    """Per-(sample, group) mean and biased variance, flat (N * G,) (the kernel's reference)."""
    x3 = _groups_view(x, groups)
    if x3.shape[2] == 0:  # groups of no elements: NaN statistics, without NumPy's warning
        return np.full(x3.shape[0] * groups, np.nan, x.dtype), np.full(x3.shape[0] * groups, np.nan, x.dtype)
    mean = x3.mean(axis=2, keepdims=True)
    xc = x3 - mean
    return mean.reshape(-1), (xc * xc).mean(axis=2).reshape(-1)


def group_norm_forward_numpy(x, groups, mean, invstd, w, b):
    x3 = _groups_view(x, groups)
    xhat = ((x3 - mean.reshape(-1, groups, 1)) * invstd.reshape(-1, groups, 1)).reshape(x.shape)
    cs = _channel_shape(x)
    return xhat * w.reshape(cs) + b.reshape(cs), xhat


def group_norm_grad_input_numpy(g, xhat, groups, invstd, w):
    if g.size == 0:
        return np.zeros(g.shape, g.dtype)
    gh = _groups_view(g * w.reshape(_channel_shape(g)), groups)
    xh = _groups_view(xhat, groups)
    gx = (gh - gh.mean(axis=2, keepdims=True) - xh * (gh * xh).mean(axis=2, keepdims=True))
    return (gx * invstd.reshape(-1, groups, 1)).reshape(g.shape)


class GroupNorm(Op):
    """y = (x - mean) * invstd * w[c] + b[c], the statistics of each (sample, group of
    C / G channels). `mean` and `invstd` (N * G,) are the batch's, computed by the
    caller (instance norm also needs them for its running statistics)."""

    save_inputs = (0, 1)

    @wide  # bfloat16 normalised in float32 (statistics too), the output rounded once
    def forward(ctx, x, w, b, mean, invstd, groups, eps, rounded_stats=False):
        c, dtype = x.shape[1], x.dtype
        ctx.groups, ctx.eps, ctx.invstd = groups, eps, invstd
        ctx.mean, ctx.rounded_stats = mean, rounded_stats
        ctx.has_b = b is not None
        ctx.w = _vec(w, c, 1, dtype)
        bv = _vec(b, c, 0, dtype)
        if dtype in KERNEL_DTYPES:
            out, ctx.xhat = kernels.normalization.group_norm_forward(x, groups, mean, invstd, ctx.w, bv)
        else:
            out, ctx.xhat = group_norm_forward_numpy(x, groups, mean, invstd, ctx.w, bv)
        return out

    def backward(ctx, g):
        grads = ctx._kernel_grads(g._data)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_group_norm_backward_ops(ctx, g), grads)
        return tuple(None if a is None else const(a) for a in grads)

    def fast_backward(ctx, g):
        return ctx._kernel_grads(g)

    @wide
    def _kernel_grads(ctx, gd):
        """(gx, gw, gb) as arrays (None where not wanted)."""
        ctx.saved_tensors  # noqa: B018 - raises if the graph was freed or x/w changed in place
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        xhat, groups = ctx.xhat, ctx.groups
        dtype = xhat.dtype
        gx = None
        if ctx.rounded_stats:
            gx, sum_gx, sum_g = _grads_from_rounded_stats(ctx, gd)
            gx = gx if ex is not None else None
        elif dtype in KERNEL_DTYPES:
            k = kernels.normalization
            sum_g, sum_gx = k.batch_norm_sums(gd, xhat)  # per channel over N and the rest
            if ex is not None:
                gx = k.group_norm_grad_input(gd, xhat, groups, ctx.invstd, ctx.w)
        else:
            gd = gd.astype(dtype, copy=False)
            axes = (0,) + tuple(range(2, gd.ndim))
            sum_g, sum_gx = gd.sum(axis=axes), (gd * xhat).sum(axis=axes)
            if ex is not None:
                gx = group_norm_grad_input_numpy(gd, xhat, groups, ctx.invstd, ctx.w)
        gw = sum_gx.astype(dtype, copy=False) if ew is not None else None
        gb = sum_g.astype(dtype, copy=False) if eb is not None else None
        return gx, gw, gb


def _grads_from_rounded_stats(ctx, gd):
    """(gx, gw, gb) as PyTorch's CPU group_norm computes them for bfloat16 (in float32
    here): its saved mean and invstd are bfloat16 tensors, so the backward reads them
    rounded, and it writes gx as invstd * w * g + c2 * x + c3 per (sample, group), which
    cancels differently from the xhat form."""
    x = ctx.saved_tensors[0]._data.astype(np.float32)
    n, c, groups = x.shape[0], x.shape[1], ctx.groups
    length = int(np.prod(x.shape[2:], dtype=np.int64))  # explicit sizes: N may be 0
    x3, g3 = x.reshape(n, c, length), gd.reshape(n, c, length)
    mean, invstd = (_dtypes.cast(a, _dtypes.bfloat16).astype(np.float32).reshape(n, groups, 1)
                    for a in (ctx.mean, ctx.invstd))
    ds, db = (g3 * x3).sum(axis=2), g3.sum(axis=2)  # (N, C)
    d = c // groups
    w = ctx.w.reshape(1, groups, d)
    ds_w = (ds.reshape(n, groups, d) * w).sum(axis=2, keepdims=True)
    db_w = (db.reshape(n, groups, d) * w).sum(axis=2, keepdims=True)
    scale = np.float32(1.0 / max(d * length, 1))
    c2 = (db_w * mean - ds_w) * invstd ** 3 * scale
    c3 = -c2 * mean - db_w * invstd * scale
    gx = (invstd * w)[..., None] * g3.reshape(n, groups, d, length) \
        + c2[..., None] * x3.reshape(n, groups, d, length) + c3[..., None]
    gw = ((ds - db * np.repeat(mean[..., 0], d, axis=1)) * np.repeat(invstd[..., 0], d, axis=1)).sum(axis=0)
    return gx.reshape(x.shape), gw, db.sum(axis=0)


def _group_norm_backward_ops(ctx, g):
    """The same gradients in autograd_lite ops (recorded under create_graph)."""
    x, w = ctx.saved_tensors
    ex, ew = ctx.next_functions[:2]
    eb = ctx.next_functions[2] if ctx.has_b else None
    n, groups = x.shape[0], ctx.groups
    flat = (n, groups, x.numel() // max(n * groups, 1))
    axes, cs = (0,) + tuple(range(2, x.ndim)), _channel_shape(x)
    x3 = reshape(x, flat)
    xc = x3 - reduce.mean(x3, 2, keepdim=True)
    invstd = rsqrt(reduce.mean(xc * xc, 2, keepdim=True) + ctx.eps)
    xhat3 = xc * invstd
    xhat = reshape(xhat3, x.shape)
    gw = reduce.sum(g * xhat, axes) if ew is not None else None
    gb = reduce.sum(g, axes) if eb is not None else None
    gx = None
    if ex is not None:
        gxhat = reshape(g * reshape(w, cs) if w is not None else g, flat)
        gx = (gxhat - reduce.mean(gxhat, 2, keepdim=True)
              - xhat3 * reduce.mean(gxhat * xhat3, 2, keepdim=True)) * invstd
        gx = reshape(gx, x.shape)
    return gx, gw, gb


def group_norm_stats(x, groups):
    """Per-(sample, group) mean and biased variance of the array x, flat (N * G,);
    bfloat16 in float32, as PyTorch's CPU kernel."""
    if x.dtype is _dtypes.bfloat16:
        x = x.astype(np.float32)
    if x.dtype in KERNEL_DTYPES:
        return kernels.normalization.group_norm_stats(x, groups)
    return group_norm_stats_numpy(x, groups)


def _invstd(var, eps):
    return (1 / np.sqrt(var + eps)).astype(var.dtype, copy=False)


def group_norm(input, groups, weight=None, bias=None, eps=1e-05):
    """Normalise each (sample, group of C / groups channels) of x (N, C, *) by its own
    mean and variance, then scale and shift each channel."""
    mean, var = group_norm_stats(input._data, groups)
    return GroupNorm.apply(input, weight, bias, mean, _invstd(var, eps), groups, eps,
                           input._data.dtype is _dtypes.bfloat16)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) of x (N, C, *) by its own statistics (group norm
    with one channel per group). Running statistics, if given, move towards the batch's
    average of the instances' mean and unbiased variance: r = (1 - momentum) r + momentum s."""
    x = input._data
    n, c = x.shape[:2]
    mean, var = group_norm_stats(x, c)
    if x.size:  # no elements, no statistics to move towards
        if running_mean is not None:
            _update_running(running_mean, 1 - momentum, momentum, mean.reshape(n, c).mean(axis=0))
        if running_var is not None:
            per_instance = x.size // (n * c)
            unbiased = var * (per_instance / (per_instance - 1))
            _update_running(running_var, 1 - momentum, momentum, unbiased.reshape(n, c).mean(axis=0))
    return GroupNorm.apply(input, weight, bias, mean, _invstd(var, eps), c, eps)
