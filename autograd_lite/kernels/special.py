"""Special functions NumPy lacks: erf, erfc, erfinv, erfcx, the modified Bessel
functions I0 and I1 (plain and exponentially scaled), the Hurwitz zeta function and the
regularised incomplete gamma functions, as
Numba-compiled ufuncs (they broadcast, take any strides, and cost one call), in
float64."""
import math
from fractions import Fraction

import numpy as np

from ._numba import njit, ufunc

_F64 = np.dtype(np.float64)
_TWO_OVER_SQRT_PI = 1.1283791670955126


def _erf(v):
    return math.erf(v)


def _erfc(v):
    return math.erfc(v)


def _erfinv(y):
    """The inverse of erf: a single-precision first guess (Giles' polynomial in
    w = -log(1 - y^2)), refined by Halley steps on erf (|y| <= 0.5) or on erfc (the
    tails, where 1 - |y| is exact and erf(x) would have run out of digits)."""
    if y != y or y < -1.0 or y > 1.0:
        return math.nan
    if y == 1.0:
        return math.inf
    if y == -1.0:
        return -math.inf
    a = abs(y)
    w = -math.log((1.0 - a) * (1.0 + a))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        p = 0.000100950558 + p * w
        p = 0.00134934322 + p * w
        p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w
        p = -0.0076224613 + p * w
        p = 0.00943887047 + p * w
        p = 1.00167406 + p * w
        p = 2.83297682 + p * w
    x = p * a
    tail = a > 0.5
    c = 1.0 - a  # exact for a > 0.5 (Sterbenz)
    for _ in range(8):
        if tail:
            f = math.erfc(x) - c
            d = -_TWO_OVER_SQRT_PI * math.exp(-x * x)
        else:
            f = math.erf(x) - a
            d = _TWO_OVER_SQRT_PI * math.exp(-x * x)
        denom = d + x * f
        if denom == 0.0:
            break
        step = f / denom  # Halley: f'' = -2x f'
        x -= step
        if abs(step) <= 1e-16 * abs(x):
            break
    return math.copysign(x, y)  # -0.0 stays -0.0


_SQRT_PI = math.sqrt(math.pi)


def _erfcx(x):
    """exp(x^2) erfc(x): the product below 2 (erfc has all its digits there; overflows
    to inf below -26.6, as the function does), else the continued fraction
    sqrt(pi) erfcx(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from a
    depth at which it has converged to double precision."""
    if x != x:
        return x
    if x < 2.0:
        return math.exp(x * x) * math.erfc(x)
    depth = 160 if x < 4.0 else 60 if x < 10.0 else 20
    f = x
    for k in range(depth, 0, -1):
        f = x + 0.5 * k / f
    return 1.0 / (f * _SQRT_PI)


# The modified Bessel functions of order nu = 0, 1: the power series
# I_nu(x) = (x/2)^nu sum_k (x^2/4)^k / (k! (k + nu)!) up to |x| = 20 (positive terms: no
# cancellation; ~40 of them), beyond it the asymptotic series
# I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k / x^k, a_k = a_(k-1) (4nu^2 - (2k-1)^2) / (8k),
# whose smallest term there is below e^-40.
_SERIES_LIMIT = 20.0


@njit(inline="always")
def _bessel_series(ax, nu):
    q = 0.25 * ax * ax
    term = 1.0 if nu == 0 else 0.5 * ax
    total = term
    k = 0
    while term > total * 1e-17:
        k += 1
        term *= q / (k * (k + nu))
        total += term
    return total


@njit(inline="always")
def _bessel_asymptotic(ax, nu):
    """The series sum_k (-1)^k a_k / x^k, summed while its terms shrink."""
    mu = 4.0 * nu * nu
    term = 1.0
    total = 1.0
    for k in range(1, 60):
        nxt = -term * (mu - (2 * k - 1) ** 2) / (8.0 * k * ax)
        if abs(nxt) >= abs(term) or abs(nxt) < abs(total) * 1e-17:
            total += nxt if abs(nxt) < abs(term) else 0.0
            break
        term = nxt
        total += term
    return total


@njit(inline="always")
def _bessel_i(x, nu, scaled):
    """I_nu(x), or e^-|x| I_nu(x) when `scaled` (I0 is even, I1 odd)."""
    if x != x:
        return x
    ax = abs(x)
    if ax <= _SERIES_LIMIT:
        v = _bessel_series(ax, nu)
        if scaled:
            v *= math.exp(-ax)
    elif ax == math.inf:  # the unscaled ones NaN at +-inf, as PyTorch's (Cephes') are
        v = 0.0 if scaled else math.nan
    elif scaled:
        v = _bessel_asymptotic(ax, nu) / math.sqrt(2 * math.pi * ax)
    else:  # inf once e^x overflows (x > 709.78), as PyTorch's, though I_nu(x) itself is finite to ~713.9
        v = _bessel_asymptotic(ax, nu) * math.exp(ax) / math.sqrt(2 * math.pi * ax)
    return -v if nu == 1 and x < 0 else v


def _i0(x):
    return _bessel_i(x, 0, False)


def _i0e(x):
    return _bessel_i(x, 0, True)


def _i1(x):
    return _bessel_i(x, 1, False)


def _i1e(x):
    return _bessel_i(x, 1, True)


