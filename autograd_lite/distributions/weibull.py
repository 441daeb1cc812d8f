"""The Weibull distribution."""
import autograd_lite as ag

from . import constraints
from ._special import lgamma
from .exponential import Exponential
from .gumbel import EULER_GAMMA
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import broadcast_all

__all__ = ["Weibull"]


class Weibull(TransformedDistribution):
    """The two-parameter Weibull distribution with `scale` and `concentration` (as
    torch.distributions.Weibull): scale * E ** (1 / concentration), E standard
    exponential."""

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base_dist = Exponential(ag.ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration_reciprocal),
                      AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Weibull, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.concentration_reciprocal = new.concentration.reciprocal()
        base_dist = self.base_dist.expand(batch_shape)
        transforms = [PowerTransform(exponent=new.concentration_reciprocal),
                      AffineTransform(loc=0, scale=new.scale)]
        super(Weibull, new).__init__(base_dist, transforms, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """scale * Gamma(1 + 1 / concentration)."""
        return self.scale * ag.exp(lgamma(1 + self.concentration_reciprocal))

    @property
    def mode(self):
        """scale * ((k - 1) / k) ** (1 / k), k the concentration (NaN for k < 1, as PyTorch)."""
        return self.scale * ((self.concentration - 1) / self.concentration) ** self.concentration.reciprocal()

    @property
    def variance(self):
        """scale**2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)**2)."""
        return self.scale.pow(2) * (ag.exp(lgamma(1 + 2 * self.concentration_reciprocal))
                                    - ag.exp(2 * lgamma(1 + self.concentration_reciprocal)))

    def entropy(self):
        """gamma (1 - 1/k) + log(scale / k) + 1."""
        return (EULER_GAMMA * (1 - self.concentration_reciprocal)
                + ag.log(self.scale * self.concentration_reciprocal) + 1)
