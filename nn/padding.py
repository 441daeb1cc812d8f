"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad;
1-D, 2-D and 3-D)."""
import numbers

from . import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _widths(padding, n):
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * n
    padding = tuple(padding)
    if len(padding) != n:
        raise ValueError(f"expected padding to be an int or {n} ints, got {padding!r}")
    return padding


class _PadNd(Module):
    _n = 4
    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with `value`: `padding` is an int or (left, right).
    (N, C, W) or (C, W) -> width W + left + right."""

    _n = 2


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with `value`: `padding` is an int or
    (left, right, top, bottom)."""

    _n = 4


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with `value`: `padding` is an int or
    (left, right, top, bottom, front, back)."""

    _n = 6


class _ZeroPad:
    """A ConstantPad with value 0, shown by its padding alone (PyTorch's repr)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    extra_repr = _PadNd.extra_repr


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pad the last dim with zeros: `padding` is an int or (left, right)."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last two dims with zeros: `padding` is an int or (left, right, top, bottom)."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pad the last three dims with zeros: `padding` is an int or six widths."""


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its reflection (the edge not repeated); each width must be
    smaller than the dim."""

    _n, mode = 2, "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their reflection; each width must be smaller than its dim."""

    _n, mode = 4, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last three dims with their reflection; each width must be smaller than its dim."""

    _n, mode = 6, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values."""

    _n, mode = 2, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating their edge values."""

    _n, mode = 4, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last three dims by repeating their edge values."""

    _n, mode = 6, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim by wrapping around (periodic boundary)."""

    _n, mode = 2, "circular"


class CircularPad2d(_PadNd):
    """Pad the last two dims by wrapping around (periodic boundary)."""

    _n, mode = 4, "circular"


class CircularPad3d(_PadNd):
    """Pad the last three dims by wrapping around (periodic boundary)."""

    _n, mode = 6, "circular"
