"""The ContinuousBernoulli distribution."""
import math
from numbers import Number

import autograd_lite as ag

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["ContinuousBernoulli"]


def _bce_with_logits(logits, target):
    return ag.logaddexp(ag.zeros_like(logits), logits) - logits * target


class ContinuousBernoulli(ExponentialFamily):
    """The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem and Cunningham,
    2019), given `probs` or `logits` (not both), as
    torch.distributions.ContinuousBernoulli: density proportional to
    probs**x (1 - probs)**(1 - x). Where probs lies in `lims` (around 1/2) the
    normaliser and moments use Taylor expansions; `rsample` inverts the cdf."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
            if validate_args is not None and not bool(self.arg_constraints["probs"].check(self.probs).all()):
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = ag.Size() if is_scalar else self._param.size()
        self._lims = lims
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(ContinuousBernoulli, _instance)
        new._lims = self._lims
        batch_shape = ag.Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(ContinuousBernoulli, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        return ag.where(self._outside_unstable_region(), self.probs,
                        self._lims[0] * ag.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        """The log normalising constant as a function of probs."""
        cut_probs = self._cut_probs()
        below = ag.where(cut_probs <= 0.5, cut_probs, ag.zeros_like(cut_probs))
        above = ag.where(cut_probs >= 0.5, cut_probs, ag.ones_like(cut_probs))
        log_norm = (ag.log(ag.abs(ag.log1p(-cut_probs) - ag.log(cut_probs)))
                    - ag.where(cut_probs <= 0.5, ag.log1p(-2.0 * below), ag.log(2.0 * above - 1.0)))
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return ag.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        """The mean (a Taylor expansion near probs = 1/2)."""
        cut_probs = self._cut_probs()
        mus = cut_probs / (2.0 * cut_probs - 1.0) + 1.0 / (ag.log1p(-cut_probs) - ag.log(cut_probs))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return ag.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        """sqrt(variance)."""
        return ag.sqrt(self.variance)

    @property
    def variance(self):
        """The variance (a Taylor expansion near probs = 1/2)."""
        cut_probs = self._cut_probs()
        var = (cut_probs * (cut_probs - 1.0) / (1.0 - 2.0 * cut_probs).pow(2)
               + 1.0 / (ag.log1p(-cut_probs) - ag.log(cut_probs)).pow(2))
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return ag.where(self._outside_unstable_region(), var, taylor)

    @lazy_property
    def logits(self):
        """The log-odds (computed from probs if given those)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """The shape parameter in (0, 1), clamped away from 0 and 1."""
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._param.size()

    def sample(self, sample_shape=()):
        """icdf of uniform draws, outside autograd."""
        with ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """icdf(u), u uniform: differentiable in the parameter."""
        shape = tuple(self._extended_shape(sample_shape))
        u = ag.rand(shape, dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        """x logits - softplus(logits) + the log normaliser."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value) + self._cont_bern_log_norm()

    def cdf(self, value):
        """The cumulative distribution function (0 below 0, 1 above 1)."""
        if self._validate_args:
            self._validate_sample(value)
        cut_probs = self._cut_probs()
        cdfs = ((cut_probs.pow(value) * (1.0 - cut_probs).pow(1.0 - value) + cut_probs - 1.0)
                / (2.0 * cut_probs - 1.0))
        unbounded = ag.where(self._outside_unstable_region(), cdfs, value)
        return ag.where(value <= 0.0, ag.zeros_like(value),
                        ag.where(value >= 1.0, ag.ones_like(value), unbounded))

    def icdf(self, value):
        """The quantile function (the identity near probs = 1/2)."""
        cut_probs = self._cut_probs()
        inverted = ((ag.log1p(-cut_probs + value * (2.0 * cut_probs - 1.0)) - ag.log1p(-cut_probs))
                    / (ag.log(cut_probs) - ag.log1p(-cut_probs)))
        return ag.where(self._outside_unstable_region(), inverted, value)

    def entropy(self):
        """The entropy in nats."""
        log_probs0 = ag.log1p(-self.probs)
        log_probs1 = ag.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """The log normaliser as a function of the natural parameter."""
        out_unst_reg = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut_nat_params = ag.where(out_unst_reg, x, (self._lims[0] - 0.5) * ag.ones_like(x))
        log_norm = ag.log(ag.abs(ag.expm1(cut_nat_params))) - ag.log(ag.abs(cut_nat_params))
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return ag.where(out_unst_reg, log_norm, taylor)
