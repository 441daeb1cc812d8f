"""Classification losses (binary_cross_entropy[_with_logits], nll_loss,
cross_entropy) with PyTorch's names, arguments, reductions and numbers; the fused ops
are autograd_lite.ops.loss's."""
import numpy as np

import autograd_lite as ag
from autograd_lite.ops import activation as activation_ops
from autograd_lite.ops import loss as loss_ops

from .loss_arguments import (
    apply_reduction,
    batched,
    broadcast_weight,
    check_reduction,
    class_target,
    class_weight,
    describe,
    float_input,
    float_target,
    legacy_reduction,
    tensor_argument,
)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss"]


def _check_probabilities(t, name, op, hint):
    """As PyTorch: every element of `t` in [0, 1] (NaN is not), else a RuntimeError."""
    x = t.detach().numpy()
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        numbers = x[~np.isnan(x)]
        span = f"values from {numbers.min()} to {numbers.max()}, " if numbers.size else ""
        raise RuntimeError(f"{op}: all elements of {name} should be between 0 and 1 (got "
                           f"{span}{int(np.isnan(x).sum())} NaN){hint}")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy of probabilities `input` in [0, 1] against `target`."""
    op = "binary_cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = float_target(target, input, op)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target {describe(target)} must have the input's shape "
                         f"{tuple(input.shape)}")
    _check_probabilities(input, "input", op, "; for logits use binary_cross_entropy_with_logits")
    _check_probabilities(target, "target", op, "")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    loss = loss_ops.binary_cross_entropy(input, target)
    if weight is not None:
        loss = loss * broadcast_weight(weight, input, op)
    return apply_reduction(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable formula:
    (1 - y) x - (1 + (pos_weight - 1) y) log(sigmoid(x)), times weight."""
    op = "binary_cross_entropy_with_logits"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = float_target(target, input, op)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target {describe(target)} must have the input's shape "
                         f"{tuple(input.shape)}")
    log_sig = activation_ops.logsigmoid(input)
    if pos_weight is not None:
        pos_weight = broadcast_weight(pos_weight, input, op, "pos_weight")
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * log_sig
    else:
        loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * broadcast_weight(weight, input, op)
    return apply_reduction(loss, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of log-probabilities `input` (N, C, d1, ...) at the class
    indices `target` (N, d1, ...); 'mean' is the weighted mean over counted targets."""
    op = "nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")
    t, n_classes = class_target(input, target, ignore_index, op)
    w = class_weight(weight, input, n_classes, op)
    x, t, unbatched = batched(input, t)
    out = loss_ops.nll_loss(x, t, w, ignore_index, reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps, op):
    if ignore_index != -100:
        raise ValueError(f"{op}: ignore_index is not supported with class-probability "
                         f"targets (target {describe(target)})")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = ag.log_softmax(input, dim=class_dim)
    if eps:
        target = target * (1 - eps) + eps / n_classes
    prod = logp * target
    if weight is not None:
        w = class_weight(weight, input, n_classes, op)
        prod = prod * ag.from_numpy(w.reshape((-1,) + (1,) * (input.ndim - class_dim - 1)))
    loss = -prod.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // n_classes if n_classes else 0)
    return apply_reduction(loss, reduction)


def _plain_case(input, target, weight, size_average, reduce, ignore_index, reduction, label_smoothing):
    """The common case, told in a few comparisons and one reduction: float logits
    (N, C) and int64 class indices (N,), every one a class (so none is ignore_index),
    no weights, smoothing or legacy arguments. Anything else takes the checks (which
    name a target out of range: nothing_ignored is only false for it here)."""
    if (weight is not None or size_average is not None or reduce is not None or label_smoothing
            or input.__class__ is not ag.Tensor or target.__class__ is not ag.Tensor
            or reduction not in ("mean", "sum", "none")):
        return False
    x, t = input._data, target._data
    if x.ndim != 2 or t.ndim != 1 or x.dtype.kind != "f" or t.dtype != np.int64 or 0 in x.shape \
            or t.shape[0] != x.shape[0]:
        return False
    return loss_ops.nothing_ignored(t, ignore_index, x.shape[1])


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits `input` (C,), (N, C) or (N, C, d1, ...) against class
    indices (N, d1, ...) or class probabilities (the input's shape)."""
    if _plain_case(input, target, weight, size_average, reduce, ignore_index, reduction, label_smoothing):
        return loss_ops.plain_cross_entropy(input, target, ignore_index, reduction)
    op = "cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim and target.shape == input.shape:
        if not target.is_floating_point():
            raise TypeError(f"{op}: a target of the input's shape {tuple(input.shape)} holds "
                            f"class probabilities and must be floating, got {describe(target)}")
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps, op)
    t, n_classes = class_target(input, target, ignore_index, op)
    w = class_weight(weight, input, n_classes, op)
    x, t, unbatched = batched(input, t)
    out = loss_ops.cross_entropy(x, t, w, ignore_index, eps, reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out
