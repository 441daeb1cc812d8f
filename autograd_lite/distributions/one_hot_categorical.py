"""The OneHotCategorical distribution."""
import autograd_lite as ag

from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


def _one_hot(indices, num_classes, dtype):
    return (indices.unsqueeze(-1) == ag.arange(num_classes)).to(dtype)


class OneHotCategorical(Distribution):
    """A Categorical whose draws are one-hot vectors (as
    torch.distributions.OneHotCategorical); event_shape is (K,)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with parameters expanded to `batch_shape`."""
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = ag.Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        super(OneHotCategorical, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        """The categories' probabilities."""
        return self._categorical.probs

    @property
    def logits(self):
        """The categories' normalised log-probabilities."""
        return self._categorical.logits

    @property
    def mean(self):
        """probs."""
        return self._categorical.probs

    @property
    def mode(self):
        """The one-hot vector of the most probable category."""
        probs = self._categorical.probs
        return _one_hot(probs.argmax(-1), probs.shape[-1], probs.dtype)

    @property
    def variance(self):
        """probs * (1 - probs)."""
        return self._categorical.probs * (1 - self._categorical.probs)

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._categorical.param_shape

    def sample(self, sample_shape=()):
        """One-hot draws of shape `sample_shape + batch_shape + (K,)`, in probs' dtype."""
        probs = self._categorical.probs
        indices = self._categorical.sample(ag.Size(sample_shape))
        return _one_hot(indices, self._categorical._num_events, probs.dtype)

    def log_prob(self, value):
        """The log-probability of the one-hot `value`'s category."""
        if self._validate_args:
            self._validate_sample(value)
        indices = value.max(-1)[1]
        return self._categorical.log_prob(indices)

    def entropy(self):
        """The Categorical's entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot vectors along dimension 0."""
        n = self.event_shape[0]
        values = ag.eye(n, dtype=self._param.dtype)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical with a straight-through `rsample` (Bengio et al., 2013): a
    one-hot draw whose gradient is that of the probabilities (as
    torch.distributions.OneHotCategoricalStraightThrough)."""

    has_rsample = True

    def rsample(self, sample_shape=()):
        """sample + probs - probs.detach()."""
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
