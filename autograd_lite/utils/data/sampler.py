"""Samplers under PyTorch's module path (`torch.utils.data.sampler`), and
`WeightedRandomSampler`."""
import numpy as np

from ...ops.creation import as_tensor
from ...ops.random_ops import multinomial
from ...tensor import Tensor
from . import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]


class WeightedRandomSampler(Sampler[int]):
    """Draws `num_samples` indices of `[0, len(weights))` with probabilities proportional
    to `weights` (with or without `replacement`), as PyTorch's: a new draw each epoch,
    from `generator` (an `ag.Generator` or NumPy Generator; default the global one, so
    `ag.manual_seed` makes it repeatable). The draws differ from PyTorch's stream.

    Raises ValueError for a `num_samples` that is not a positive int, a `replacement`
    that is not a bool, or `weights` that are not one-dimensional; iterating raises
    RuntimeError (as `multinomial`) for negative, infinite or NaN weights, weights
    summing to zero, or more samples than weights without replacement."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = _as_double_tensor(weights)
        if weights.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        return iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


def _as_double_tensor(weights):
    """`torch.as_tensor(weights, dtype=torch.double)`, with a clear error for what is
    not a sequence of numbers."""
    if isinstance(weights, Tensor):
        return weights.detach().to(np.float64)
    try:
        array = np.asarray(weights)
    except ValueError:  # ragged nesting
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise TypeError("WeightedRandomSampler: weights must be a sequence of numbers (or a "
                        f"tensor), got {type(weights).__name__}") from None
    return as_tensor(array.astype(np.float64))
