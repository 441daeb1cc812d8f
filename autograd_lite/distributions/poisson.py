"""The Poisson distribution."""
from numbers import Number

import numpy as np

import autograd_lite as ag
from autograd_lite import random as _random
from autograd_lite.extend import cast_array, constant

from . import constraints
from ._special import lgamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """The Poisson distribution with `rate` (as torch.distributions.Poisson); draws
    are whole numbers in the rate's dtype."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self):
        """rate."""
        return self.rate

    @property
    def mode(self):
        """floor(rate)."""
        return self.rate.floor()

    @property
    def variance(self):
        """rate."""
        return self.rate

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = ag.Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with `rate` expanded to `batch_shape`."""
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = ag.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Poisson, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=()):
        """Counts of shape `sample_shape + batch_shape`."""
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            return constant(cast_array(_poisson_draws(self.rate._data, shape), self.rate._data.dtype))

    def log_prob(self, value):
        """value log(rate) - rate - log(value!)."""
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return ag.xlogy(value, rate) - rate - lgamma(value + 1)


def _poisson_draws(rate, shape):
    """Poisson(rate) counts (float64) of `shape` from the global generator."""
    draws = _random.generator().poisson(np.broadcast_to(rate.astype(np.float64), shape))
    return np.asarray(draws, dtype=np.float64)
