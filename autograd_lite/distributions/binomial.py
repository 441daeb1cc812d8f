"""The Binomial distribution."""
import numpy as np

import autograd_lite as ag
from autograd_lite import random as _random
from autograd_lite.extend import cast_array, constant

from . import constraints
from ._special import lgamma
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Binomial"]


def _clamp_by_zero(x):
    # max(x, 0) whose gradient at 0 is 1/2, as PyTorch's
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _homogeneous_total_count(total_count, what):
    n = int(total_count.max().item())
    if not total_count.min().item() == n:
        raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
    return n


class Binomial(Distribution):
    """The number of successes in `total_count` independent trials of success
    probability `probs` (or log-odds `logits`; not both), as
    torch.distributions.Binomial; `total_count` (a number or a tensor of whole
    numbers) broadcasts with the parameter and takes its dtype, draws are floats."""

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
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
        new = self._get_checked_instance(Binomial, _instance)
        batch_shape = ag.Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(Binomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        """The integers 0 .. total_count."""
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        """total_count * probs."""
        return self.total_count * self.probs

    @property
    def mode(self):
        """floor((total_count + 1) * probs), at most total_count."""
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        """total_count * probs * (1 - probs)."""
        return self.total_count * self.probs * (1 - self.probs)

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

    def sample(self, sample_shape=()):
        """Counts of shape `sample_shape + batch_shape`, in the parameter's dtype."""
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            n = np.broadcast_to(self.total_count._data, shape).astype(np.int64)
            p = np.broadcast_to(self.probs._data.astype(np.float64), shape)
            draws = np.asarray(_random.generator().binomial(n, p))
            return constant(cast_array(draws, self._param._data.dtype))

    def log_prob(self, value):
        """log C(n, k) + k logits - n log(1 + exp(logits)), stable in the logits."""
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_factorial_n = lgamma(n + 1)
        log_factorial_k = lgamma(value + 1)
        log_factorial_nmk = lgamma(n - value + 1)
        normalize_term = (n * _clamp_by_zero(self.logits)
                          + n * ag.log1p(ag.exp(-ag.abs(self.logits))) - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self):
        """The entropy, summed over the support (every total_count must be equal)."""
        _homogeneous_total_count(self.total_count, "entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(ag.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        """0 .. total_count along dimension 0 (every total_count must be equal)."""
        n = _homogeneous_total_count(self.total_count, "enumerate_support")
        values = ag.arange(1 + n, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
