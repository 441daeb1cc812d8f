"""The Cauchy distribution."""
import math
from numbers import Number

import autograd_lite as ag

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Cauchy"]


class Cauchy(Distribution):
    """The Cauchy (Lorentz) distribution with `loc` (median) and `scale` (half width
    at half maximum), as torch.distributions.Cauchy; `rsample` is loc + scale * eps,
    eps a standard Cauchy draw (the tangent of a uniform angle)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        if isinstance(loc, Number) and isinstance(scale, Number):
            batch_shape = ag.Size()
        else:
            batch_shape = self.loc.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Cauchy, _instance)
        batch_shape = ag.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        super(Cauchy, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """NaN (undefined), of the batch shape."""
        return ag.full(tuple(self._extended_shape()), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self):
        """loc."""
        return self.loc

    @property
    def variance(self):
        """inf, of the batch shape."""
        return ag.full(tuple(self._extended_shape()), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=()):
        """loc + scale * tan(pi (u - 1/2)), u uniform."""
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            eps = ag.tan(math.pi * (ag.rand(shape, dtype=self.loc.dtype) - 0.5))
        return self.loc + eps * self.scale

    def log_prob(self, value):
        """-log(pi scale) - log(1 + ((value - loc) / scale)**2)."""
        if self._validate_args:
            self._validate_sample(value)
        return (-math.log(math.pi) - self.scale.log()
                - ag.log1p(((value - self.loc) / self.scale) ** 2))

    def cdf(self, value):
        """atan((value - loc) / scale) / pi + 1/2."""
        if self._validate_args:
            self._validate_sample(value)
        return ag.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        """loc + scale * tan(pi (value - 1/2))."""
        return ag.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        """log(4 pi scale)."""
        return math.log(4 * math.pi) + self.scale.log()