def _zeta_corrections():
    """(2j)! / B_2j for j = 1..12 (B the Bernoulli numbers): the Euler-Maclaurin tail."""
    bernoulli = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
                 Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510), Fraction(43867, 798),
                 Fraction(-174611, 330), Fraction(854513, 138), Fraction(-236364091, 2730)]
    return tuple(float(math.factorial(2 * j) / b) for j, b in enumerate(bernoulli, start=1))


_ZETA_CORRECTIONS = _zeta_corrections()


def _zeta(x, q):
    """The Hurwitz zeta function sum_k (q + k)^-x by Euler-Maclaurin summation: the first
    terms up to q + k > 9 (at least 9 of them), the integral of the rest and the
    Bernoulli corrections. inf at x = 1 and at integer q <= 0, NaN for x < 1 and for a
    negative q with x not an integer, as PyTorch's (Cephes') zeta."""
    if x == 1.0:
        return math.inf
    if x < 1.0:
        return math.nan
    if q <= 0.0:
        if q == math.floor(q):
            return math.inf
        if x != math.floor(x):
            return math.nan
    s = q ** -x
    a = q
    b = 0.0
    i = 0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -x
        s += b
        if abs(b / s) < 1.1102230246251565e-16:
            return s
    w = a
    s += b * w / (x - 1.0)
    s -= 0.5 * b
    rising = 1.0
    k = 0.0
    for correction in _ZETA_CORRECTIONS:
        rising *= x + k
        b /= w
        t = rising * b / correction
        s += t
        if abs(t / s) < 1.1102230246251565e-16:
            break
        k += 1.0
        rising *= x + k
        b /= w
        k += 1.0
    return s


@njit(inline="always")
def _incomplete_gamma(a, x, upper):
    """The regularised incomplete gamma function, lower P(a, x) or (`upper`) Q = 1 - P:
    the series of P where x < a + 1, else the continued fraction of Q (modified Lentz),
    the other one as 1 minus it (so each is accurate where it is the smaller). PyTorch's
    values at the edges: NaN for a < 0, x < 0, a = x = 0 and a = x = inf; P = 1 for
    a = 0 < x and for x = inf, P = 0 at x = 0 and for a = inf."""
    if a != a or x != x or a < 0.0 or x < 0.0 or (a == 0.0 and x == 0.0) or (a == math.inf and x == math.inf):
        return math.nan
    if a == 0.0 or x == math.inf:
        p = 1.0
    elif x == 0.0 or a == math.inf:
        p = 0.0
    else:
        prefix = math.exp(a * math.log(x) - x - math.lgamma(a))
        if x < a + 1.0:
            term = 1.0 / a
            total = term
            n = a
            for _ in range(1000000):
                n += 1.0
                term *= x / n
                total += term
                if term < total * 1e-17:
                    break
            p = total * prefix
        else:
            tiny = 1e-300
            b = x + 1.0 - a
            c = 1.0 / tiny
            d = 1.0 / b
            h = d
            for i in range(1, 1000000):
                an = -i * (i - a)
                b += 2.0
                d = an * d + b
                d = tiny if abs(d) < tiny else d
                c = b + an / c
                c = tiny if abs(c) < tiny else c
                d = 1.0 / d
                delta = d * c
                h *= delta
                if abs(delta - 1.0) < 1e-16:
                    break
            q = prefix * h
            return q if upper else 1.0 - q
    return 1.0 - p if upper else p


def _igamma(a, x):
    return _incomplete_gamma(a, x, False)


def _igammac(a, x):
    return _incomplete_gamma(a, x, True)


class _Ufuncs:
    """`_ufuncs.erf` etc.: float64 ufuncs, compiled on first use."""

    _specs = {"erf": _erf, "erfc": _erfc, "erfinv": _erfinv, "erfcx": _erfcx, "i0": _i0, "i0e": _i0e,
              "i1": _i1, "i1e": _i1e}

    def __getattr__(self, name):
        binary = {"zeta": _zeta, "igamma": _igamma, "igammac": _igammac}
        if name in binary:
            built = ufunc(["float64(float64, float64)"], binary[name])
        else:
            built = ufunc(["float64(float64)"], self._specs[name])
        setattr(self, name, built)
        return built


_ufuncs = _Ufuncs()


def _apply(name, x):
    """Other float dtypes are computed in float64 and rounded once."""
    with np.errstate(over="ignore"):  # an overflow to inf is the value (I0 beyond 709.78, erfcx below -26.6)
        out = getattr(_ufuncs, name)(x)
    return out if x.dtype == _F64 else out.astype(x.dtype)


def erf(x):
    return _apply("erf", x)


def erfc(x):
    return _apply("erfc", x)


def erfinv(x):
    return _apply("erfinv", x)


def erfcx(x):
    return _apply("erfcx", x)


def i0(x):
    return _apply("i0", x)


def i0e(x):
    return _apply("i0e", x)


def i1(x):
    return _apply("i1", x)


def i1e(x):
    return _apply("i1e", x)


def _apply2(name, x, y):
    """Binary functions of arrays of one float dtype (computed in float64, rounded once)."""
    with np.errstate(over="ignore"):
        out = getattr(_ufuncs, name)(x, y)
    return out if x.dtype == _F64 else out.astype(x.dtype)


def zeta(x, q):
    return _apply2("zeta", x, q)


def igamma(a, x):
    return _apply2("igamma", a, x)


def igammac(a, x):
    return _apply2("igammac", a, x)
