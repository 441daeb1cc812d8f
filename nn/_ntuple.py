"""torch.nn.modules.utils' argument helpers (`_single`, `_pair`, `_triple`,
`_quadruple`, `_reverse_repeat_tuple`, `_list_with_default`), importable from
autograd_lite.nn.modules.utils as code written for PyTorch does."""
import collections.abc
import numbers
from itertools import repeat


def _ntuple(n, name="parse"):
    """A parser: an iterable as a tuple (any length, as PyTorch's), anything else
    repeated `n` times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """`t` reversed, each element repeated `n` times: a conv's padding as F.pad's."""
    return tuple(x for x in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults):
    """`out_size` with None entries taken from the last len(out_size) `defaults` (an int
    passes as it is). Raises ValueError when `defaults` has no more entries than it."""
    if isinstance(out_size, numbers.Integral):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]
