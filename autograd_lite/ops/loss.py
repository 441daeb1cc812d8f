"""The fused loss ops: binary cross entropy, cross entropy with class indices and
nll_loss, one node each. The forward works on arrays; the backward is a second op
(or Tensor ops), so double backward works. The other losses are compositions of
ops, written in nn.functional with PyTorch's arguments."""
import functools

import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import const, wide
from .elementwise import clamp_min, log, log1p
from .softmaxes import softmax


class BinaryCrossEntropy(Op):
    """-(y log x + (1 - y) log(1 - x)), each log clamped at -100 (as PyTorch)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, y):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        return -(y * log_x + (1 - y) * log_1mx)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ex, ey = ctx.next_functions
        gx = gy = None
        if ex is not None:  # (x - y) / (x (1 - x)), the denominator kept >= 1e-12
            gx = g * (x - y) / clamp_min(x * (1 - x), 1e-12)
        if ey is not None:
            gy = g * (log1p(-x) - log(x))
        return gx, gy


def _class_setup(x, t, weight, ignore_index):
    """Shared by the fused ops: the target with ignored entries set to class 0, the row
    weights (or None; 0 on ignored rows), the validity mask (None if all count) and the
    denominator of the weighted mean."""
    valid = t != ignore_index
    all_valid = bool(valid.all())
    t_safe = t if all_valid else np.where(valid, t, 0)
    if weight is not None:
        row_w = weight[t_safe]
        if not all_valid:
            row_w = row_w * valid
        denom = row_w.sum(dtype=x.dtype)
    elif all_valid:
        row_w = None
        denom = x.dtype.type(t.size)
    else:
        row_w = valid.astype(x.dtype)
        denom = row_w.sum()
    return t_safe, row_w, valid if not all_valid else None, denom


def _finish(loss, reduction, denom, dtype):
    if reduction == "none":
        return loss
    total = loss.sum(dtype=dtype)
    if reduction == "sum":
        return np.asarray(total)
    if denom:
        return np.asarray(total / denom, dtype=dtype)
    with np.errstate(invalid="ignore", divide="ignore"):  # nothing counts: nan, silently
        return np.asarray(total / denom, dtype=dtype)


def _grad_scale(reduction, denom):
    """Factor on the incoming gradient: 1/denominator for 'mean' (0 if nothing counts)."""
    if reduction != "mean":
        return 1
    return 1 / denom if denom != 0 else 0


def _row_grad(g, scale, reduction):
    """The incoming gradient per row, shaped (N, 1, d...) for 'none', else a scalar."""
    if reduction == "none":
        return g[:, None]
    return g * scale


def _col(v):
    """A per-row array (N, d...) as (N, 1, d...), to broadcast against (N, C, d...)."""
    return v[:, None] if v.ndim else v


def _take(arr, t):
    """arr[n, t[n, ...], ...] for arr (N, C, d...) and class indices t (N, d...)."""
    if arr.ndim == 2:
        return arr[_row_indices(arr.shape[0]), t]
    return np.take_along_axis(arr, t[:, None], 1)[:, 0]


def _pick_sub(out, t, values):
    """out[n, t[n, ...], ...] -= values (a scalar or shaped (N, 1, d...))."""
    if out.ndim == 2:
        out[_row_indices(out.shape[0]), t] -= values[:, 0] if np.ndim(values) else values
    else:
        index = t[:, None]
        np.put_along_axis(out, index, np.take_along_axis(out, index, 1) - values, 1)


def _one_hot_rows(shape, t, values, dtype):
    """An array of `shape` (N, C, d...) holding `values` at the picked classes, else 0."""
    out = np.zeros(shape, dtype)
    _pick_sub(out, t, -np.asarray(values, dtype))
    return out


class CrossEntropyLoss(Op):
    """Cross entropy with class indices over dim 1 of (N, C, d...), fused: a stable
    log-softmax, the pick at the target, label smoothing, weights and the reduction in
    one node. The softmax is kept for the backward, (softmax * a - q) * g, which is
    the op `CrossEntropyLossGrad` (so double backward works). The target is saved too
    (its array is used as it is): an in-place change before backward raises."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, t, weight, ignore_index, eps, reduction, checked_plain=False):
        n_classes = x.shape[1]
        if checked_plain or (x.ndim == 2 and weight is None and not eps
                             and nothing_ignored(t, ignore_index, n_classes)):
            return _plain_forward(ctx, x, t, reduction)
        t_safe, row_w, valid, denom = _class_setup(x, t, weight, ignore_index)
        s = x - x.max(axis=1, keepdims=True)
        s_t = _take(s, t_safe)
        if eps:
            w_view = None if weight is None else weight.reshape((1, -1) + (1,) * (x.ndim - 2))
            s_sum = s.sum(axis=1) if weight is None else (s * w_view).sum(axis=1)
        np.exp(s, out=s)
        se = s.sum(axis=1, keepdims=True)
        s /= se  # s is now the softmax
        lse = np.log(se[:, 0])
        nll = lse - s_t  # -log p[target]
        if row_w is not None:
            nll *= row_w
        if eps:  # -(eps / C) sum_c w_c log p_c, on the rows that count
            w_total = n_classes if weight is None else weight.sum()
            smooth = w_total * lse - s_sum
            if valid is not None:
                smooth *= valid
            loss = (1 - eps) * nll + (eps / n_classes) * smooth
        else:
            loss = nll
        # the gradient of row n is g_n * (softmax * a_n - q_n), q_n = (1 - eps) w_t onehot
        # + (eps / C) w (times the row's validity); a_n = sum_c q_nc
        dtype = x.dtype
        q_t = (1 - eps) * row_w if row_w is not None else np.asarray(1 - eps, dtype)
        if eps:
            valid_f = np.asarray(1, dtype) if valid is None else valid.astype(dtype)
            ctx.q_smooth = (eps / n_classes) * (np.asarray(1, dtype) if weight is None else w_view)
            ctx.valid_f = _col(valid_f)
            a = q_t + (eps / n_classes) * w_total * valid_f
        else:
            a = q_t
        ctx.softmax = s
        ctx.t_safe = t_safe
        ctx.a = _col(np.asarray(a, dtype))
        ctx.q_t = _col(np.asarray(q_t, dtype))
        ctx.eps = eps
        ctx.reduction = reduction
        ctx.scale = _grad_scale(reduction, denom)
        return _finish(loss.astype(dtype, copy=False), reduction, denom, dtype)

    def backward(ctx, g):
        x, t = ctx.saved_tensors
        return CrossEntropyLossGrad.apply(g, x, t, ctx)

    @wide
    def fast_backward(ctx, g):
        ctx.saved_arrays  # noqa: B018 - the Tensor rule's checks (freed graph, in-place change)
        return _indices_grad(g, ctx)


