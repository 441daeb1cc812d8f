"""Pooling layers with PyTorch's arguments and reprs."""
from . import functional as F
from ._ntuple import _pair, _single, _triple
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "MaxUnpool1d", "MaxUnpool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MaxPool3d", "AvgPool3d",
           "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "MaxUnpool3d"]


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Max over kernel windows of (N, C, H, W); `return_indices` adds the argmax."""

    _fn = staticmethod(F.max_pool2d)


class MaxPool1d(_MaxPoolNd):
    """Max over kernel windows of (N, C, L) or (C, L); `return_indices` also returns
    the argmax positions (for `MaxUnpool`-style use)."""

    _fn = staticmethod(F.max_pool1d)


class _MaxUnpoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d: `forward(input, indices, output_size=None)` puts
    each value at its index (MaxPool1d's `return_indices`) in zeros of length
    (L_in - 1) * stride - 2 * padding + kernel_size, or `output_size`."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d: `forward(input, indices, output_size=None)` puts
    each value at its index (MaxPool2d's `return_indices`) in zeros of (H_in - 1) *
    stride - 2 * padding + kernel_size per dim, or `output_size`."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride if stride is not None else kernel_size)
        self.padding = _pair(padding)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class AvgPool1d(Module):
    """Mean over kernel windows of (N, C, L) or (C, L); `count_include_pad` counts the
    zero padding in the divisor."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    """AvgPool2d's and AvgPool3d's arguments, kept as given (stride None: the kernel size)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Mean over kernel windows of (N, C, H, W)."""

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average over windows that tile (H, W) into `output_size`."""

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average over windows that tile L into `output_size`: (N, C, L) -> (N, C, output_size)."""

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._fn(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over windows that tile (H, W) into `output_size` (int, pair, None = keep);
    `return_indices` also returns the argmax (flat in each H * W plane, for MaxUnpool2d)."""

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over windows that tile L into `output_size`: (N, C, L) -> (N, C, output_size);
    `return_indices` also returns the argmax positions (for MaxUnpool1d)."""

    _fn = staticmethod(F.adaptive_max_pool1d)


class MaxPool3d(_MaxPoolNd):
    """Max over kernel windows of (N, C, D, H, W) or (C, D, H, W); `return_indices`
    adds the argmax (flat in each D * H * W volume, for MaxUnpool3d)."""

    _fn = staticmethod(F.max_pool3d)


class AvgPool3d(_AvgPoolNd):
    """Mean over kernel windows of (N, C, D, H, W) or (C, D, H, W); `count_include_pad`
    counts the zero padding in the divisor, `divisor_override` replaces the divisor."""

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average over windows that tile (D, H, W) into `output_size` (int, triple, None = keep)."""

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max over windows that tile (D, H, W) into `output_size` (int, triple, None =
    keep); `return_indices` also returns the argmax (flat in each volume, for MaxUnpool3d)."""

    _fn = staticmethod(F.adaptive_max_pool3d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d: `forward(input, indices, output_size=None)` puts
    each value at its index (MaxPool3d's `return_indices`) in zeros of (D_in - 1) *
    stride - 2 * padding + kernel_size per dim, or `output_size`."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _triple(kernel_size)
        self.stride = _triple(stride if stride is not None else kernel_size)
        self.padding = _triple(padding)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
