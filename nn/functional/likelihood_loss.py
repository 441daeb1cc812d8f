"""Negative log-likelihood losses of distributions other than the categorical:
poisson_nll_loss and gaussian_nll_loss, with PyTorch's arguments and numbers
(compositions of ops)."""
import math
import numbers

import autograd_lite as ag

from .distance import floor_passing_gradient
from .loss_arguments import apply_reduction, check_reduction, float_input, legacy_reduction, tensor_argument

__all__ = ["poisson_nll_loss", "gaussian_nll_loss"]


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (input a log rate), or input - target * log(input +
    eps); `full` adds Stirling's approximation of log(target!) where target > 1."""
    op = "poisson_nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")
    if log_input:
        loss = ag.exp(input) - target * input
    else:
        loss = input - target * ag.log(input + eps)
    if full:
        stirling = target * ag.log(target) - target + 0.5 * ag.log(2 * math.pi * target)
        loss = loss + ag.masked_fill(stirling, target <= 1, 0)
    return apply_reduction(loss, reduction)


def _variance(var, input, op):
    """`var` checked and shaped to broadcast against the input, as PyTorch does."""
    if isinstance(var, numbers.Real) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return ag.ones_like(input) * var
    var = tensor_argument(var, op, "var")
    if bool(ag.any(var < 0)):
        raise ValueError("var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):  # one variance per sample (homoscedastic)
        return var.unsqueeze(-1)
    if var.ndim == input.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var  # one dim of size 1, broadcast
    raise ValueError(f"var is of incorrect size (var {tuple(var.shape)}, input {tuple(input.shape)})")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)^2 / var) (+ 0.5 log(2 pi) when `full`), the
    variance floored at eps with its gradient passing unchanged, as PyTorch's."""
    op = "gaussian_nll_loss"
    input = float_input(input, op)
    var = _variance(var, input, op)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = floor_passing_gradient(var, eps)
    loss = 0.5 * (ag.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return apply_reduction(loss, reduction)
