"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, 1-D and 2-D)."""
import numbers

from . import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
           "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d"]


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
    _n = 2


class ConstantPad2d(_ConstantPadNd):
    _n = 4


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    _n, mode = 2, "reflect"


class ReflectionPad2d(_PadNd):
    _n, mode = 4, "reflect"


class ReplicationPad1d(_PadNd):
    _n, mode = 2, "replicate"


class ReplicationPad2d(_PadNd):
    _n, mode = 4, "replicate"


class CircularPad1d(_PadNd):
    _n, mode = 2, "circular"


class CircularPad2d(_PadNd):
    _n, mode = 4, "circular"
