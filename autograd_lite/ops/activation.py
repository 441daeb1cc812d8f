"""Activation ops: leaky_relu, elu (selu, celu), gelu, silu, softplus, logsigmoid, mish
(relu, tanh and sigmoid are elementwise.py's, the piecewise-linear ones piecewise_linear.py's;
nn.functional adds PyTorch's signatures on top).

Each non-trivial activation is one op whose forward works on whole arrays (NumPy,
in place where it can; a Numba kernel for GELU's erf) and keeps what its gradient
needs, and whose backward is a second op, `XBackward(g, x)`, computing g * f'(x) the
same way. That second op's own backward is written in autograd_lite ops, so second
and higher derivatives work (as ops/elementwise.py's Tanh/TanhGrad).
"""
import math

import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import const, float_operand
from .elementwise import clamp, exp, sigmoid, tanh
from .inplace import unary_inplace


def _mask(cond, like):
    """A bool array as a constant float tensor of `like`'s dtype (for double backward)."""
    return const(cond.astype(like._data.dtype))


# ---- leaky_relu -------------------------------------------------------------------------------
class LeakyRelu(Op):
    """x if x > 0 else slope * x; piecewise linear, so its backward is g times a constant.
    (Masks enter as 0/1 factors: np.where on random signs is several times slower.)"""

    def forward(ctx, x, slope):
        one = x.dtype.type(1)
        scale = (x > 0) * (one - x.dtype.type(slope))
        scale += x.dtype.type(slope)
        ctx.scale = scale
        return x * scale

    def backward(ctx, g):
        return g * const(ctx.scale)


def leaky_relu(input, negative_slope=0.01):
    return LeakyRelu.apply(float_operand(input, "leaky_relu"), negative_slope)


leaky_relu_ = unary_inplace(leaky_relu, "leaky_relu_")


# ---- elu, selu, celu -------------------------------------------------------------------------
class Elu(Op):
    """scale * (x if x > 0 else alpha * (exp(input_scale * x) - 1)), as
    scale * (max(x, 0) + alpha * expm1(input_scale * min(x, 0))): PyTorch's elu with
    its two hidden constants, which selu and celu fix."""

    save_inputs = (0,)

    def forward(ctx, x, alpha, scale=1.0, input_scale=1.0):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        t = x.dtype.type
        neg = np.minimum(x, 0)
        if input_scale != 1:
            neg = neg * t(input_scale)
        out = np.expm1(neg)
        out *= t(alpha)
        out += np.maximum(x, 0)
        if scale != 1:
            out *= t(scale)
        return out

    def backward(ctx, g):
        return EluGrad.apply(g, ctx.saved_tensors[0], ctx.alpha, ctx.scale, ctx.input_scale)


class EluGrad(Op):
    """g * scale * (1 if x > 0 else alpha * input_scale * exp(input_scale * x)),
    differentiable in g and x."""

    save_inputs = (0, 1)

    def forward(ctx, g, x, alpha, scale=1.0, input_scale=1.0):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        t = x.dtype.type
        pos = (x > 0).astype(x.dtype)
        neg = np.minimum(x, 0)
        if input_scale != 1:
            neg = neg * t(input_scale)
        d = np.exp(neg)
        d *= t(alpha * input_scale)
        d += pos * (1 - d)  # 1 where x > 0
        if scale != 1:
            d *= t(scale)
        d *= g
        return d

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        eg, ex = ctx.next_functions[:2]
        alpha, scale, input_scale = ctx.alpha, ctx.scale, ctx.input_scale
        gg_g = EluGrad.apply(gg, x, alpha, scale, input_scale) if eg is not None else None
        gg_x = None
        if ex is not None:
            factor = scale * alpha * input_scale * input_scale
            curvature = exp(clamp(x, max=0) * input_scale) * factor
            gg_x = gg * g * curvature * _mask(x._data <= 0, x)
        return gg_g, gg_x


