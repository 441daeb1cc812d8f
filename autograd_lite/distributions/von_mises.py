"""The VonMises distribution."""
import math

import numpy as np

import autograd_lite as ag
from autograd_lite import random as _random
from autograd_lite.extend import cast_array, constant

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

__all__ = ["VonMises"]

# Abramowitz and Stegun 9.8.1-9.8.4: I0 and I1 below 3.75 (in (x / 3.75)**2) and
# sqrt(x) exp(-x) I0, I1 above (in 3.75 / x), as PyTorch's
_I0_COEF_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2]
_I0_COEF_LARGE = [0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
                  -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2]
_I1_COEF_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3]
_I1_COEF_LARGE = [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
                  0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2]
_COEF_SMALL = [_I0_COEF_SMALL, _I1_COEF_SMALL]
_COEF_LARGE = [_I0_COEF_LARGE, _I1_COEF_LARGE]


def _eval_poly(y, coef):
    result = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x, order=0):
    """log(I_order(x)) for x > 0 and order 0 or 1, by polynomial approximations
    (differentiable: made of autograd_lite's ops)."""
    if order not in (0, 1):
        raise ValueError(f"_log_modified_bessel_fn: order must be 0 or 1, got {order}")
    is_small = x < 3.75
    # each branch sees only its own range (the other's inputs replaced by 3.75), so
    # the branch not taken neither overflows nor sends a NaN gradient
    xs = ag.where(is_small, x, 3.75)
    xl = ag.where(is_small, 3.75, x)
    small = _eval_poly((xs / 3.75) ** 2, _COEF_SMALL[order])
    if order == 1:
        small = xs.abs() * small
    small = small.log()
    large = xl - 0.5 * xl.log() + _eval_poly(3.75 / xl, _COEF_LARGE[order]).log()
    return ag.where(is_small, small, large)


def _rejection_sample(loc, concentration, proposal_r, shape):
    """Best and Fisher's (1979) rejection sampler, in float64 on arrays."""
    rng = _random.generator()
    loc, concentration, proposal_r = (np.broadcast_to(a, shape) for a in (loc, concentration, proposal_r))
    x = np.zeros(shape)
    done = np.zeros(shape, dtype=bool)
    while not done.all():
        u1, u2, u3 = rng.random((3,) + tuple(shape))
        z = np.cos(math.pi * u1)
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = ((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0)
        accept &= ~done
        x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1, 1)), x)
        done |= accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The circular von Mises distribution with `loc` (an angle, any real) and
    `concentration` (as torch.distributions.VonMises): density
    exp(concentration cos(x - loc)) / (2 pi I0(concentration)). Draws lie in
    [-pi, pi), by rejection sampling in float64; no `rsample`. mean and variance are
    the circular ones."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, ag.Size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(VonMises, _instance)
        batch_shape = ag.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        super(VonMises, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def log_prob(self, value):
        """concentration cos(value - loc) - log(2 pi I0(concentration))."""
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * ag.cos(value - self.loc)
        return log_prob - math.log(2 * math.pi) - _log_modified_bessel_fn(self.concentration, order=0)

    @lazy_property
    def _proposal_r(self):
        kappa = self.concentration._data.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
            rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
            return np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape=()):
        """Angles in [-pi, pi) of shape `sample_shape + batch_shape`."""
        shape = tuple(self._extended_shape(sample_shape))
        draws = _rejection_sample(self.loc._data.astype(np.float64),
                                  self.concentration._data.astype(np.float64), self._proposal_r, shape)
        return constant(cast_array(draws, self.loc._data.dtype))

    @property
    def mean(self):
        """loc (the circular mean)."""
        return self.loc

    @property
    def mode(self):
        """loc."""
        return self.loc

    @lazy_property
    def variance(self):
        """1 - I1(concentration) / I0(concentration) (the circular variance)."""
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1)
                    - _log_modified_bessel_fn(self.concentration, order=0)).exp()
