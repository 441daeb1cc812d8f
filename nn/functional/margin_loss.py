"""Margin and embedding losses with PyTorch's names, arguments, reductions and
numbers: margin_ranking, hinge_embedding, soft_margin, multilabel_soft_margin,
cosine_embedding, triplet_margin (and with a distance function), multi_margin and
multilabel_margin. Short compositions of ops, so every order of derivative works;
hinges use relu where PyTorch's kernels pass no gradient at the kink, clamp_min where
PyTorch clamps."""
import math

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError
from autograd_lite.ops import activation as activation_ops

from .distance import pairwise_distance
from .loss_arguments import (
    apply_reduction,
    check_reduction,
    class_weight,
    describe,
    float_input,
    legacy_reduction,
    tensor_argument,
)

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss"]


def _reduction(size_average, reduce, reduction, op):
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    return reduction


def _as_float(t, like):
    return t if t.dtype == like.dtype else t.to(like.dtype)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin): target 1 ranks input1 higher."""
    op = "margin_ranking_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input1, input2 = float_input(input1, op, "input1"), float_input(input2, op, "input2")
    target = tensor_argument(target, op, "target")
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                         f"input1: {describe(input1)}, input2: {describe(input2)}, target: {describe(target)}")
    loss = ag.clamp_min(-target * (input1 - input2) + margin, 0)
    return apply_reduction(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where it is -1 (input: distances)."""
    op = "hinge_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")
    loss = (ag.where(target != 1, ag.clamp_min(margin - input, 0), 0.0)
            + ag.where(target != -1, input, 0.0))
    return apply_reduction(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)) (targets 1 or -1), computed stably."""
    op = "soft_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input = float_input(input, op)
    target = _as_float(tensor_argument(target, op, "target"), input)  # input's dtype, as PyTorch
    loss = activation_ops.softplus(-input * target, 1.0, math.inf)
    return apply_reduction(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Binary cross entropy of logits (N, C) against 0/1 targets, averaged over the
    classes (weighted per class): one loss per sample."""
    op = "multilabel_soft_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input = float_input(input, op)
    target = tensor_argument(target, op, "target")  # a wider float target promotes, as PyTorch
    loss = -(target * activation_ops.logsigmoid(input) + (1 - target) * activation_ops.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return apply_reduction(loss, reduction)


_COSINE_EPS = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1;
    inputs (N, D) with target (N,), or (D,) with a 0-d target."""
    op = "cosine_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input1, input2 = float_input(input1, op, "input1"), float_input(input2, op, "input2")
    target = tensor_argument(target, op, "target")
    if target.ndim not in (0, 1):
        raise ShapeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported (target "
                         f"{describe(target)})")
    want = target.ndim + 1
    if input1.ndim != want or input2.ndim != want:
        raise ShapeError(f"{op}: {target.ndim}D target tensor expects {want}D input tensors, but found "
                         f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + _COSINE_EPS
    mag2 = (input2 * input2).sum(dim) + _COSINE_EPS
    cos = prod / ag.sqrt(mag1 * mag2)
    loss = ag.where(target == 1, 1 - cos, 0.0) + ag.where(target == -1, ag.clamp_min(cos - margin, 0), 0.0)
    return apply_reduction(loss, reduction)


def _check_triplet(anchor, positive, negative, margin):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the same number "
                         f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                         f"negative {negative.ndim}D inputs")


def _triplet(dist_pos, dist_neg, dist_swap, margin, reduction):
    if dist_swap is not None:
        dist_neg = ag.minimum(dist_neg, dist_swap)
    return apply_reduction(ag.clamp_min(margin + dist_pos - dist_neg, 0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)), d the p-norm pairwise distance (with `swap`,
    d(a, n) is replaced by d(p, n) when that is smaller)."""
    op = "triplet_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    _check_triplet(anchor, positive, negative, margin)
    dist_swap = pairwise_distance(positive, negative, p, eps) if swap else None
    return _triplet(pairwise_distance(anchor, positive, p, eps), pairwise_distance(anchor, negative, p, eps),
                    dist_swap, margin, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    check_reduction(reduction, "triplet_margin_with_distance_loss")
    _check_triplet(anchor, positive, negative, margin)
    distance = pairwise_distance if distance_function is None else distance_function
    dist_swap = distance(positive, negative) if swap else None
    return _triplet(distance(anchor, positive), distance(anchor, negative), dist_swap, margin, reduction)


def _class_input(input, op):
    """(C,) or (N, C) input (N may be 0, C may not): (input as (N, C), N)."""
    if input.ndim > 2 or (input.ndim <= 1 and input.numel() == 0) or (input.ndim == 2 and input.shape[1] == 0):
        raise ShapeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim batch size, but "
                         f"got: {list(input.shape)}")
    n = 1 if input.ndim <= 1 else input.shape[0]
    return input.reshape(n, -1 if input.numel() else input.shape[-1]), n


def _index_target(target, op):
    target = tensor_argument(target, op, "target")
    if target.dtype != np.int64:
        raise RuntimeError(f"{op}: expected scalar type Long but found {target.dtype} (target "
                           f"{describe(target)})")
    return target


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """The multi-class hinge loss: sum over classes i != y of max(0, margin - x[y] +
    x[i])^p / C (times weight[y]), per sample."""
    op = "multi_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    input = float_input(input, op)
    target = _index_target(target, op)
    x, n = _class_input(input, op)
    c = x.shape[1]
    if target.ndim > 1 or target.numel() != n:
        raise ShapeError(f"{op}: inconsistent target size, expected {n} but got {list(target.shape)}")
    t = target.numpy().reshape(n)
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"{op}: target out of range: class indices must be in [0, {c}), got "
                         f"{t.min()}..{t.max()}")
    if weight is not None and (weight.ndim != 1 or weight.numel() != c):
        raise ShapeError(f"{op}: inconsistent weight size, expected {c} but got {list(weight.shape)}")
    picked = ag.gather(x, 1, ag.tensor(t[:, None]))
    z = ag.relu(x - picked + margin)
    if p == 2:
        z = z * z
    others = np.ones((n, c), input.dtype)
    others[np.arange(n), t] = 0
    if weight is not None:
        others *= class_weight(weight, input, c, op)[t][:, None]
    loss = (z * ag.tensor(others)).sum(1) / c
    if reduction == "none" and target.ndim == 0:
        return loss.reshape(())
    return apply_reduction(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The multi-label hinge loss: for each target class j (the target's leading entries
    before the first -1) and each non-target class i, max(0, 1 - (x[j] - x[i])), summed
    and divided by C, per sample."""
    op = "multilabel_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, op)
    input = float_input(input, op)
    target = _index_target(target, op)
    x, n = _class_input(input, op)
    c = x.shape[1]
    if tuple(target.shape) != tuple(input.shape):
        raise ShapeError(f"{op}: inconsistent target size: {list(target.shape)} for input of size: "
                         f"{list(input.shape)}")
    t = target.numpy().reshape(n, c)
    if t.size and (t.min() < -1 or t.max() >= c):
        raise IndexError(f"{op}: argument #2 'target' is out of range: entries must be in [-1, {c})")
    listed = np.cumprod(t != -1, axis=1).astype(bool)  # the entries before the first -1
    safe = np.where(listed, t, 0)
    is_target = np.zeros((n, c), bool)
    rows = np.repeat(np.arange(n), c)
    is_target[rows[listed.reshape(-1)], safe[listed]] = True
    pairs = (listed[:, :, None] & ~is_target[:, None, :]).astype(input.dtype)  # (N, J, C)
    picked = ag.gather(x, 1, ag.tensor(safe))  # (N, J)
    z = ag.relu(1 - picked.unsqueeze(2) + x.unsqueeze(1))
    loss = (z * ag.tensor(pairs)).sum((1, 2)) / c
    if reduction == "none" and input.ndim <= 1:
        return loss.reshape(())
    return apply_reduction(loss, reduction)
