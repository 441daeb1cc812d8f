"""The batch_norm and layer_norm ops, each one fused node (nn.functional checks the
arguments).

Forward and first-order backward run in Numba kernels (kernels/normalization.py:
statistics, normalisation and affine in two or three passes, the backward in two)
for float32/float64, and in NumPy for other dtypes; the NumPy forms are also the
kernels' reference in the tests. float16 and bfloat16 run the float32 kernels and round the
results once, as PyTorch computes half-precision norms in float32. Under `create_graph=True` the
backward is also written in autograd_lite ops from the saved input, so second and
higher derivatives (gradient penalties, Hessian-vector products) work too; the
gradients keep the kernels' values (ops/fused.py): the same bits with or without
create_graph.
"""

import numpy as np

from .. import _dtypes
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ..tensor import mark_dirty
from ._summation import accumulation_dtype, accurate_mean, accurate_sum
from ._util import KERNEL_DTYPES, const
from .elementwise import rsqrt
from .fused import kernel_valued_all
from . import reduce
from .shape import reshape


def _working_dtype(dtype):
    """The dtype a norm computes in: float32 for float16, else the input's own."""
    return accumulation_dtype(dtype) or dtype


def _vec(t, n, fill, dtype):
    """A parameter's data as a flat contiguous vector, or `fill` when it is absent."""
    if t is None:
        return np.full(n, fill, dtype)
    return np.ascontiguousarray(t.reshape(-1), dtype=dtype)