def elu(input, alpha=1.0):
    return Elu.apply(float_operand(input, "elu"), alpha)


elu_ = unary_inplace(elu, "elu_")

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input):
    return Elu.apply(float_operand(input, "selu"), SELU_ALPHA, SELU_SCALE)


def celu(input, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha); alpha may not be 0."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return Elu.apply(float_operand(input, "celu"), alpha, 1.0, 1.0 / alpha)


selu_ = unary_inplace(selu, "selu_")
celu_ = unary_inplace(celu, "celu_")


# ---- gelu --------------------------------------------------------------------------------------
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K_TANH = math.sqrt(2 / math.pi)
_C_TANH = 0.044715


class Gelu(Op):
    """x * Phi(x) (Phi the standard normal CDF), or its tanh approximation. The
    forward keeps Phi(x) (or the tanh) for the backward, which then needs no erf."""

    save_inputs = (0,)

    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            t = np.tanh((x + x * x * x * x.dtype.type(_C_TANH)) * x.dtype.type(_K_TANH))
            ctx.aux = t
            return (t + 1) * x * x.dtype.type(0.5)
        if x.dtype not in (np.float32, np.float64):  # the kernel is compiled for these
            out, aux = kernels.activations.gelu_erf(x.astype(np.float32))
            ctx.aux = aux.astype(x.dtype)
            return out.astype(x.dtype)
        out, ctx.aux = kernels.activations.gelu_erf(x)
        return out

    def backward(ctx, g):
        return GeluGrad.apply(g, ctx.saved_tensors[0], ctx.aux, ctx.approximate)


class GeluGrad(Op):
    """g * gelu'(x) from the forward's Phi(x) (or tanh); differentiable in g and x."""

    save_inputs = (0, 1)

    def forward(ctx, g, x, aux, approximate):
        ctx.aux, ctx.approximate = aux, approximate
        half = x.dtype.type(0.5)
        if approximate == "tanh":
            t = aux
            du = (x * x * x.dtype.type(3 * _C_TANH) + 1) * x.dtype.type(_K_TANH)
            d = (t + 1) * half + x * half * (1 - t * t) * du
        else:
            d = np.exp(x * x * -half) * x.dtype.type(_INV_SQRT_2PI)
            d *= x
            d += aux
        d *= g
        return d

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        eg, ex = ctx.next_functions[:2]
        gg_g = GeluGrad.apply(gg, x, ctx.aux, ctx.approximate) if eg is not None else None
        gg_x = gg * g * _gelu_second_derivative(x, ctx.approximate) if ex is not None else None
        return gg_g, gg_x


def _gelu_second_derivative(x, approximate):
    """gelu''(x) in autograd_lite ops (so third derivatives work too)."""
    x2 = x * x
    if approximate == "tanh":
        # y = x/2 (1 + tanh u), u = k (x + c x^3):  y'' = (1 - t^2) (u' + x/2 (u'' - 2 t u'^2))
        t = tanh((x + x2 * x * _C_TANH) * _K_TANH)
        du = (x2 * (3 * _C_TANH) + 1) * _K_TANH
        ddu = x * (6 * _K_TANH * _C_TANH)
        return (1 - t * t) * (du + x * 0.5 * (ddu - t * du * du * 2))
    phi = exp(x2 * -0.5) * _INV_SQRT_2PI
    return phi * (2 - x2)


def gelu(input, approximate="none"):
    return Gelu.apply(float_operand(input, "gelu"), approximate)


# ---- silu ----------------------------------------------------------------------------------------
class Silu(Op):
    """x * sigmoid(x) in one node; the sigmoid is kept for the backward."""

    save_inputs = (0,)

    def forward(ctx, x):
        if x.dtype.itemsize < 4:  # half precision: in float32, rounded once (as PyTorch)
            x32 = x.astype(np.float32)
            ctx.s = kernels.activations.sigmoid(x32)  # kept in float32 for the backward
            return (x32 * ctx.s).astype(x.dtype)
        ctx.s = kernels.activations.sigmoid(x)
        return x * ctx.s

    def backward(ctx, g):
        return SiluGrad.apply(g, ctx.saved_tensors[0], ctx.s)


