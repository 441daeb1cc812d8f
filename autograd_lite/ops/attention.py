"""Scaled dot-product attention, softmax(q k^T * scale + mask) v, as one node
(nn.functional checks the arguments and turns bool masks into additive ones).

One node instead of five (matmul, scale, add, softmax, matmul) keeps the (*B, L, S)
scores in one buffer that the softmax overwrites in place (kernels/attention.py: the
scale, the mask, the causal mask and the row max in one pass), and its backward is two
GEMMs per input plus one pass of the softmax's rule. First-order gradients run on
arrays (`fast_backward`); under create_graph the same gradients are rebuilt from the
saved q, k, v and mask in autograd_lite ops (`_composed_grads`), carrying the kernel's
values (ops/fused.py), so every order works and the bits don't depend on create_graph.

Rows with no key to attend to (every score -inf) give zeros, as PyTorch's
scaled_dot_product_attention; `nan_rows=True` gives NaN there instead, as a plain
softmax does (MultiheadAttention's paths that compute the weights explicitly).
Dropout on the attention weights draws from autograd_lite's generator.
"""
import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import KERNEL_DTYPES, const
from .elementwise import where
from .fused import kernel_valued_all
from .dropout import dropout_mask
from .linalg import Matmul
from .reduce import sum as reduce_sum
from .shape import Permute, sum_to, sum_to_array
from .softmaxes import Softmax


# ---- the masked softmax on arrays -------------------------------------------------------------
def causal_bias(rows, cols, dtype):
    """(rows, cols): 0 where key j <= query i (upper-left aligned), -inf above."""
    return np.triu(np.full((rows, cols), -np.inf, dtype), 1)


def masked_softmax_numpy(s, mask, scale, causal, nan_rows):
    """softmax(s * scale + mask) over the last dim in NumPy (the kernels' reference,
    and the path for dtypes without a kernel); a new array."""
    a = s * s.dtype.type(scale)
    if mask is not None:
        a = a + mask
    if causal:
        a = a + causal_bias(s.shape[-2], s.shape[-1], s.dtype)
    if a.shape[-1] == 0:
        return a
    dead = np.all(a == -np.inf, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.exp(a - np.where(dead, 0, np.max(a, axis=-1, keepdims=True)))
        p = e / np.sum(e, axis=-1, keepdims=True)
    return np.where(dead, np.nan if nan_rows else 0, p).astype(s.dtype, copy=False)


def _masked_softmax(s, mask, scale, causal, nan_rows):
    if s.dtype in KERNEL_DTYPES and s.flags.c_contiguous and s.flags.writeable:
        return kernels.attention.masked_softmax_(s, mask, scale, causal, nan_rows)
    return masked_softmax_numpy(s, mask, scale, causal, nan_rows)


def _softmax_backward(gp, p):
    """p * (gp - sum(gp * p)) per row; in place on gp (a fresh array)."""
    if gp.dtype in KERNEL_DTYPES:
        if p.shape != gp.shape:
            p = np.ascontiguousarray(np.broadcast_to(p, gp.shape))
        return kernels.attention.masked_softmax_backward_(gp, p)
    return p * (gp - np.sum(gp * p, axis=-1, keepdims=True))


def _dropout_mask(shape, p, dtype):
    """keep / (1 - p), keep ~ Bernoulli(1 - p), from autograd_lite's generator."""
    if p >= 1:
        return np.zeros(shape, dtype)
    return dropout_mask(shape, p, dtype)


def _swap(a):
    return np.swapaxes(a, -1, -2)


# ---- the op ------------------------------------------------------------------------------------------
class ScaledDotProductAttention(Op):
    """q (*Bq, L, E), k (*Bk, S, E), v (*Bv, S, Ev), mask broadcasting to (*B, L, S)
    (additive, q's dtype, or None) -> (*B, L, Ev); batch dims broadcast as matmul's.
    Other float dtypes (float16) compute in float32, as PyTorch's math path."""

    save_inputs = (0, 1, 2, 3)

    def forward(ctx, q, k, v, mask, scale, causal, dropout_p, nan_rows, layout):
        dtype = q.dtype
        work = dtype if dtype in KERNEL_DTYPES else np.dtype(np.float32)
        ctx.work, ctx.causal, ctx.nan_rows = work, causal, nan_rows
        # with E = 0 the scores are exactly 0 whatever the scale (1/sqrt(0) = inf)
        ctx.scale = scale if q.shape[-1] else 0.0
        q, k, v = q.astype(work, copy=False), k.astype(work, copy=False), v.astype(work, copy=False)
        if mask is not None:
            mask = mask.astype(work, copy=False)
        s = np.matmul(q, _swap(k))  # (*B, L, S)
        p = _masked_softmax(s, mask, ctx.scale, causal, nan_rows)
        ctx.p = p
        ctx.drop = None
        if dropout_p > 0:
            ctx.drop = _dropout_mask(p.shape, dropout_p, work)
            p = p * ctx.drop
        if layout is None or work != dtype:
            return np.matmul(p, v).astype(dtype, copy=False)
        shape = np.broadcast_shapes(p.shape[:-2], v.shape[:-2]) + (p.shape[-2], v.shape[-1])
        out = np.empty([shape[d] for d in layout], dtype).transpose(np.argsort(layout))
        return np.matmul(p, v, out=out)

    def _release(ctx):
        super()._release()
        ctx.p = ctx.drop = None

    def _array_grads(ctx, g):
        """(gq, gk, gv, gmask) as arrays (None where not wanted)."""
        arrays = ctx.saved_arrays
        eq, ek, ev, em = ctx.next_functions[:4]
        work = ctx.work
        q, k, v, mask = (None if a is None else a.astype(work, copy=False) for a in arrays)
        g = g.astype(work, copy=False)
        p, drop = ctx.p, ctx.drop
        gq = gk = gv = gm = None
        if ev is not None:
            pd = p if drop is None else p * drop
            gv = sum_to_array(np.matmul(_swap(pd), g), v.shape)
        if eq is not None or ek is not None or em is not None:
            ga = np.matmul(g, _swap(v))  # (*B, L, S), a new array
            if drop is not None:
                ga *= drop
            ga = _softmax_backward(ga, p)  # the gradient of the scores after scale and mask
            scale = work.type(ctx.scale)
            if em is not None:
                gm = sum_to_array(ga, mask.shape)
            if eq is not None:
                gq = np.matmul(ga, k)
                gq *= scale
                gq = sum_to_array(gq, q.shape)
            if ek is not None:
                gk = np.matmul(_swap(ga), q)
                gk *= scale
                gk = sum_to_array(gk, k.shape)
        return tuple(None if g_ is None else g_.astype(a.dtype, copy=False)
                     for g_, a in zip((gq, gk, gv, gm), arrays))

    def backward(ctx, g):
        grads = ctx._array_grads(g._data)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_composed_grads(ctx, g), grads)
        return tuple(None if a is None else const(a) for a in grads)

    def fast_backward(ctx, g):
        return ctx._array_grads(g)


