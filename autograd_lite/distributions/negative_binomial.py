"""The NegativeBinomial distribution."""
import autograd_lite as ag
from autograd_lite.extend import cast_array, constant

from . import constraints
from ._special import lgamma
from .distribution import Distribution
from .gamma import Gamma
from .poisson import _poisson_draws
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["NegativeBinomial"]


def _logsigmoid(x):
    return -ag.logaddexp(ag.zeros_like(x), -x)


class NegativeBinomial(Distribution):
    """The number of successes before `total_count` failures in trials of success
    probability `probs` (or log-odds `logits`; not both), as
    torch.distributions.NegativeBinomial; `total_count` may be any nonnegative real.
    Draws are Poisson(Gamma(total_count, exp(-logits))) counts in the parameter's dtype."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(NegativeBinomial, _instance)
        batch_shape = ag.Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(NegativeBinomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """total_count * exp(logits)."""
        return self.total_count * ag.exp(self.logits)

    @property
    def mode(self):
        """floor((total_count - 1) * exp(logits)), at least 0."""
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        """mean / (1 - probs)."""
        return self.mean / ag.sigmoid(-self.logits)

    @lazy_property
    def logits(self):
        """The log-odds of a success (computed from probs if given those)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """The success probability (computed from logits if given those)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._param.size()

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=ag.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=()):
        """Poisson draws at Gamma(total_count, exp(-logits)) rates."""
        with ag.no_grad():
            rate = self._gamma.sample(sample_shape)
            draws = _poisson_draws(rate._data, tuple(rate.shape))
            return constant(cast_array(draws, rate._data.dtype))

    def log_prob(self, value):
        """The log mass at `value` (0 where total_count + value is 0)."""
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized_prob = (self.total_count * _logsigmoid(-self.logits)
                                 + value * _logsigmoid(self.logits))
        log_normalization = (-lgamma(self.total_count + value) + lgamma(1.0 + value)
                             + lgamma(self.total_count))
        log_normalization = ag.where(self.total_count + value == 0.0, 0.0, log_normalization)
        return log_unnormalized_prob - log_normalization
