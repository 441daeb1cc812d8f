"""Special functions NumPy lacks: erf, erfc and erfinv, as Numba-compiled ufuncs
(they broadcast, take any strides, and cost one call)."""
import math

import numpy as np

from ._numba import ufunc

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


class _Ufuncs:
    """`_ufuncs.erf` etc.: float64 ufuncs, compiled on first use."""

    _specs = {"erf": _erf, "erfc": _erfc, "erfinv": _erfinv}

    def __getattr__(self, name):
        built = ufunc(["float64(float64)"], self._specs[name])
        setattr(self, name, built)
        return built


_ufuncs = _Ufuncs()


def _apply(name, x):
    """Other float dtypes are computed in float64 and rounded once."""
    out = getattr(_ufuncs, name)(x)
    return out if x.dtype == _F64 else out.astype(x.dtype)


def erf(x):
    return _apply("erf", x)


def erfc(x):
    return _apply("erfc", x)


def erfinv(x):
    return _apply("erfinv", x)
