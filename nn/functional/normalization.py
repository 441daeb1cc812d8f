"""batch_norm, layer_norm, group_norm, instance_norm and local_response_norm with
PyTorch's signatures and checks; the fused ops are autograd_lite.ops.normalization's
and group_norm's, local_response_norm a composition."""
import math
import numbers

import autograd_lite as ag
from autograd_lite.extend import ShapeError
from autograd_lite.ops import group_norm as group_norm_ops
from autograd_lite.ops import normalization as norm_ops

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm", "rms_norm"]


def _check_dtypes(input, weight, bias, op):
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"{op}: expected {name} of the input's dtype {input.dtype}, got {t.dtype}")


def _check_channel_vector(t, name, c, op):
    if t is not None and tuple(t.shape) != (c,):
        raise ShapeError(f"{op}: {name} of shape {tuple(t.shape)} doesn't fit {c} channels")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalise each channel (dim 1) of x (N, C, *) over every other dim. When
    `training`, the batch's statistics are used and the running ones (if given) are
    updated in place: r = (1 - momentum) r + momentum s, with the unbiased variance."""
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input with at least 2 dims (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    if not input.is_floating_point():
        raise RuntimeError(f"batch_norm: expected a floating point input, got {input.dtype}")
    c = input.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_channel_vector(t, name, c, "batch_norm")
    _check_dtypes(input, weight, bias, "batch_norm")
    values_per_channel = input.shape[0]
    for n in input.shape[2:]:
        values_per_channel *= n
    if training and values_per_channel == 1:  # none (an empty batch) is fine, as in PyTorch
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode")
    return norm_ops.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last len(normalized_shape) dims, then scale and shift."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise ShapeError(
            f"layer_norm: Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size{list(input.shape)}")
    if not input.is_floating_point():
        raise RuntimeError(f"layer_norm: expected a floating point input, got {input.dtype}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ShapeError(f"layer_norm: {name} of shape {tuple(t.shape)} doesn't match "
                             f"normalized_shape {normalized_shape}")
    _check_dtypes(input, weight, bias, "layer_norm")
    return norm_ops.layer_norm(input, normalized_shape, weight, bias, eps)


def _check_float(input, op):
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise each sample's channels (dim 1) in `num_groups` groups over the group's
    channels and every later dim, then scale and shift each channel."""
    op = "group_norm"
    if input.ndim < 2:
        raise ShapeError(f"{op}: Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if not isinstance(num_groups, numbers.Integral) or num_groups <= 0:
        raise ValueError(f"{op}: num_groups must be a positive int, got {num_groups!r}")
    num_groups = int(num_groups)
    if c % num_groups:
        raise ShapeError(f"{op}: Expected number of channels in input to be divisible by num_groups, but "
                         f"got input of shape {list(input.shape)} and num_groups={num_groups}")
    spatial = math.prod(input.shape[2:])
    if n * c // num_groups * spatial == 1:
        size = [n * c // num_groups, num_groups] + list(input.shape[2:])
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    _check_float(input, op)
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != (c,):
            raise ShapeError(f"{op}: Expected {name} to be a vector of size equal to the number of "
                             f"channels in input, but got {name} of shape {list(t.shape)} and input of "
                             f"shape {list(input.shape)}")
    _check_dtypes(input, weight, bias, op)
    return group_norm_ops.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalise each channel of each sample of x (N, C, *) over its other dims (with
    `use_input_stats`, updating the running statistics if given), or by the running
    statistics otherwise (as batch_norm in eval mode)."""
    op = "instance_norm"
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected input with at least 2 dims (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    _check_float(input, op)
    c = input.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_channel_vector(t, name, c, op)
    _check_dtypes(input, weight, bias, op)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{op}: Expected running_mean and running_var to be defined when "
                               f"use_input_stats is false")
        return norm_ops.batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    return group_norm_ops.instance_norm(input, running_mean, running_var, weight, bias, momentum, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha / size * sum of x^2 over `size` neighbouring channels) ** beta, the
    window centred on each channel (zeros past the ends), as in AlexNet."""
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got "
                         f"{input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    n, c, *rest = input.shape
    square = input * input
    before, after = size // 2, (size - 1) // 2
    parts = [ag.zeros((n, before, *rest), dtype=input.dtype)] if before else []
    parts.append(square)
    if after:
        parts.append(ag.zeros((n, after, *rest), dtype=input.dtype))
    padded = ag.cat(parts, 1) if len(parts) > 1 else square
    total = padded.narrow(1, 0, c)
    for j in range(1, size):
        total = total + padded.narrow(1, j, c)
    return input / (total * (alpha / size) + k) ** beta


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the last len(normalized_shape) dims:
    x / sqrt(mean(x^2) + eps), then times `weight` (of shape normalized_shape) if given.
    eps=None is the machine epsilon of the computation's dtype (float32's for bfloat16
    and float16 input, which are computed in float32 and rounded once before the
    weight, as PyTorch). A composition of differentiable ops. Raises RuntimeError for
    an empty normalized_shape, an input whose trailing dims differ from it, or a
    weight of another shape."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0:
        raise RuntimeError("rms_norm: Expected normalized_shape to be at least 1-dimensional, i.e., containing "
                           "at least one element, but got normalized_shape = []")
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"rms_norm: Expected weight to be of same shape as normalized_shape, but got weight "
                           f"of shape {list(weight.shape)} and normalized_shape = {list(normalized_shape)}")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(
            f"rms_norm: Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size{list(input.shape)}")
    _check_float(input, "rms_norm")
    x = input if input.dtype in (ag.float32, ag.float64) else input.to(ag.float32)
    if eps is None:
        eps = ag.finfo(x.dtype).eps
    ms = (x * x).mean(tuple(range(-k, 0)), keepdim=True)
    y = x * ag.rsqrt(ms + eps)
    if y.dtype != input.dtype:
        y = y.to(input.dtype)
    return y if weight is None else y * weight
