"""dropout and its variants with PyTorch's signatures: the identity outside training
(and for p=0); channel dropout (dropout1d/2d/3d) and SELU's alpha dropout
(alpha_dropout, feature_alpha_dropout), with PyTorch's checks on the input's dims."""
import warnings

from autograd_lite.ops import dropout as dropout_ops

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _check_float(input, op):
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point tensor, got {input.dtype}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability `p` when `training` (scaling the rest by
    1/(1-p)); the identity otherwise."""
    _check_p(p)
    if not training or p == 0:
        return input
    _check_float(input, "dropout")
    return dropout_ops.dropout_(input, p) if inplace else dropout_ops.dropout(input, p)


def _feature_dropout(input, p, training, inplace, op, batched=True):
    """Channel dropout of (N, C, *) input, or of unbatched (C, *) input."""
    if not training or p == 0 or input.numel() == 0:
        return input
    _check_float(input, op)
    if inplace:
        return dropout_ops.feature_dropout_(input, p, batched)
    return dropout_ops.feature_dropout(input, p, batched)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability `p`."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            f"a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if input.ndim == 2:
        return _feature_dropout(input, p, training, inplace, "dropout1d", batched=False)
    return _feature_dropout(input, p, training, inplace, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability `p`. As PyTorch, 3-D
    input is taken as (N, C, L) (with a warning), not as unbatched (C, H, W)."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
            f"result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that dropout2d exists to provide "
            f"channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an "
            f"optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability `p`
    (other dims warn and are taken as unbatched, as PyTorch)."""
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will "
            f"result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that dropout3d exists to provide "
            f"channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an "
            f"optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if input.ndim != 5:
        return _feature_dropout(input, p, training, inplace, "dropout3d", batched=False)
    return _feature_dropout(input, p, training, inplace, "dropout3d")


def _alpha_dropout(input, p, training, inplace, feature, op):
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    _check_float(input, op)
    if inplace:
        return dropout_ops.alpha_dropout_(input, p, feature)
    return dropout_ops.alpha_dropout(input, p, feature)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """SELU's dropout: dropped elements take the saturation value, then an affine map
    keeps mean 0 and variance 1 (training only; note PyTorch's default training=False)."""
    return _alpha_dropout(input, p, training, inplace, False, "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dim 1 of input with at least 2 dims)."""
    return _alpha_dropout(input, p, training, inplace, True, "feature_alpha_dropout")
