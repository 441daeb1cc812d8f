"""The Exponential distribution."""
from numbers import Number

import autograd_lite as ag
from autograd_lite import random as _random
from autograd_lite.extend import cast_array, constant

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    """The exponential distribution with `rate` (as torch.distributions.Exponential);
    `rsample` is E / rate, E a standard exponential draw."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        """1 / rate."""
        return self.rate.reciprocal()

    @property
    def mode(self):
        """0."""
        return ag.zeros_like(self.rate)

    @property
    def stddev(self):
        """1 / rate."""
        return self.rate.reciprocal()

    @property
    def variance(self):
        """1 / rate**2."""
        return self.rate.pow(-2)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = ag.Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with `rate` expanded to `batch_shape`."""
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = ag.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Exponential, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        """E / rate, E standard exponential."""
        shape = tuple(self._extended_shape(sample_shape))
        draws = _random.generator().standard_exponential(shape)
        return constant(cast_array(draws, self.rate._data.dtype)) / self.rate

    def log_prob(self, value):
        """log(rate) - rate * value."""
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """1 - exp(-rate * value)."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ag.exp(-self.rate * value)

    def icdf(self, value):
        """-log(1 - value) / rate."""
        return -ag.log1p(-value) / self.rate

    def entropy(self):
        """1 - log(rate)."""
        return 1.0 - ag.log(self.rate)
