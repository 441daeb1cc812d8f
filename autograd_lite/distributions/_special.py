"""The special function the distributions need beyond the op table: the standard
Gamma draw whose gradient is PyTorch's reparameterised one (`_standard_gamma`).
lgamma, digamma, polygamma, mvlgamma and gammainc (igamma) are the public ops of
`ops/gamma_fns.py`, re-exported here for the distributions. Computed in
float64 with NumPy and returned in the input's dtype."""
import numpy as np

from autograd_lite import random as _random
from autograd_lite.extend import Op, cast_array, constant
from autograd_lite.ops.gamma_fns import (digamma, digamma_array, lgamma, lgamma_array,  # noqa: F401
                                         mvlgamma, polygamma, polygamma_array)
from autograd_lite.ops.gamma_fns import igamma as gammainc  # noqa: F401


def _as64(x):
    return np.asarray(x, dtype=np.float64)



_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915,
     -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326,
     0.00085092367, -1.5247877e-07]])


def standard_gamma_grad_array(alpha, x):
    """d x / d alpha of a standard Gamma(alpha) draw x, -(dcdf/dalpha)/pdf, by PyTorch's
    piecewise approximation (Taylor series for x < 0.8, Rice saddle point for alpha > 8,
    else a bivariate rational fit)."""
    alpha, x = np.broadcast_arrays(_as64(alpha), _as64(x))
    out = np.empty(alpha.shape)
    with np.errstate(all="ignore"):
        small = x < 0.8
        a, v = alpha[small], x[small]
        numer, denom = np.ones_like(a), a.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-v / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = v ** a
        pdf = v ** (a - 1) * np.exp(-v)
        cdf = pow_x_alpha * series1
        cdf_alpha = (np.log(v) - digamma_array(a)) * cdf - pow_x_alpha * series2
        res = -cdf_alpha / pdf
        out[small] = np.where(np.isnan(res), 0.0, res)

        big = ~small & (alpha > 8)
        a, v = alpha[big], x[big]
        near = (0.9 * a <= v) & (v <= 1.1 * a)
        numer_1 = 1 + 24 * a * (1 + 12 * a)
        numer_2 = 1440 * a * a + 6 * v * (53 - 120 * v) - 65 * v * v / a + a * (107 + 3600 * v)
        res_near = numer_1 * numer_2 / (1244160 * a * a * a * a)
        den = np.sqrt(8 * a)
        term2 = den / (a - v)
        term3 = (v - a - a * np.log(v / a)) ** -1.5
        term23 = np.where(v < a, term2 - term3, term2 + term3)
        term1 = np.log(v / a) * term23 - np.sqrt(2 / a) * (a + v) / ((a - v) * (a - v))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        res_far = -stirling * v * term1 / den
        out[big] = np.where(near, res_near, res_far)

        rest = ~small & ~big
        a, v = alpha[rest], x[rest]
        u, w = np.log(v / a), np.log(a)
        coef = _UV[0][:, None] + u * (_UV[1][:, None] + u * _UV[2][:, None])
        p = coef[0] + w * (coef[1] + w * (coef[2] + w * coef[3]))
        q = coef[4] + w * (coef[5] + w * (coef[6] + w * coef[7]))
        out[rest] = np.exp(p / q)
    return out


class StandardGamma(Op):
    """A standard Gamma(alpha) draw per element; backward multiplies by
    `standard_gamma_grad_array` (PyTorch's `_standard_gamma` rule)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, alpha, generator):
        rng = _random.as_numpy_generator(generator, "_standard_gamma")
        draws = rng.standard_gamma(_as64(alpha))
        tiny = np.finfo(np.float32 if alpha.dtype != np.float64 else np.float64).tiny
        return cast_array(np.maximum(draws, tiny), alpha.dtype)

    def backward(ctx, g):
        alpha = ctx.saved_tensors[0]
        x = ctx.saved_output
        grad = standard_gamma_grad_array(alpha._data, x._data)
        return g * constant(cast_array(grad, alpha._data.dtype)), None


def standard_gamma(alpha, generator=None):
    """Standard Gamma(alpha) draws, reparameterised (as torch._standard_gamma)."""
    return StandardGamma.apply(alpha, generator)
