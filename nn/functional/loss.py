"""Loss functions (`F.mse_loss`, `F.cross_entropy`, ...) with PyTorch's names,
arguments, reductions and numbers.

Most losses are short compositions of autograd_lite ops, so every derivative order
comes for free. Cross entropy with class indices and nll_loss are fused ops (one node
each): the forward works on arrays, and the backward is a second op (or Tensor ops),
so double backward still works.
"""
import warnings

import numpy as np

import autograd_lite as ag
from autograd_lite.autograd.node import Op
from autograd_lite.ops._util import ShapeError, as_tensor, const
from autograd_lite.tensor import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


# ---- shared argument handling ------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction, op):
    """PyTorch's deprecated `size_average`/`reduce` pair, mapped to a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    new = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"{op}: the size_average and reduce arguments are deprecated; "
                  f"use reduction='{new}' instead.", UserWarning, stacklevel=3)
    return new


def _check_reduction(reduction, op, allowed=_REDUCTIONS):
    if reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction (use {names})")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _desc(t):
    return f"{tuple(t.shape)} ({t.dtype})"


def _tensor(x, op, name):
    if isinstance(x, Tensor):
        return x
    try:
        return as_tensor(x, op)
    except TypeError:
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}") from None


def _float_input(x, op, name="input"):
    x = _tensor(x, op, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating tensor, got {_desc(x)}")
    return x


def _float_target(target, input, op):
    """A float target of the input's dtype family (integer targets are refused, as PyTorch)."""
    target = _tensor(target, op, "target")
    if target.dtype.kind != "f":
        raise TypeError(f"{op}: target must be a floating tensor, got {_desc(target)} "
                        f"(input {_desc(input)})")
    return target


def _warn_size(input, target, op):
    """Regression losses broadcast input and target, warning when their shapes differ."""
    if input.shape == target.shape:
        return
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(f"{op}: input {_desc(input)} and target {_desc(target)} cannot be "
                         f"broadcast together; give them the same shape") from None
    warnings.warn(f"{op}: target shape {tuple(target.shape)} differs from input shape "
                  f"{tuple(input.shape)}; they are broadcast, which is likely to give wrong "
                  f"results. Give them the same shape.", UserWarning, stacklevel=3)


def _same_shape_weight(weight, input, op):
    weight = _tensor(weight, op, "weight")
    if weight.shape != input.shape:
        raise ValueError(f"{op}: weight {_desc(weight)} must have the input's shape "
                         f"{tuple(input.shape)}")
    return weight


def _broadcast_weight(weight, input, op, name="weight"):
    """A weight that broadcasts to the input's shape (not the other way round)."""
    weight = _tensor(weight, op, name)
    try:
        shape = np.broadcast_shapes(weight.shape, input.shape)
    except ValueError:
        shape = None
    if shape != tuple(input.shape):
        raise ShapeError(f"{op}: {name} {_desc(weight)} does not broadcast to the input's "
                         f"shape {tuple(input.shape)}")
    return weight


# ---- regression losses ---------------------------------------------------------------------
def _regression(input, target, size_average, reduce, reduction, op):
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    input = _float_input(input, op)
    target = _tensor(target, op, "target")
    _warn_size(input, target, op)
    return input, target, reduction


def _weighted_mean_reduce(loss, weight, reduction):
    """mse_loss/l1_loss with a weight: 'mean' is sum(w * l) / sum(w), as PyTorch."""
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error, (input - target)^2, optionally weighted per element."""
    input, target, reduction = _regression(input, target, size_average, reduce, reduction,
                                           "mse_loss")
    d = input - target
    loss = d * d
    if weight is not None:
        return _weighted_mean_reduce(loss, _same_shape_weight(weight, input, "mse_loss"),
                                     reduction)
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target|, optionally weighted per element."""
    input, target, reduction = _regression(input, target, size_average, reduce, reduction,
                                           "l1_loss")
    loss = ag.abs(input - target)
    if weight is not None:
        return _weighted_mean_reduce(loss, _same_shape_weight(weight, input, "l1_loss"),
                                     reduction)
    return _reduce(loss, reduction)


def _quadratic_linear(d, threshold, quad_scale, lin_scale):
    """quad_scale * d^2 / 2 where |d| < threshold, else lin_scale * (|d| - threshold / 2)."""
    ad = ag.abs(d)
    quad = d * d * (0.5 * quad_scale)
    lin = (ad - 0.5 * threshold) * lin_scale if lin_scale != 1 else ad - 0.5 * threshold
    return ag.where(ad < threshold, quad, lin)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (beta=0 is the L1 loss)."""
    op = "smooth_l1_loss"
    input, target, reduction = _regression(input, target, size_average, reduce, reduction, op)
    if beta < 0:
        raise ValueError(f"{op}: beta must be non-negative, got {beta}")
    d = input - target
    if beta == 0:
        return _reduce(ag.abs(d), reduction)
    return _reduce(_quadratic_linear(d, beta, 1.0 / beta, 1), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2); a weight multiplies each
    element (and 'mean' stays the plain mean, as PyTorch)."""
    op = "huber_loss"
    input, target, reduction = _regression(input, target, None, None, reduction, op)
    if not delta > 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    loss = _quadratic_linear(input - target, delta, 1.0, delta)
    if weight is not None:
        loss = loss * _same_shape_weight(weight, input, op)
    return _reduce(loss, reduction)