def nothing_ignored(t, ignore_index, n_classes):
    """No target is ignore_index: it is no class, and every target is one (the caller
    checked that each is a class or ignore_index). One reduction: a negative index is
    huge as uint64."""
    return ((ignore_index < 0 or ignore_index >= n_classes)
            and (t.size == 0 or np.maximum.reduce(t.view(np.uint64), None) < n_classes))


def _plain_forward(ctx, x, t, reduction):
    """CrossEntropyLoss.forward for logits (N, C), no weights, no smoothing, nothing
    ignored (the common case): the same stable log-softmax and pick, for small logits in
    one kernel call (kernels/cross_entropy.py: 32 x 10 took 8 us in NumPy's calls), else
    in half the NumPy calls of the general path."""
    n = x.shape[0]
    s = nll = None
    if (x.size <= kernels.cross_entropy.SMALL and (x.dtype == np.float32 or x.dtype == np.float64)
            and x.flags.c_contiguous and t.dtype == np.int64):
        s, nll = np.empty_like(x), np.empty(n, x.dtype)  # one kernel call: softmax and nll
        if kernels.cross_entropy.rows(x, t, s, nll) != -1:
            s = None  # a target that is no class: NumPy's indexing raises below
        ctx.small = s is not None  # and every target a class: grad_rows may index with t
    if s is None:
        s = x - x.max(axis=1, keepdims=True)
        s_t = _take(s, t)
        np.exp(s, out=s)
        se = s.sum(axis=1, keepdims=True)
        s /= se  # s is now the softmax
        nll = np.log(se[:, 0])
        nll -= s_t  # -log p[target]
    ctx.softmax, ctx.t_safe, ctx.reduction, ctx.eps = s, t, reduction, 0.0
    ctx.plain = True  # a_n = q_n = 1: the gradient is g_n * (softmax - onehot)
    ctx.a = ctx.q_t = _one(x.dtype)  # for the double backward (CrossEntropyLossGrad)
    ctx.scale = _grad_scale(reduction, n)
    return _finish(nll, reduction, x.dtype.type(n), x.dtype)


_ROW_INDICES = {}


@functools.lru_cache(maxsize=16)
def _one(dtype):
    """A read-only 0-d one of `dtype`, shared (np.ones(()) took 3.6 us of a 25 us loss)."""
    one = np.ones((), dtype)
    one.flags.writeable = False
    return one


