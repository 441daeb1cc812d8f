"""Activation functions with PyTorch's signatures (`inplace=`, implicit softmax dims);
the ops themselves are autograd_lite.ops.activation's and elementwise's."""
import warnings

import autograd_lite as ag
from autograd_lite.ops import activation as activation_ops

__all__ = ["relu", "relu_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "tanh",
           "sigmoid", "softplus", "logsigmoid", "softmax", "log_softmax"]


def relu(input, inplace=False):
    """max(x, 0); the gradient at 0 is 0, as PyTorch's."""
    return input.relu_() if inplace else ag.relu(input)


def relu_(input):
    return input.relu_()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return activation_ops.leaky_relu_(input, negative_slope)
    return activation_ops.leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return activation_ops.leaky_relu_(input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    return activation_ops.elu_(input, alpha) if inplace else activation_ops.elu(input, alpha)


def elu_(input, alpha=1.0):
    return activation_ops.elu_(input, alpha)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return activation_ops.gelu(input, approximate)


def silu(input, inplace=False):
    return activation_ops.silu_(input) if inplace else activation_ops.silu(input)


def tanh(input):
    return ag.tanh(input)


def sigmoid(input):
    return ag.sigmoid(input)


def softplus(input, beta=1.0, threshold=20.0):
    return activation_ops.softplus(input, beta, threshold)


def logsigmoid(input):
    return activation_ops.logsigmoid(input)


def _softmax_dim(name, ndim):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
        f"as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return ag.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return ag.log_softmax(input, dim, dtype=dtype)