# ---- binary cross entropy --------------------------------------------------------------------
class _BinaryCrossEntropy(Op):
    """-(y log x + (1 - y) log(1 - x)), each log clamped at -100 (as PyTorch)."""

    save_inputs = (0, 1)

    def name(self):
        return "BinaryCrossEntropyBackward"

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
            gx = g * (x - y) / ag.clamp_min(x * (1 - x), 1e-12)
        if ey is not None:
            gy = g * (ag.log1p(-x) - ag.log(x))
        return gx, gy


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy of probabilities `input` in [0, 1] against `target`."""
    op = "binary_cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    input = _float_input(input, op)
    target = _float_target(target, input, op)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target {_desc(target)} must have the input's shape "
                         f"{tuple(input.shape)}")
    x = input._data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise ValueError(f"{op}: all elements of input must be probabilities in [0, 1] "
                         f"(got values from {np.nanmin(x)} to {np.nanmax(x)}, "
                         f"{int(np.isnan(x).sum())} NaN); for logits use "
                         f"binary_cross_entropy_with_logits")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * _broadcast_weight(weight, input, op)
    return _reduce(loss, reduction)


class _LogSigmoid(Op):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow for any x."""

    save_inputs = (0,)

    def name(self):
        return "LogSigmoidBackward"

    def forward(ctx, x):
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ag.sigmoid(-x)


def _log_sigmoid(x):
    return _LogSigmoid.apply(x)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable formula:
    (1 - y) x - (1 + (pos_weight - 1) y) log(sigmoid(x)), times weight."""
    op = "binary_cross_entropy_with_logits"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    input = _float_input(input, op)
    target = _float_target(target, input, op)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target {_desc(target)} must have the input's shape "
                         f"{tuple(input.shape)}")
    log_sig = _log_sigmoid(input)
    if pos_weight is not None:
        pos_weight = _broadcast_weight(pos_weight, input, op, "pos_weight")
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * log_sig
    else:
        loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * _broadcast_weight(weight, input, op)
    return _reduce(loss, reduction)


# ---- KL divergence ---------------------------------------------------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log(target) - input) with `input` in log space
    (and `target` too when log_target). 'batchmean' divides the sum by the batch size."""
    op = "kl_div"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op, _REDUCTIONS + ("batchmean",))
    input = _float_input(input, op)
    target = _float_input(target, op, "target")
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(f"{op}: input {_desc(input)} and target {_desc(target)} cannot be "
                         f"broadcast together") from None
    if log_target:
        loss = ag.exp(target) * (target - input)
    else:  # xlogy(t, t) - t * input: 0 where t == 0
        safe = ag.where(target == 0, ag.ones_like(target), target)
        loss = target * ag.log(safe) - target * input
    if reduction == "mean":
        warnings.warn(f"{op}: reduction='mean' divides the total loss by the batch size and "
                      f"the support size; reduction='batchmean' divides by the batch size "
                      f"only, which is the KL divergence's definition (PyTorch will make "
                      f"'mean' behave as 'batchmean' in a future release).",
                      UserWarning, stacklevel=2)
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


