"""The Gumbel distribution."""
import math
from numbers import Number

import autograd_lite as ag

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform
from .utils import broadcast_all

__all__ = ["Gumbel"]

EULER_GAMMA = 0.57721566490153286060


class Gumbel(TransformedDistribution):
    """The Gumbel (type I extreme value) distribution with `loc` and `scale` (as
    torch.distributions.Gumbel): loc - scale * log(-log(U)), U uniform on
    [tiny, 1 - eps]."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        finfo = ag.finfo(self.loc.dtype)
        if isinstance(loc, Number) and isinstance(scale, Number):
            base_dist = Uniform(finfo.tiny, 1 - finfo.eps, validate_args=validate_args)
        else:
            base_dist = Uniform(ag.full_like(self.loc, finfo.tiny),
                                ag.full_like(self.loc, 1 - finfo.eps), validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-ag.ones_like(self.scale)),
                      ExpTransform().inv, AffineTransform(loc=loc, scale=-self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    def log_prob(self, value):
        """y - exp(y) - log(scale), y = (loc - value) / scale."""
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self):
        """loc + scale * Euler's constant."""
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self):
        """loc."""
        return self.loc

    @property
    def stddev(self):
        """pi / sqrt(6) * scale."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        """stddev ** 2."""
        return self.stddev.pow(2)

    def entropy(self):
        """log(scale) + 1 + Euler's constant."""
        return self.scale.log() + (1 + EULER_GAMMA)
