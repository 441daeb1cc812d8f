"""The reparameterised gradient of a Dirichlet draw, PyTorch's `_dirichlet_grad`:
-(d cdf / d alpha) / pdf / (1 - x) of the Beta(alpha, total - alpha) marginal,
by the same piecewise approximations (Taylor series near 0 and 1, a saddle-point
expansion for large parameters, else a rational correction), computed with NumPy;
and the Dirichlet draw whose backward uses it."""
import numpy as np

from autograd_lite import random as _random
from autograd_lite.extend import Op, cast_array, constant

from ._special import digamma_array

_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]],
])


def _beta_grad_alpha_small(x, alpha, beta):
    factor = digamma_array(alpha) - digamma_array(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * (1 - x) ** -beta * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    factor = digamma_array(alpha + beta) - digamma_array(beta)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -(1 - x) ** (1 - beta) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    near = (mean - 0.1 * std <= x) & (x <= mean + 0.1 * std)
    bb = beta * beta
    poly = 47 * x * bb * bb + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * bb * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * bb + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    res_near = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * bb
    axbx = alpha * (x - 1) + beta * x
    term1_den = np.sqrt(2 * alpha / beta) * total ** 1.5 * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = (beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x))) ** -1.5
    term1234 = term1 + term2 * (term3 + np.where(x < mean, term4, -term4))
    return np.where(near, res_near, stirling * prefactor * term1234)


def _rational(x, alpha, total):
    u = np.log(x)
    a = np.log(alpha) - u
    b = np.log(total) - a
    pow_u = [np.ones_like(u), u, u * u]
    pow_a = [np.ones_like(a), a, a * a]
    p = np.zeros_like(x)
    q = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            c0, c1 = _C[0][i][j], _C[1][i][j]
            p = p + ua * (c0[0] + b * (c0[1] + b * (c0[2] + b * c0[3])))
            q = q + ua * (c1[0] + b * (c1[1] + b * (c1[2] + b * c1[3])))
    approx = x * (digamma_array(total) - digamma_array(alpha)) / (total - alpha)
    return p / q * approx


def dirichlet_grad_array(x, alpha, total):
    """PyTorch's `_dirichlet_grad(x, alpha, total)`, elementwise in float64."""
    x, alpha, total = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, alpha, total))
    out = np.empty(x.shape)
    beta = total - alpha
    boundary = total * x * (1 - x)
    small = (x <= 0.5) & (boundary < 2.5)
    large = ~small & (x >= 0.5) & (boundary < 0.75)
    mid = ~small & ~large & (alpha > 6) & (beta > 6)
    rest = ~small & ~large & ~mid
    with np.errstate(all="ignore"):
        out[small] = _beta_grad_alpha_small(x[small], alpha[small], beta[small])
        out[large] = -_beta_grad_beta_small(1 - x[large], beta[large], alpha[large])
        out[mid] = _beta_grad_alpha_mid(x[mid], alpha[mid], beta[mid])
        out[rest] = _rational(x[rest], alpha[rest], total[rest])
    return out


class DirichletSample(Op):
    """A Dirichlet(concentration) draw over the last dimension (normalised Gamma
    draws, clamped into [tiny, 1 - eps]); backward is PyTorch's `_Dirichlet` rule."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, concentration, generator):
        rng = _random.as_numpy_generator(generator, "_sample_dirichlet")
        gammas = rng.standard_gamma(np.asarray(concentration, dtype=np.float64))
        with np.errstate(invalid="ignore"):
            x = gammas / gammas.sum(-1, keepdims=True)
        info = np.finfo(np.float64 if concentration.dtype == np.float64 else np.float32)
        return cast_array(np.clip(x, info.tiny, 1 - info.eps), concentration.dtype)

    def backward(ctx, g):
        concentration = ctx.saved_tensors[0]
        x = ctx.saved_output
        c = concentration._data
        total = np.broadcast_to(c.sum(-1, keepdims=True), c.shape)
        grad = constant(cast_array(dirichlet_grad_array(x._data, c, total), c.dtype))
        return grad * (g - (x * g).sum(-1, keepdim=True)), None


def sample_dirichlet(concentration, generator=None):
    """Dirichlet draws, reparameterised with PyTorch's gradient (as its `_Dirichlet`)."""
    return DirichletSample.apply(concentration, generator)
