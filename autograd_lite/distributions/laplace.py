"""The Laplace distribution."""
from numbers import Number

import autograd_lite as ag

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    """The Laplace distribution with `loc` and `scale` (as
    torch.distributions.Laplace); `rsample` inverts the cdf at a uniform draw."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self):
        """loc."""
        return self.loc

    @property
    def mode(self):
        """loc."""
        return self.loc

    @property
    def variance(self):
        """2 * scale**2."""
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        """sqrt(2) * scale."""
        return (2 ** 0.5) * self.scale

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        if isinstance(loc, Number) and isinstance(scale, Number):
            batch_shape = ag.Size()
        else:
            batch_shape = self.loc.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Laplace, _instance)
        batch_shape = ag.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        super(Laplace, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        """loc - scale * sign(u) * log(1 - |u|), u uniform on (-1, 1)."""
        shape = tuple(self._extended_shape(sample_shape))
        eps = ag.finfo(self.loc.dtype).eps
        u = ag.rand(shape, dtype=self.loc.dtype) * (2 - eps) + (eps - 1)
        return self.loc - self.scale * u.sign() * ag.log1p(-u.abs())

    def log_prob(self, value):
        """-log(2 scale) - |value - loc| / scale."""
        if self._validate_args:
            self._validate_sample(value)
        return -ag.log(2 * self.scale) - ag.abs(value - self.loc) / self.scale

    def cdf(self, value):
        """The cumulative distribution function at `value`."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * ag.expm1(-(value - self.loc).abs() / self.scale)

    def icdf(self, value):
        """The quantile function at `value`."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ag.log1p(-2 * term.abs())

    def entropy(self):
        """1 + log(2 scale)."""
        return 1 + ag.log(2 * self.scale)