class SiluGrad(Op):
    """g * s (1 + x (1 - s)), s = sigmoid(x); differentiable in g and x."""

    save_inputs = (0, 1)

    def forward(ctx, g, x, s):
        ctx.s = s
        d = 1 - s  # in s's dtype: float32 for half inputs, rounded once at the end
        d *= x
        d += 1
        d *= s
        d *= g
        return d if d.dtype == g.dtype else d.astype(g.dtype)

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        eg, ex = ctx.next_functions[:2]
        gg_g = SiluGrad.apply(gg, x, ctx.s) if eg is not None else None
        gg_x = None
        if ex is not None:
            s = sigmoid(x)
            gg_x = gg * g * (s * (1 - s) * (x * (1 - s * 2) + 2))
        return gg_g, gg_x


def silu(input):
    return Silu.apply(float_operand(input, "silu"))


silu_ = unary_inplace(silu, "silu_")


# ---- softplus / logsigmoid -------------------------------------------------------------------
class Softplus(Op):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch),
    computed as (max(z, 0) + log1p(exp(-|z|))) / beta, z = beta x: finite for any x."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        t = x.dtype.type
        z = x if beta == 1 else x * t(beta)
        out = np.abs(z, out=np.empty_like(z))  # then in place: log1p(exp(-|z|)); 0-d: an array
        np.negative(out, out=out)
        np.exp(out, out=out)
        np.log1p(out, out=out)
        out += np.maximum(z, 0)
        if beta != 1:
            out /= t(beta)
        over = z > threshold
        if over.any():  # linear above the threshold
            out += over * (x - out)
        return out

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return SoftplusGrad.apply(g, x, ctx.saved_output._data, ctx.beta, ctx.threshold)


class SoftplusGrad(Op):
    """g * sigmoid(beta x) (g itself above the threshold), with sigmoid(z) taken as
    exp(z - softplus(z)) from the forward's output; differentiable in g and x."""

    save_inputs = (0, 1)

    def forward(ctx, g, x, out, beta, threshold):
        ctx.out, ctx.beta, ctx.threshold = out, beta, threshold
        t = x.dtype.type
        d = np.exp((x - out) * t(beta))
        d *= g
        return d

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        eg, ex = ctx.next_functions[:2]
        beta, threshold = ctx.beta, ctx.threshold
        gg_g = SoftplusGrad.apply(gg, x, ctx.out, beta, threshold) if eg is not None else None
        gg_x = None
        if ex is not None:
            s = sigmoid(x * beta)
            gg_x = gg * g * (s * (1 - s)) * beta * _mask(x._data * beta <= threshold, x)
        return gg_g, gg_x


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(float_operand(input, "softplus"), beta, threshold)


class LogSigmoid(Op):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): finite for any x. Its gradient,
    sigmoid(-x), is exp(out - x): exact and stable at both ends."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, x):
        t = np.abs(x, out=np.empty_like(x))  # 0-d: an array, not a scalar
        np.negative(t, out=t)
        np.exp(t, out=t)
        np.log1p(t, out=t)
        out = np.minimum(x, 0, out=np.empty_like(x))
        out -= t
        return out

    def backward(ctx, g):
        return g * exp(ctx.saved_output - ctx.saved_tensors[0])


def logsigmoid(input):
    return LogSigmoid.apply(float_operand(input, "logsigmoid"))


def mish(input):
    """x * tanh(softplus(x)), composed (so every order of derivative works)."""
    x = float_operand(input, "mish")
    return x * tanh(Softplus.apply(x, 1.0, 20.0))


mish_ = unary_inplace(mish, "mish_")
