"""The Multinomial distribution."""
import math

import numpy as np

import autograd_lite as ag
from autograd_lite import random as _random
from autograd_lite.extend import cast_array, constant

from . import constraints
from ._special import lgamma
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """Counts of `total_count` draws (one integer for the whole batch) from the
    categories of `probs` or `logits` (last dimension; not both), as
    torch.distributions.Multinomial; event shape (K,), draws in the parameter's dtype.
    `log_prob` does not need `total_count` (any counts are scored)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    @property
    def mean(self):
        """probs * total_count."""
        return self.probs * self.total_count

    @property
    def variance(self):
        """total_count * probs * (1 - probs)."""
        return self.total_count * self.probs * (1 - self.probs)

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = ag.Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = Binomial(total_count=self.total_count, probs=new.probs)
        super(Multinomial, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        """Nonnegative counts summing to at most total_count."""
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        """The categories' normalised log-probabilities."""
        return self._categorical.logits

    @property
    def probs(self):
        """The categories' probabilities."""
        return self._categorical.probs

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._categorical.param_shape

    def sample(self, sample_shape=()):
        """Counts of shape `sample_shape + batch_shape + (K,)`."""
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            p = self.probs._data.astype(np.float64)
            p = p / p.sum(-1, keepdims=True)
            draws = np.asarray(_random.generator().multinomial(self.total_count, p, size=shape[:-1]))
            return constant(cast_array(draws, self.probs._data.dtype))

    def entropy(self):
        """n H(categorical) - log n! + sum_k E[log x_k!], x_k the Binomial marginals."""
        n = self.total_count
        term1 = n * self._categorical.entropy() - math.lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = ag.exp(self._binomial.log_prob(support))
        weights = lgamma(support + 1)
        return term1 + (binomial_probs * weights).sum([0, -1])

    def log_prob(self, value):
        """log(n! / prod x_k!) + sum x_k logits_k (0 * -inf counted as 0)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        logits = ag.where((value == 0) & (logits == -math.inf), 0.0, logits)
        log_powers = (logits * value).sum(-1)
        return log_factorial_n - log_factorial_xs + log_powers
