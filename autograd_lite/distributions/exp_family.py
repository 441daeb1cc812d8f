"""The ExponentialFamily base class."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """The base of exponential-family distributions (as
    `torch.distributions.ExponentialFamily`); here a marker class whose members
    compute their entropies in closed form."""
