"""Activation functions with PyTorch's signatures (`inplace=`, implicit softmax dims);
the ops themselves are autograd_lite.ops.activation's, piecewise_linear.s and elementwise's,
and the rest (glu, prelu, softsign, tanhshrink, softmin) short compositions."""
import warnings

import autograd_lite as ag
from autograd_lite.extend import ShapeError
from autograd_lite.ops import activation as activation_ops
from autograd_lite.ops import piecewise_linear
from autograd_lite.random import generator as _global_generator

__all__ = ["relu", "relu_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "tanh",
           "sigmoid", "softplus", "logsigmoid", "softmax", "log_softmax", "threshold", "threshold_",
           "rrelu", "rrelu_", "hardtanh", "hardtanh_", "relu6", "hardsigmoid", "hardswish", "mish",
           "celu", "celu_", "selu", "selu_", "glu", "hardshrink", "softshrink", "prelu", "softsign",
           "tanhshrink", "softmin", "gumbel_softmax"]


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


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along `dim`."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return ag.softmax(-input, dim, dtype=dtype)


# ---- piecewise linear ------------------------------------------------------------------------------
def threshold(input, threshold, value, inplace=False):
    """`value` where input <= threshold, else input."""
    if inplace:
        return piecewise_linear.threshold_(input, threshold, value)
    return piecewise_linear.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return piecewise_linear.threshold_(input, threshold, value)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(input, min_val, max_val); the gradient is 1 strictly between them."""
    if inplace:
        return piecewise_linear.hardtanh_(input, min_val, max_val)
    return piecewise_linear.hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return piecewise_linear.hardtanh_(input, min_val, max_val)


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """relu6(input + 3) / 6."""
    return piecewise_linear.hardsigmoid_(input) if inplace else piecewise_linear.hardsigmoid(input)


def hardswish(input, inplace=False):
    """input * relu6(input + 3) / 6."""
    return piecewise_linear.hardswish_(input) if inplace else piecewise_linear.hardswish(input)


def hardshrink(input, lambd=0.5):
    """input where |input| > lambd, else 0."""
    return piecewise_linear.hardshrink(input, lambd)


def softshrink(input, lambd=0.5):
    """input - lambd above lambd, input + lambd below -lambd, else 0 (lambd >= 0)."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be in range [0, inf), but found {lambd}")
    return piecewise_linear.softshrink(input, lambd)


def _check_rrelu_bounds(lower, upper):
    if lower > upper:
        raise RuntimeError(f"rrelu: lower bound ({lower}) should be less than or equal to the upper "
                           f"bound ({upper})")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """leaky_relu with a slope drawn from U(lower, upper) per element while training
    (from autograd_lite's generator), and (lower + upper) / 2 otherwise."""
    _check_rrelu_bounds(lower, upper)
    if training:
        if inplace:
            return piecewise_linear.rrelu_train_(input, lower, upper)
        return piecewise_linear.rrelu_train(input, lower, upper)
    return leaky_relu(input, (lower + upper) / 2, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


# ---- smooth ------------------------------------------------------------------------------------------
def selu(input, inplace=False):
    """scale * elu(input, alpha) with PyTorch's self-normalising constants."""
    return activation_ops.selu_(input) if inplace else activation_ops.selu(input)


def selu_(input):
    return activation_ops.selu_(input)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return activation_ops.celu_(input, alpha) if inplace else activation_ops.celu(input, alpha)


def celu_(input, alpha=1.0):
    return activation_ops.celu_(input, alpha)


def mish(input, inplace=False):
    """input * tanh(softplus(input))."""
    return activation_ops.mish_(input) if inplace else activation_ops.mish(input)


def softsign(input):
    """input / (1 + |input|)."""
    return input / (ag.abs(input) + 1)


def tanhshrink(input):
    """input - tanh(input)."""
    return input - ag.tanh(input)


def glu(input, dim=-1):
    """The gated linear unit: a * sigmoid(b), a and b the two halves of `input` along `dim`."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for a {input.ndim}-d input")
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {size}")
    half = size // 2
    return input.narrow(d, 0, half) * ag.sigmoid(input.narrow(d, half, half))


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), `weight` one slope or one per channel (dim 1)."""
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise ShapeError(f"prelu: Mismatch of parameter numbers and input channel size. Found "
                         f"parameter numbers = {n} and channel size = {channels} (input "
                         f"{tuple(input.shape)})")
    if n == 1:
        slope = weight.reshape(())
    else:
        slope = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return ag.where(input > 0, input, slope * input)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax (concrete) distribution: softmax((logits + g) / tau)
    along `dim`, g standard Gumbel noise drawn from autograd_lite's generator (PyTorch's
    stream differs). With `hard`, the one-hot of its argmax whose gradient is the soft
    sample's (straight-through: y_hard - y_soft.detach() + y_soft). `eps` is deprecated
    and unused (a warning, as PyTorch). Raises TypeError for a non-float `logits`."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if not isinstance(logits, ag.Tensor) or not logits.is_floating_point():
        got = logits.dtype if isinstance(logits, ag.Tensor) else type(logits).__name__
        raise TypeError(f"gumbel_softmax: expected a floating point logits tensor, got {got}")
    draws = _global_generator().exponential(1.0, tuple(logits.shape))
    gumbels = -ag.log(ag.tensor(draws, dtype=logits.dtype))
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = ag.zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
