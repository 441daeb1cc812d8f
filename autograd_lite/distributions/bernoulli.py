"""The Bernoulli distribution."""
from numbers import Number

import autograd_lite as ag

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


def bce_with_logits(logits, target):
    """Elementwise binary cross-entropy of `target` under Bernoulli(logits):
    softplus(logits) - logits * target (smooth at 0, gradient sigmoid(logits) - target)."""
    return ag.logaddexp(ag.zeros_like(logits), logits) - logits * target


class Bernoulli(ExponentialFamily):
    """The Bernoulli distribution, given `probs` or `logits` (not both), as
    torch.distributions.Bernoulli; draws are 0.0/1.0 in the parameter's dtype."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = ag.Size() if is_scalar else self._param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = ag.Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(Bernoulli, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """probs."""
        return self.probs

    @property
    def mode(self):
        """1 where probs > 0.5, 0 where below, NaN at 0.5."""
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ag.where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self):
        """probs * (1 - probs)."""
        return self.probs * (1 - self.probs)

    @lazy_property
    def logits(self):
        """The log-odds (computed from probs if given those)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """The probability of 1 (computed from logits if given those)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._param.size()

    def sample(self, sample_shape=()):
        """0/1 draws of shape `sample_shape + batch_shape`."""
        shape = self._extended_shape(sample_shape)
        with ag.no_grad():
            return ag.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        """value * log(p) + (1 - value) * log(1 - p), through the logits."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -bce_with_logits(logits, value)

    def entropy(self):
        """The entropy in nats."""
        return bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        """[0., 1.] along dimension 0."""
        values = ag.arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
