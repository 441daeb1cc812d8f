"""Regression losses (mse, l1, smooth_l1, huber) and kl_div with PyTorch's names,
arguments, reductions and numbers: short compositions of ops, so every derivative
order comes for free."""
import warnings

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError

from .loss_arguments import (
    REDUCTIONS,
    apply_reduction,
    check_reduction,
    describe,
    float_input,
    legacy_reduction,
    same_shape_weight,
    tensor_argument,
    warn_size,
)

__all__ = ["huber_loss", "kl_div", "l1_loss", "mse_loss", "smooth_l1_loss"]


def _regression(input, target, size_average, reduce, reduction, op):
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")
    warn_size(input, target, op)
    return input, target, reduction


def _weighted_mean(loss, weight, reduction):
    """mse_loss/l1_loss with a weight: 'mean' is sum(w * l) / sum(w), as PyTorch."""
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return apply_reduction(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error, (input - target)^2, optionally weighted per element."""
    input, target, reduction = _regression(input, target, size_average, reduce, reduction,
                                           "mse_loss")
    d = input - target
    loss = d * d
    if weight is not None:
        return _weighted_mean(loss, same_shape_weight(weight, input, "mse_loss"),
                                     reduction)
    return apply_reduction(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target|, optionally weighted per element."""
    input, target, reduction = _regression(input, target, size_average, reduce, reduction,
                                           "l1_loss")
    loss = ag.abs(input - target)
    if weight is not None:
        return _weighted_mean(loss, same_shape_weight(weight, input, "l1_loss"),
                                     reduction)
    return apply_reduction(loss, reduction)


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
        return apply_reduction(ag.abs(d), reduction)
    return apply_reduction(_quadratic_linear(d, beta, 1.0 / beta, 1), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2); a weight multiplies each
    element (and 'mean' stays the plain mean, as PyTorch)."""
    op = "huber_loss"
    input, target, reduction = _regression(input, target, None, None, reduction, op)
    if not delta > 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    loss = _quadratic_linear(input - target, delta, 1.0, delta)
    if weight is not None:
        loss = loss * same_shape_weight(weight, input, op)
    return apply_reduction(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log(target) - input) with `input` in log space
    (and `target` too when log_target). 'batchmean' divides the sum by the batch size."""
    op = "kl_div"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op, REDUCTIONS + ("batchmean",))
    input = float_input(input, op)
    target = float_input(target, op, "target")
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(f"{op}: input {describe(input)} and target {describe(target)} cannot be "
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
    return apply_reduction(loss, reduction)


