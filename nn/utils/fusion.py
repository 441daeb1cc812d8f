"""torch.nn.utils.fusion: fold an eval-mode batch norm into the convolution or linear
layer before it (one layer computing both), as PyTorch's: the weight scaled per output
channel by gamma / sqrt(running_var + eps), the bias moved by the running mean."""
import copy

import autograd_lite as ag

from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _check_eval(layer, bn, op):
    if layer.training or bn.training:
        raise RuntimeError(f"{op}: Fusion only for eval! Call .eval() on the layer and the batch "
                           f"norm first (training: {layer.training}, {bn.training})")
    if bn.running_mean is None or bn.running_var is None:
        raise RuntimeError(f"{op}: the batch norm has no running statistics "
                           f"(track_running_stats=False), so there is nothing to fold")


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of `conv` (a ConvNd, or ConvTransposeNd with transpose=True) whose output
    is bn(conv(x)) for the eval-mode batch norm `bn`. Raises RuntimeError when either is
    in training mode."""
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(weight, bias) Parameters of the convolution that computes bn(conv(x)):
    weight * gamma / sqrt(var + eps) per output channel (dim 0, dim 1 with transpose=True),
    bias (conv_b - mean) * gamma / sqrt(var + eps) + beta. conv_b, bn_w, bn_b may be
    None (0, 1, 0); the results keep conv_w's and conv_b's dtypes and requires_grad."""
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    if conv_b is None:
        conv_b = ag.zeros_like(bn_rm)
    if bn_w is None:
        bn_w = ag.ones_like(bn_rm)
    if bn_b is None:
        bn_b = ag.zeros_like(bn_rm)
    rsqrt = ag.rsqrt(bn_rv + bn_eps)
    extra = [1] * (conv_w.ndim - 2)
    shape = [1, -1] + extra if transpose else [-1, 1] + extra
    fused_w = (conv_w * (bn_w * rsqrt).reshape(shape)).to(dtype=w_dtype)
    fused_b = ((conv_b - bn_rm) * rsqrt * bn_w + bn_b).to(dtype=b_dtype)
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, conv_b.requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of `linear` whose output is bn(linear(x)) for the eval-mode batch norm
    `bn` (its num_features equal to linear.out_features, or 1). Raises RuntimeError when
    either is in training mode or the sizes don't fit."""
    _check_eval(linear, bn, "fuse_linear_bn_eval")
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise RuntimeError(f"fuse_linear_bn_eval: To fuse, linear.out_features == bn.num_features "
                           f"or bn.num_features == 1 (got {linear.out_features} and "
                           f"{bn.num_features})")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """(weight, bias) Parameters of the linear layer computing bn(linear(x)): rows of
    the weight scaled by gamma / sqrt(var + eps), bias (linear_b - mean) * that + beta
    (linear_b None: 0). Dtypes and requires_grad as the linear layer's."""
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    if linear_b is None:
        linear_b = ag.zeros_like(bn_rm)
    scale = bn_w * ag.rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * scale.unsqueeze(-1).to(dtype=w_dtype)
    fused_b = ((linear_b - bn_rm) * scale + bn_b).to(dtype=b_dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
