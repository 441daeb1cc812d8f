"""batch_norm and layer_norm with PyTorch's signatures and checks; the fused ops are
autograd_lite.ops.norm's."""
import numbers

from autograd_lite.extend import ShapeError
from autograd_lite.ops import normalization as norm_ops

__all__ = ["batch_norm", "layer_norm"]


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
    if input.dtype.kind != "f":
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
    if input.dtype.kind != "f":
        raise RuntimeError(f"layer_norm: expected a floating point input, got {input.dtype}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ShapeError(f"layer_norm: {name} of shape {tuple(t.shape)} doesn't match "
                             f"normalized_shape {normalized_shape}")
    _check_dtypes(input, weight, bias, "layer_norm")
    return norm_ops.layer_norm(input, normalized_shape, weight, bias, eps)
