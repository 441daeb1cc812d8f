"""Negative log-likelihood losses beyond the categorical: poisson_nll_loss and
gaussian_nll_loss (compositions of ops) and ctc_loss (autograd_lite.ops.ctc), with
PyTorch's arguments, checks and numbers."""
import math
import numbers

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError
from autograd_lite.ops import ctc as ctc_ops

from .distance import floor_passing_gradient
from .loss_arguments import (apply_reduction, check_reduction, describe, float_input, legacy_reduction,
                             tensor_argument)

__all__ = ["poisson_nll_loss", "gaussian_nll_loss", "ctc_loss"]


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
    if full:  # Stirling's term where target > 1 (computed on 2 elsewhere: no log(0) warnings)
        small = target <= 1
        t = ag.where(small, 2.0, target)
        stirling = t * ag.log(t) - t + 0.5 * ag.log(2 * math.pi * t)
        loss = loss + ag.masked_fill(stirling, small, 0)
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


def _lengths(lengths, n, name, op):
    """input_lengths/target_lengths (a Tensor, a sequence or an int) as int64 (n,)."""
    arr = lengths.numpy() if isinstance(lengths, ag.Tensor) else np.asarray(lengths)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must hold integers, got {arr.dtype}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.shape != (n,):
        raise ShapeError(f"{op}: {name} must be of size batch_size ({n}), got shape {arr.shape}")
    if n and arr.min() < 0:
        raise ValueError(f"{op}: {name} must be non-negative, got {arr.min()}")
    return arr


def _padded_targets(targets, target_lengths, batched, op):
    """Targets (N, S), concatenated (sum(target_lengths),) or unbatched (S,) as an
    int64 array (N, S)."""
    t = targets.numpy() if isinstance(targets, ag.Tensor) else np.asarray(targets)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: targets must be an integer tensor, got {t.dtype}")
    t = t.astype(np.int64)
    if t.ndim == 2 and batched:
        longest = int(target_lengths.max()) if target_lengths.size else 0
        if longest > t.shape[1]:
            raise ShapeError(f"{op}: Expected tensor to have size at least {longest} at dimension 1, but "
                             f"got size {t.shape[1]} for argument #2 'targets'")
        return t
    if t.ndim != 1:
        raise ShapeError(f"{op}: targets must be (N, S) or concatenated (sum(target_lengths),), got shape "
                         f"{t.shape}")
    if not batched:
        if int(target_lengths[0]) > t.shape[0]:
            raise ShapeError(f"{op}: Expected tensor to have size at least {int(target_lengths[0])} at "
                             f"dimension 0, but got size {t.shape[0]} for argument #2 'targets'")
        return t[None]
    total = int(target_lengths.sum())
    if total != t.shape[0]:
        raise ShapeError(f"{op}: Expected tensor to have size {total} at dimension 0, but got size "
                         f"{t.shape[0]} for argument #2 'targets'")
    padded = np.zeros((target_lengths.shape[0], int(target_lengths.max()) if total else 0), np.int64)
    starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
    for row, (start, length) in enumerate(zip(starts, target_lengths)):
        padded[row, :length] = t[start:start + length]
    return padded


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The connectionist temporal classification loss: -log p(target | input) summed over
    every alignment, for log_probs (T, N, C) (log_softmax outputs) or unbatched (T, C).
    'mean' divides each loss by its target length, then averages over the batch."""
    op = "ctc_loss"
    check_reduction(reduction, op)
    log_probs = float_input(log_probs, op, "log_probs")
    if log_probs.ndim not in (2, 3):
        raise ShapeError(f"{op}: log_probs must be (T, N, C) or unbatched (T, C), got {describe(log_probs)}")
    batched = log_probs.ndim == 3
    t_max = log_probs.shape[0]
    n = log_probs.shape[1] if batched else 1
    classes = log_probs.shape[-1]
    if not 0 <= blank < classes:
        raise ValueError(f"{op}: blank must be in label range [0, {classes}), got {blank}")
    in_len = _lengths(input_lengths, n, "input_lengths", op)
    tg_len = _lengths(target_lengths, n, "target_lengths", op)
    if n and in_len.max() > t_max:
        raise ValueError(f"{op}: Expected input_lengths to have value at most {t_max}, but got value "
                         f"{in_len.max()}")
    padded = _padded_targets(targets, tg_len, batched, op)
    within = np.arange(padded.shape[1])[None, :] < tg_len[:, None]
    listed = padded[within]
    if listed.size and (listed.min() < 0 or listed.max() >= classes):
        raise IndexError(f"{op}: target classes must be in [0, {classes}), got {listed.min()}..{listed.max()}")
    lp = log_probs if batched else log_probs.unsqueeze(1)
    out = ctc_ops.ctc_loss(lp, np.ascontiguousarray(padded), in_len, tg_len, int(blank), reduction,
                           bool(zero_infinity))
    return out.reshape(()) if not batched and reduction == "none" else out