def _mT(t):
    n = t.ndim
    return Permute.apply(t, tuple(range(n - 2)) + (n - 1, n - 2))


def _composed_grads(ctx, g):
    """The gradients of the forward written in autograd_lite ops, from the saved inputs."""
    q, k, v, mask = ctx.saved_tensors
    eq, ek, ev, em = ctx.next_functions[:4]
    work = ctx.work
    if q.dtype != work:
        q, k, v, g = q.to(work), k.to(work), v.to(work), g.to(work)
        mask = None if mask is None else mask.to(work)
    a = Matmul.apply2(q, _mT(k)) * ctx.scale
    if mask is not None:
        a = a + mask
    if ctx.causal:
        a = a + const(causal_bias(a.shape[-2], a.shape[-1], work))
    dead = np.all(a._data == -np.inf, axis=-1, keepdims=True)
    if not ctx.nan_rows and dead.any():  # zero rows, with no NaN in their gradient
        p = where(dead, 0.0, Softmax.apply(where(dead, 0.0, a), -1))
    else:
        p = Softmax.apply(a, -1)
    drop = None if ctx.drop is None else const(ctx.drop)
    gq = gk = gv = gm = None
    if ev is not None:
        pd = p if drop is None else p * drop
        gv = sum_to(Matmul.apply2(_mT(pd), g), v.shape)
    if eq is not None or ek is not None or em is not None:
        gp = Matmul.apply2(g, _mT(v))
        if drop is not None:
            gp = gp * drop
        ga = p * (gp - reduce_sum(gp * p, -1, keepdim=True))
        if em is not None:
            gm = sum_to(ga, mask.shape)
        if eq is not None:
            gq = sum_to(Matmul.apply2(ga, k) * ctx.scale, q.shape)
        if ek is not None:
            gk = sum_to(Matmul.apply2(_mT(ga), q) * ctx.scale, k.shape)
    dtypes = [t.dtype for t in ctx.saved_tensors if t is not None]
    return tuple(None if c is None else c.to(d) for c, d in zip((gq, gk, gv, gm), dtypes))


def attention(query, key, value, mask=None, scale=1.0, causal=False, dropout_p=0.0,
              nan_rows=False, layout=None):
    """softmax(query key^T * scale + mask [+ causal]) (dropped out) value, in one node.
    The caller has checked shapes and dtypes (nn.functional.scaled_dot_product_attention).
    `layout`: the output's dims in memory order, e.g. (0, 2, 1, 3) stores (N, H, L, Ev)
    as (N, L, H, Ev), so merging the heads after it is a view, not a copy."""
    return ScaledDotProductAttention.apply(query, key, value, mask, float(scale), bool(causal),
                                           float(dropout_p), bool(nan_rows),
                                           None if layout is None else tuple(layout))
