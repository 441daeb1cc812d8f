"""The InverseGamma distribution."""
import math

import autograd_lite as ag

from . import constraints
from ._special import digamma, lgamma
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """1 / X for X ~ Gamma(concentration, rate) (as torch.distributions.InverseGamma)."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -ag.ones((), dtype=base_dist.rate.dtype)
        super().__init__(base_dist, PowerTransform(neg_one), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(InverseGamma, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def concentration(self):
        """The Gamma's concentration."""
        return self.base_dist.concentration

    @property
    def rate(self):
        """The Gamma's rate (the scale of the inverse)."""
        return self.base_dist.rate

    @property
    def mean(self):
        """rate / (concentration - 1) (inf for concentration <= 1)."""
        return ag.where(self.concentration > 1, self.rate / (self.concentration - 1), math.inf)

    @property
    def mode(self):
        """rate / (concentration + 1)."""
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """rate**2 / ((concentration - 1)**2 (concentration - 2)) (inf for concentration <= 2)."""
        c = self.concentration
        return ag.where(c > 2, self.rate.square() / ((c - 1).square() * (c - 2)), math.inf)

    def entropy(self):
        """concentration + log(rate) + lgamma(concentration) - (1 + concentration) digamma(concentration)."""
        c = self.concentration
        return c + self.rate.log() + lgamma(c) - (1 + c) * digamma(c)