def _row_indices(n):
    """np.arange(n) (int64), kept per n: never written."""
    rows = _ROW_INDICES.get(n)
    if rows is None:
        if len(_ROW_INDICES) > 64:
            _ROW_INDICES.clear()
        rows = _ROW_INDICES[n] = np.arange(n)
    return rows


def _indices_grad(g, f):
    """g_n * (softmax * a_n - q_n) on arrays, from what CrossEntropyLoss kept in f."""
    rg = _row_grad(g, f.scale, f.reduction)
    if getattr(f, "plain", False):
        if getattr(f, "small", False) and rg.shape == ():  # one kernel call (rows() checked t)
            out = np.empty_like(f.softmax)
            kernels.cross_entropy.grad_rows(f.softmax, f.t_safe, out.dtype.type(rg), out)
            return out
        out = f.softmax * rg
        _pick_sub(out, f.t_safe, rg)
        return out
    out = f.softmax * (f.a * rg)
    _pick_sub(out, f.t_safe, f.q_t * rg)
    if f.eps:
        out -= f.q_smooth * (f.valid_f * rg)
    return out


class CrossEntropyLossGrad(Op):
    """d cross_entropy / d logits = g_n * (softmax * a_n - q_n), from the saved softmax."""

    save_inputs = (0, 1, 2)

    @wide
    def forward(ctx, g, x, t, f):
        ctx.f = f
        return _indices_grad(g, f)

    def backward(ctx, gg):
        g, x, _ = ctx.saved_tensors
        f = ctx.f
        eg, ex = ctx.next_functions[:2]
        p = softmax(x, dim=1)  # recomputed as an op, so that it depends on x
        a = const(f.a)
        gg_g = gg_x = None
        if eg is not None:  # the backward is linear in g
            q = _one_hot_rows(x.shape, f.t_safe, f.q_t, x.dtype)
            if f.eps:
                q = q + f.q_smooth * f.valid_f
            per_row = ((p * a - const(q)) * gg).sum(1)
            gg_g = per_row if f.reduction == "none" else per_row.sum() * f.scale
        if ex is not None:  # softmax's vector-Jacobian product, times g_n a_n
            rg = g.unsqueeze(1) if f.reduction == "none" else g * f.scale
            gp = gg * p
            gg_x = (gp - p * gp.sum(1, keepdim=True)) * (rg * a)
        return gg_g, gg_x


class NllLoss(Op):
    """-w[t] * input[n, t, ...] with ignore_index and the weighted mean, in one node.
    The target is saved: an in-place change before backward raises."""

    save_inputs = (1,)

    @wide
    def forward(ctx, x, t, weight, ignore_index, reduction):
        t_safe, row_w, _, denom = _class_setup(x, t, weight, ignore_index)
        loss = -_take(x, t_safe)
        if row_w is not None:
            loss *= row_w
        ctx.shape, ctx.dtype = x.shape, x.dtype
        ctx.t_safe = t_safe
        ctx.row_w = np.ones(t.shape, x.dtype) if row_w is None else row_w
        ctx.reduction = reduction
        ctx.scale = _grad_scale(reduction, denom)
        return _finish(loss, reduction, denom, x.dtype)

    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - checks the target was not changed in place
        coef = _one_hot_rows(ctx.shape, ctx.t_safe, -ctx.row_w[:, None], ctx.dtype)
        if ctx.reduction == "none":
            return g.unsqueeze(1) * const(coef)
        return g * const(coef * ctx.scale)


def binary_cross_entropy(input, target):
    """Elementwise -(y log x + (1 - y) log(1 - x)) of probabilities `input` (checked)."""
    return BinaryCrossEntropy.apply(input, target)


def cross_entropy(input, target, weight, ignore_index, label_smoothing, reduction):
    """Cross entropy of logits (N, C, d...) at the int64 class indices `target` (a Tensor)
    (N, d...), with class weights (an array or None), reduced."""
    return CrossEntropyLoss.apply(input, target, weight, ignore_index, label_smoothing, reduction)


def plain_cross_entropy(input, target, ignore_index, reduction):
    """cross_entropy of logits (N, C) at int64 class indices (N,), every one a class
    (the caller checked: none is ignore_index), with no weights and no smoothing: the
    common case."""
    return CrossEntropyLoss.apply(input, target, None, ignore_index, 0.0, reduction, True)


def nll_loss(input, target, weight, ignore_index, reduction):
    """-weight[t] * input[n, t, ...] at the int64 class indices `target` (a Tensor), reduced."""
    return NllLoss.apply(input, target, weight, ignore_index, reduction)
