"""The Geometric distribution."""
from numbers import Number

import autograd_lite as ag

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric"]


def _bce_with_logits(logits, target):
    return ag.logaddexp(ag.zeros_like(logits), logits) - logits * target


class Geometric(Distribution):
    """The number of failures before the first success in trials of success
    probability `probs` (in (0, 1]) or log-odds `logits`, not both (as
    torch.distributions.Geometric); draws are whole numbers in the parameter's dtype."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        given = probs if probs is not None else logits
        batch_shape = ag.Size() if isinstance(given, Number) else given.size()
        super().__init__(batch_shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                raise ValueError(f"Expected parameter probs ({type(value).__name__} of shape "
                                 f"{tuple(value.shape)}) of distribution {self!r} to be positive "
                                 f"but found invalid values:\n{value[~valid]}")

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(Geometric, _instance)
        batch_shape = ag.Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
        super(Geometric, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """1 / probs - 1."""
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        """0."""
        return ag.zeros_like(self.probs)

    @property
    def variance(self):
        """(1 / probs - 1) / probs."""
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self):
        """The log-odds of a success (computed from probs if given those)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """The success probability (computed from logits if given those)."""
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape=()):
        """floor(log(u) / log(1 - probs)), u uniform on [tiny, 1)."""
        shape = tuple(self._extended_shape(sample_shape))
        tiny = ag.finfo(self.probs.dtype).tiny
        with ag.no_grad():
            u = ag.rand(shape, dtype=self.probs.dtype).clamp(min=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        """value log(1 - probs) + log(probs) (0 at value 0 when probs is 1)."""
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = ag.where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        """The binary cross-entropy of probs with itself, divided by probs."""
        return _bce_with_logits(self.logits, self.probs) / self.probs