# ---- classification: class indices -------------------------------------------------------------
def _class_target(input, target, ignore_index, op):
    """Check (input, class-index target); return the target as an int64 array shaped as
    the input without its class dim, and the class count."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim: (C,), (N, C) or (N, C, d1, ...); "
                         f"got {_desc(input)}")
    t = target._data
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: a class-index target must be an integer tensor, got "
                        f"{_desc(target)} (input {_desc(input)}); class probabilities must "
                        f"have the input's shape")
    if input.ndim == 1:
        expected = ()
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(t.shape) != expected:
        raise ValueError(f"{op}: target shape {tuple(t.shape)} does not fit input shape "
                         f"{tuple(input.shape)}: expected a target of shape {expected} "
                         f"(input (N, C, d1, ...) takes target (N, d1, ...))")
    n_classes = input.shape[0 if input.ndim == 1 else 1]
    if t.dtype != np.int64:
        t = t.astype(np.int64)
    if t.size:
        # one reduction for both bounds: a negative index is huge as uint64
        if np.maximum.reduce(t.view(np.uint64), None) >= n_classes:
            bad = t[((t < 0) | (t >= n_classes)) & (t != ignore_index)]
            if bad.size:
                raise IndexError(f"{op}: target class index {bad.flat[0]} is out of range for "
                                 f"{n_classes} classes (input {_desc(input)}); valid are "
                                 f"0..{n_classes - 1} and ignore_index={ignore_index}")
    return t, n_classes


def _class_weight(weight, input, n_classes, op):
    if weight is None:
        return None
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have one entry per class, shape ({n_classes},); "
                         f"got {tuple(w.shape)} ({w.dtype}) for input {_desc(input)}")
    if w.dtype != input.dtype:
        w = w.astype(input.dtype)
    return w


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
        return arr[np.arange(arr.shape[0]), t]
    return np.take_along_axis(arr, t[:, None], 1)[:, 0]


def _pick_sub(out, t, values):
    """out[n, t[n, ...], ...] -= values (a scalar or shaped (N, 1, d...))."""
    if out.ndim == 2:
        out[np.arange(out.shape[0]), t] -= values[:, 0] if np.ndim(values) else values
    else:
        index = t[:, None]
        np.put_along_axis(out, index, np.take_along_axis(out, index, 1) - values, 1)


def _one_hot_rows(shape, t, values, dtype):
    """An array of `shape` (N, C, d...) holding `values` at the picked classes, else 0."""
    out = np.zeros(shape, dtype)
    _pick_sub(out, t, -np.asarray(values, dtype))
    return out


class _CrossEntropyIndices(Op):
    """Cross entropy with class indices over dim 1 of (N, C, d...), fused: a stable
    log-softmax, the pick at the target, label smoothing, weights and the reduction in
    one node. The softmax is kept for the backward, (softmax * a - q) * g, which is
    the op `_CrossEntropyIndicesGrad` (so double backward works)."""

    save_inputs = (0,)

    def name(self):
        return "CrossEntropyLossBackward"

    def forward(ctx, x, t, weight, ignore_index, eps, reduction):
        n_classes = x.shape[1]
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
        (x,) = ctx.saved_tensors
        return _CrossEntropyIndicesGrad.apply(g, x, ctx)

    def fast_backward(ctx, g):
        ctx.saved_arrays  # noqa: B018 - the Tensor rule's checks (freed graph, in-place change)
        return _indices_grad(g, ctx)


def _indices_grad(g, f):
    """g_n * (softmax * a_n - q_n) on arrays, from what _CrossEntropyIndices kept in f."""
    rg = _row_grad(g, f.scale, f.reduction)
    out = f.softmax * (f.a * rg)
    _pick_sub(out, f.t_safe, f.q_t * rg)
    if f.eps:
        out -= f.q_smooth * (f.valid_f * rg)
    return out


class _CrossEntropyIndicesGrad(Op):
    """d cross_entropy / d logits = g_n * (softmax * a_n - q_n), from the saved softmax."""

    save_inputs = (0, 1)

    def name(self):
        return "CrossEntropyLossGradBackward"

    def forward(ctx, g, x, f):
        ctx.f = f
        return _indices_grad(g, f)

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        f = ctx.f
        eg, ex = ctx.next_functions[:2]
        p = ag.softmax(x, dim=1)  # recomputed as an op, so that it depends on x
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


class _NLLLoss(Op):
    """-w[t] * input[n, t, ...] with ignore_index and the weighted mean, in one node."""

    def name(self):
        return "NllLossBackward"

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
        coef = _one_hot_rows(ctx.shape, ctx.t_safe, -ctx.row_w[:, None], ctx.dtype)
        if ctx.reduction == "none":
            return g.unsqueeze(1) * const(coef)
        return g * const(coef * ctx.scale)


def _batched(input, t):
    """(C,) input and () target as a batch of one."""
    if input.ndim == 1:
        return input.unsqueeze(0), t[None], True
    return input, t, False


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of log-probabilities `input` (N, C, d1, ...) at the class
    indices `target` (N, d1, ...); 'mean' is the weighted mean over counted targets."""
    op = "nll_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    input = _float_input(input, op)
    target = _tensor(target, op, "target")
    t, n_classes = _class_target(input, target, ignore_index, op)
    w = _class_weight(weight, input, n_classes, op)
    x, t, unbatched = _batched(input, t)
    out = _NLLLoss.apply(x, t, w, ignore_index, reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps, op):
    if ignore_index != -100:
        raise ValueError(f"{op}: ignore_index is not supported with class-probability "
                         f"targets (target {_desc(target)})")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = ag.log_softmax(input, dim=class_dim)
    if eps:
        target = target * (1 - eps) + eps / n_classes
    prod = logp * target
    if weight is not None:
        w = _class_weight(weight, input, n_classes, op)
        prod = prod * const(w.reshape((-1,) + (1,) * (input.ndim - class_dim - 1)))
    loss = -prod.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // n_classes if n_classes else 0)
    return _reduce(loss, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits `input` (C,), (N, C) or (N, C, d1, ...) against class
    indices (N, d1, ...) or class probabilities (the input's shape)."""
    op = "cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    input = _float_input(input, op)
    target = _tensor(target, op, "target")
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim and target.shape == input.shape:
        if target.dtype.kind != "f":
            raise TypeError(f"{op}: a target of the input's shape {tuple(input.shape)} holds "
                            f"class probabilities and must be floating, got {_desc(target)}")
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps, op)
    t, n_classes = _class_target(input, target, ignore_index, op)
    w = _class_weight(weight, input, n_classes, op)
    x, t, unbatched = _batched(input, t)
    out = _CrossEntropyIndices.apply(x, t, w, ignore_index, eps, reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out