# ---- batch norm -----------------------------------------------------------------------------
def _channel_shape(x):
    """(1, C, 1, ...): a per-channel vector broadcast against x (N, C, *)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm_stats_numpy(x):
    """Per-channel mean and biased variance (the reference for the kernel), summed
    accurately (the kernel adds in float64; float16 adds in float32)."""
    axes = (0,) + tuple(range(2, x.ndim))
    mean = accurate_mean(x, axes, True)
    xc = x - mean
    return mean.reshape(-1), accurate_mean(xc * xc, axes)


def batch_norm_forward_numpy(x, mean, invstd, w, b):
    cs = _channel_shape(x)
    xhat = (x - mean.reshape(cs)) * invstd.reshape(cs)
    return xhat * w.reshape(cs) + b.reshape(cs), xhat


def batch_norm_backward_numpy(g, xhat, scale, training):
    """(gx, sum(g), sum(g * xhat)) per channel; scale = w * invstd."""
    axes = (0,) + tuple(range(2, g.ndim))
    cs = _channel_shape(g)
    sum_g = accurate_sum(g, axes)
    sum_gx = accurate_sum(g * xhat, axes)
    if training:
        n = max(g.size // g.shape[1], 1)  # an empty batch: zero sums, no 0 / 0
        gx = g - (sum_g / n).reshape(cs) - xhat * (sum_gx / n).reshape(cs)
    else:
        gx = g
    return gx * scale.reshape(cs), sum_g, sum_gx


class BatchNorm(Op):
    """y = (x - mean) * invstd * w + b per channel (dim 1). `mean` and `invstd` are
    arrays: the batch's statistics when `training` (their dependence on x is part of
    the gradient), the running ones otherwise (constants)."""

    save_inputs = (0, 1)

    def forward(ctx, x, w, b, mean, invstd, training, eps):
        """`mean` and `invstd` come in the working dtype (float32 for float16 x)."""
        c, ctx.out_dtype = x.shape[1], x.dtype
        dtype = _working_dtype(x.dtype)
        ctx.training, ctx.eps = training, eps
        ctx.has_b = b is not None
        ctx.mean, ctx.invstd = mean, invstd
        ctx.w = _vec(w, c, 1, dtype)
        bv = _vec(b, c, 0, dtype)
        xw = x.astype(dtype, copy=False)
        if dtype in KERNEL_DTYPES:
            out, ctx.xhat = kernels.normalization.batch_norm_forward(xw, mean, invstd, ctx.w, bv)
        else:
            out, ctx.xhat = batch_norm_forward_numpy(xw, mean, invstd, ctx.w, bv)
        return out.astype(ctx.out_dtype, copy=False)

    def backward(ctx, g):
        grads = ctx._kernel_grads(g)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_batch_norm_backward_ops(ctx, g), grads)
        return tuple(None if a is None else const(a) for a in grads)

    def _kernel_grads(ctx, g):
        """(gx, gw, gb) as arrays (None where not wanted), from the kernels."""
        ctx.saved_tensors  # noqa: B018 - raises if the graph was freed or x/w changed in place
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        xhat = ctx.xhat
        dtype = xhat.dtype
        gd = g._data.astype(dtype, copy=False)
        scale = (ctx.w * ctx.invstd).astype(dtype, copy=False)
        gx = None
        if dtype in KERNEL_DTYPES:
            k = kernels.normalization
            sum_g, sum_gx = k.batch_norm_sums(gd, xhat)
            if ex is not None:
                c = gd.shape[1]
                n = max(gd.size // c, 1)  # an empty batch: zero sums, no 0 / 0
                if ctx.training:
                    mean_g, mean_gx = (sum_g / n).astype(dtype), (sum_gx / n).astype(dtype)
                else:
                    mean_g = mean_gx = np.zeros(c, dtype)
                gx = k.batch_norm_grad_input(gd, xhat, scale, mean_g, mean_gx)
        else:
            gxa, sum_g, sum_gx = batch_norm_backward_numpy(gd, xhat, scale, ctx.training)
            gx = gxa if ex is not None else None
        out_dtype = ctx.out_dtype
        gx = gx.astype(out_dtype, copy=False) if gx is not None else None
        gw = sum_gx.astype(out_dtype, copy=False) if ew is not None else None
        gb = sum_g.astype(out_dtype, copy=False) if eb is not None else None
        return gx, gw, gb


def _batch_norm_backward_ops(ctx, g):
    """The same gradients in autograd_lite ops (recorded under create_graph)."""
    x, w = ctx.saved_tensors
    ex, ew = ctx.next_functions[:2]
    eb = ctx.next_functions[2] if ctx.has_b else None
    axes, cs = (0,) + tuple(range(2, x.ndim)), _channel_shape(x)
    if ctx.training:
        mu = reduce.mean(x, axes, keepdim=True)
        xc = x - mu
        invstd = rsqrt(reduce.mean(xc * xc, axes, keepdim=True) + ctx.eps)
    else:
        xc = x - const(ctx.mean.reshape(cs).astype(ctx.out_dtype, copy=False))
        invstd = const(ctx.invstd.reshape(cs).astype(ctx.out_dtype, copy=False))
    xhat = xc * invstd
    gw = reduce.sum(g * xhat, axes) if ew is not None else None
    gb = reduce.sum(g, axes) if eb is not None else None
    gx = None
    if ex is not None:
        gxhat = g * reshape(w, cs) if w is not None else g
        if ctx.training:
            gx = (gxhat - reduce.mean(gxhat, axes, keepdim=True)
                  - xhat * reduce.mean(gxhat * xhat, axes, keepdim=True)) * invstd
        else:
            gx = gxhat * invstd
    return gx, gw, gb


def _update_running(stat, keep, factor, batch_value):
    """stat = keep * stat + factor * batch_value in place; a bfloat16 statistic is
    updated in float32 and rounded once, as PyTorch's."""
    r = stat._data
    if r.dtype == _dtypes.bfloat16:
        r[...] = _dtypes.cast(r.astype(np.float32) * np.float32(keep) + np.float32(factor) * batch_value,
                              r.dtype)
    else:
        r *= keep
        r += factor * batch_value
    mark_dirty(stat)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalise each channel (dim 1) of x (N, C, *) over every other dim. When
    `training`, the batch's statistics are used and the running ones (if given) are
    updated in place: r = (1 - momentum) r + momentum s, with the unbiased variance."""
    c = input.shape[1]
    dtype = _working_dtype(input._data.dtype)
    x = input._data.astype(dtype, copy=False)
    n = x.size // c if c else 0
    if training and not n:  # an empty batch: an empty output, the running stats unchanged
        batch_mean, var = np.zeros(c, dtype), np.ones(c, dtype)
    elif training:
        if dtype in KERNEL_DTYPES:
            batch_mean, var = kernels.normalization.batch_norm_stats(x)
        else:
            batch_mean, var = batch_norm_stats_numpy(x)
        if running_mean is not None:
            _update_running(running_mean, 1 - momentum, momentum, batch_mean)
        if running_var is not None:
            _update_running(running_var, 1 - momentum, momentum * n / (n - 1), var)
    else:
        batch_mean = running_mean._data.astype(dtype)
        var = running_var._data.astype(dtype)
    invstd = (1 / np.sqrt(var + eps)).astype(dtype, copy=False)
    return BatchNorm.apply(input, weight, bias, batch_mean, invstd, bool(training), eps)


# ---- layer norm -------------------------------------------------------------------------------
def layer_norm_forward_numpy(x2, w, b, eps):
    """(out, xhat, invstd) for rows x2 (M, K) (the reference for the kernel)."""
    mean = accurate_mean(x2, (1,), True)
    xc = x2 - mean
    invstd = 1 / np.sqrt(accurate_mean(xc * xc, (1,), True) + x2.dtype.type(eps))
    xhat = xc * invstd
    return xhat * w + b, xhat, invstd


def layer_norm_backward_numpy(g2, xhat, invstd, w):
    gxhat = g2 * w
    k = g2.shape[1]
    gx = (gxhat - accurate_sum(gxhat, (1,), True) / k
          - xhat * accurate_sum(gxhat * xhat, (1,), True) / k) * invstd
    return gx, accurate_sum(g2 * xhat, (0,)), accurate_sum(g2, (0,))


class LayerNorm(Op):
    """y = (x - mean) * invstd * w + b, statistics over the last dims
    (`normalized_shape`). Runs on x viewed as (M, K) rows."""

    save_inputs = (0, 1)

    def forward(ctx, x, w, b, normalized_shape, eps):
        ctx.shape, ctx.eps, ctx.norm_shape = x.shape, eps, normalized_shape
        ctx.has_b = b is not None
        kk = int(np.prod(normalized_shape, dtype=np.int64))
        x2 = x.reshape(-1, kk)
        ctx.k = kk
        ctx.out_dtype = x.dtype
        dtype = _working_dtype(x.dtype)
        x2 = x2.astype(dtype, copy=False)
        ctx.w = _vec(w, kk, 1, dtype)
        bv = _vec(b, kk, 0, dtype)
        if dtype in KERNEL_DTYPES:
            out, ctx.xhat, ctx.invstd = kernels.normalization.layer_norm_forward(x2, ctx.w, bv, eps)
        else:
            out, ctx.xhat, ctx.invstd = layer_norm_forward_numpy(x2, ctx.w, bv, eps)
        return out.reshape(x.shape).astype(ctx.out_dtype, copy=False)

    def backward(ctx, g):
        grads = ctx._kernel_grads(g)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_layer_norm_backward_ops(ctx, g), grads)
        return tuple(None if a is None else const(a) for a in grads)

    def _kernel_grads(ctx, g):
        """(gx, gw, gb) as arrays (None where not wanted), from the kernels."""
        ctx.saved_tensors  # noqa: B018 - raises if the graph was freed or x/w changed in place
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        g2 = g._data.reshape(-1, ctx.k).astype(ctx.xhat.dtype, copy=False)
        if ctx.xhat.dtype in KERNEL_DTYPES:
            gx, gw, gb = kernels.normalization.layer_norm_backward(g2, ctx.xhat, ctx.invstd, ctx.w)
        else:
            gx, gw, gb = layer_norm_backward_numpy(g2, ctx.xhat, ctx.invstd, ctx.w)
        out_dtype = ctx.out_dtype
        return (gx.reshape(ctx.shape).astype(out_dtype, copy=False) if ex is not None else None,
                gw.reshape(ctx.norm_shape).astype(out_dtype, copy=False) if ew is not None else None,
                gb.reshape(ctx.norm_shape).astype(out_dtype, copy=False) if eb is not None else None)


def _layer_norm_backward_ops(ctx, g):
    x, w = ctx.saved_tensors
    ex, ew = ctx.next_functions[:2]
    eb = ctx.next_functions[2] if ctx.has_b else None
    kk = ctx.k
    x2 = reshape(x, (-1, kk))
    g2 = reshape(g, (-1, kk))
    xc = x2 - reduce.mean(x2, 1, keepdim=True)
    invstd = rsqrt(reduce.mean(xc * xc, 1, keepdim=True) + ctx.eps)
    xhat = xc * invstd
    gx = gw = gb = None
    if ew is not None:
        gw = reshape(reduce.sum(g2 * xhat, 0), ctx.norm_shape)
    if eb is not None:
        gb = reshape(reduce.sum(g2, 0), ctx.norm_shape)
    if ex is not None:
        gxhat = g2 * reshape(w, (kk,)) if w is not None else g2
        gx = (gxhat - reduce.mean(gxhat, 1, keepdim=True)
              - xhat * reduce.mean(gxhat * xhat, 1, keepdim=True)) * invstd
        gx = reshape(gx, ctx.shape)
    return gx, gw, gb


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last len(normalized_shape) dims (a tuple matching them),
    then scale and shift."""
    return LayerNorm.apply(input, weight, bias, normalized_shape, eps)
