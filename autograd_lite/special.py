"""autograd_lite.special, as torch.special: the special functions that are ops of
autograd_lite (the same function objects, under torch.special's names: i0e, i1, i1e,
erfcx, xlog1py and zeta are declared in the op table under this namespace) and a few
thin compositions of them (entr, ndtr, ndtri, log_ndtr). All are differentiable, twice
too, except zeta (no derivative) and gammainc/gammaincc (in x only), as PyTorch's.
torch.special's Bessel functions of the first and second kind (J, Y, K), the Airy
function and the orthogonal polynomials are not here."""
import math

from .ops.bessel import i0, i0e, i1, i1e
from .ops.elementwise import expm1, log, log1p, round, sigmoid, where
from .ops.gamma_fns import digamma, igamma, igammac, lgamma, mvlgamma, polygamma, zeta
from .ops.reduce import logsumexp
from .ops.softmaxes import log_softmax, softmax
from .ops.special import erf, erfc, erfcx, erfinv, exp2, logit, xlog1py, xlogy
from .ops.trig import sinc

expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma
gammainc = igamma
gammaincc = igammac

_SQRT1_2 = math.sqrt(0.5)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_DOUBLE_FACTORIALS = [math.prod(range(1, 2 * k, 2)) for k in range(21)]  # (2k-1)!!

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
           "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy", "zeta"]


def entr(input):
    """The entropy term -x log(x) elementwise: 0 at 0, -inf below 0 (as torch.special.entr).
    The gradient, -(log(x) + 1) above 0, is NaN at and below 0 (PyTorch's is inf at 0)."""
    return where(input < 0, -math.inf, -xlogy(input, input))


def ndtr(input):
    """The standard normal CDF, erfc(-x / sqrt(2)) / 2 (as torch.special.ndtr)."""
    return erfc(input * -_SQRT1_2) * 0.5


def ndtri(input):
    """The standard normal quantile (inverse of ndtr), sqrt(2) erfinv(2p - 1): -inf at 0,
    inf at 1, NaN outside [0, 1]. Less accurate than PyTorch's for p within ~1e-8 of 0
    or 1 (2p - 1 rounds there)."""
    return erfinv(input * 2 - 1) * math.sqrt(2.0)


def _log_ndtr_tail(x):
    """log ndtr(x) for x <= -10 by its asymptotic series (20 terms: below 1e-16 there)."""
    z = (x * x).reciprocal()
    series = 0.0
    for k in range(20, 0, -1):  # sum_k (-1)^k (2k-1)!! z^k, by Horner
        series = (series + _DOUBLE_FACTORIALS[k] * (-1) ** k) * z
    return x * x * -0.5 - log(-x) - _HALF_LOG_2PI + log1p(series)


def log_ndtr(input):
    """log of the standard normal CDF (as torch.special.log_ndtr): log1p(-ndtr(-x)) above 0,
    log(ndtr(x)) down to -10, its asymptotic series below (finite for every finite x)."""
    positive, tail = input > 0, input < -10
    # each branch sees only its own range, so the others' infinities reach no gradient
    upper = log1p(ndtr(-where(positive, input, 0.0)) * -1)
    middle = log(ndtr(where(positive | tail, -1.0, input)))
    lower = _log_ndtr_tail(where(tail, input, -10.0))
    return where(positive, upper, where(tail, lower, middle))
