"""The Dirichlet distribution."""
import autograd_lite as ag

from . import constraints
from ._dirichlet_grad import sample_dirichlet
from ._special import digamma, lgamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the simplex with `concentration` (last
    dimension: the categories), as torch.distributions.Dirichlet; `rsample` is
    differentiated by PyTorch's rule (the implicit gradient of the Beta marginals)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with `concentration` expanded to `batch_shape`."""
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = ag.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        """Normalised Gamma(concentration) draws, reparameterised."""
        shape = tuple(self._extended_shape(sample_shape))
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value):
        """The log density at `value` (a point of the simplex)."""
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return ag.xlogy(c - 1.0, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1)

    @property
    def mean(self):
        """concentration / concentration.sum(-1)."""
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        """(concentration - 1)+ normalised; where every concentration is < 1, the
        one-hot vector of the largest."""
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mask = (self.concentration < 1).all(-1, keepdim=True)
        mode = cm1 / ag.where(mask, 1.0, cm1.sum(-1, True))
        k = cm1.shape[-1]
        onehot = (cm1.argmax(-1, keepdim=True) == ag.arange(k)).to(mode.dtype)
        return ag.where(mask, onehot, mode)

    @property
    def variance(self):
        """The variance of each coordinate."""
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        """The entropy in nats."""
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return lgamma(c).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) - ((c - 1.0) * digamma(c)).sum(-1)
