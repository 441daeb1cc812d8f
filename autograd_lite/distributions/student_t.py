"""The StudentT distribution."""
import math

import autograd_lite as ag

from . import constraints
from ._special import digamma, lgamma
from .chi2 import Chi2
from .distribution import Distribution
from .utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t distribution with `df` degrees of freedom, `loc` and `scale` (as
    torch.distributions.StudentT); `rsample` is loc + scale * N / sqrt(Chi2(df) / df),
    reparameterised in all three parameters."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self):
        """loc where df > 1, else NaN."""
        return ag.where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self):
        """loc."""
        return self.loc

    @property
    def variance(self):
        """scale**2 df / (df - 2) where df > 2, inf where 1 < df <= 2, NaN where df <= 1."""
        big = self.df > 2
        df = ag.where(big, self.df, 3.0)
        var = self.scale.pow(2) * df / (df - 2)
        rest = ag.where(self.df > 1, math.inf, math.nan).to(var.dtype)
        return ag.where(big, var, rest)

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = ag.Size(batch_shape)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        super(StudentT, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        """loc + scale * X / sqrt(Z / df), X standard normal, Z ~ Chi2(df)."""
        shape = self._extended_shape(sample_shape)
        x = _standard_normal(shape, self.df.dtype)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (x * ag.rsqrt(z / self.df))

    def log_prob(self, value):
        """The log density at `value`."""
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * ag.log1p(y ** 2.0 / self.df) - z

    def entropy(self):
        """The entropy in nats."""
        lbeta = lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1))
        return (self.scale.log()
                + 0.5 * (self.df + 1) * (digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df))
                + 0.5 * self.df.log() + lbeta)
