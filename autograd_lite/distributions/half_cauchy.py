"""The HalfCauchy distribution."""
import math

import autograd_lite as ag

from . import constraints
from .cauchy import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfCauchy"]


class HalfCauchy(TransformedDistribution):
    """|X| for X ~ Cauchy(0, scale) (as torch.distributions.HalfCauchy)."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        base_dist = Cauchy(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with `scale` expanded to `batch_shape`."""
        new = self._get_checked_instance(HalfCauchy, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def scale(self):
        """The underlying Cauchy's scale."""
        return self.base_dist.scale

    @property
    def mean(self):
        """inf, of the batch shape."""
        return ag.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self):
        """0."""
        return ag.zeros_like(self.scale)

    @property
    def variance(self):
        """inf (the Cauchy's)."""
        return self.base_dist.variance

    def log_prob(self, value):
        """The Cauchy's log density plus log 2 (-inf below 0)."""
        if self._validate_args:
            self._validate_sample(value)
        value = ag.as_tensor(value, dtype=self.scale.dtype)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ag.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        """2 * Cauchy cdf - 1."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """The Cauchy quantile at (prob + 1) / 2."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The Cauchy's entropy minus log 2."""
        return self.base_dist.entropy() - math.log(2)
