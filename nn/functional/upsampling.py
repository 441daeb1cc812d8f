"""interpolate and its deprecated aliases with PyTorch's arguments (size or
scale_factor, mode, align_corners); the ops are autograd_lite.ops.resample's and,
for 'area', adaptive average pooling."""
import functools
import math
import numbers

import numpy as np

import autograd_lite as ag

from autograd_lite.extend import ShapeError
from autograd_lite.ops import resample

from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]


def _spatial_sizes(input, size, scale_factor, recompute_scale_factor, nd):
    spatial = tuple(input.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        sizes = (size,) * nd if isinstance(size, numbers.Integral) else tuple(size)
        if len(sizes) != nd:
            raise ValueError(f"interpolate: Input and output must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {list(spatial)} and output size of "
                             f"{list(sizes)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                             f"and output size in (o1, o2, ...,oK) format.")
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
        return tuple(int(s) for s in sizes), (None,) * nd
    factors = (scale_factor,) * nd if isinstance(scale_factor, numbers.Real) else tuple(scale_factor)
    if len(factors) != nd:
        raise ValueError(f"interpolate: Input and scale_factor must have the same number of spatial dimensions, "
                         f"but got input with spatial dimensions of {list(spatial)} and scale_factor of shape "
                         f"{list(factors)}.")
    sizes = tuple(math.floor(float(n) * float(f)) for n, f in zip(spatial, factors))
    scales = (None,) * nd if recompute_scale_factor else tuple(float(f) for f in factors)
    return sizes, scales


_LINEAR_DIMS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_LAYOUT = {3: "(N, C, L)", 4: "(N, C, H, W)", 5: "(N, C, D, H, W)"}


def _check_mode(input, mode, align_corners, antialias):
    """PyTorch's errors for a mode and its options; NotImplementedError for what it has and we don't."""
    if mode in _LINEAR_DIMS:
        need = _LINEAR_DIMS[mode]
        if input.ndim != need:
            raise NotImplementedError(f"interpolate: got {input.ndim}-D input of shape {tuple(input.shape)}, "
                                      f"but mode {mode!r} needs {need}-D {_LAYOUT[need]} input")
    elif mode not in ("nearest", "nearest-exact", "area"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented (modes: 'nearest', "
                                  f"'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area')")
    elif align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    elif input.ndim not in (3, 4, 5):
        raise ShapeError(f"interpolate: expected 3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W) "
                         f"input for mode {mode!r}, got shape {tuple(input.shape)}")
    if antialias and mode not in ("bilinear", "bicubic"):
        raise ValueError("interpolate: anti-alias option is only supported for bilinear and bicubic modes")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to `size` or by
    `scale_factor`, mode 'nearest' (PyTorch's default), 'nearest-exact', 'linear' (3-D),
    'bilinear' (4-D), 'bicubic' (4-D; cubic convolution with A = -0.75, which may
    overshoot the input's range, as PyTorch's), 'trilinear' (5-D) or 'area' (adaptive
    average pooling); 'nearest', 'nearest-exact' and 'area' take any of the three.
    align_corners (the interpolating modes only) defaults to False, as in PyTorch.
    antialias=True (bilinear and bicubic) widens the filter when downsampling so every
    input pixel counts (PyTorch's and Pillow's antialiasing; its bicubic uses
    A = -0.5)."""
    _check_mode(input, mode, align_corners, antialias)
    if input.dtype not in (np.float32, np.float64, ag.bfloat16):
        raise TypeError(f"interpolate: expected a float32, float64 or bfloat16 input, got {input.dtype}")
    nd = input.ndim - 2
    sizes, scales = _spatial_sizes(input, size, scale_factor, recompute_scale_factor, nd)
    if min(sizes) < 1 or min(input.shape[2:]) < 1:
        raise ShapeError(f"interpolate: input {tuple(input.shape)} and output sizes {sizes} must be positive")
    if mode in _LINEAR_DIMS:
        resize = resample.bicubic if mode == "bicubic" else resample.linear
        if antialias:
            resize = functools.partial(resample.antialiased, cubic=mode == "bicubic")
        if input.dtype == ag.bfloat16:  # weights and sums in float32, rounded once (as PyTorch)
            return resize(input.float(), sizes, scales, bool(align_corners)).bfloat16()
        return resize(input, sizes, scales, bool(align_corners))
    if mode == "area":  # the scales are unused: PyTorch recomputes them for 'area'
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1](input, sizes)
    return resample.nearest(input, sizes, scales, mode == "nearest-exact")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (kept, as PyTorch keeps it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated in PyTorch too: bilinear with align_corners=True."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
