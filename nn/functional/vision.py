"""grid_sample and affine_grid (spatial transformers) with PyTorch's arguments and
checks; the ops are autograd_lite.ops.grid_sample's."""
import warnings

import numpy as np

import autograd_lite as ag

from autograd_lite.extend import ShapeError
from autograd_lite.ops import grid_sample as _ops

__all__ = ["affine_grid", "grid_sample"]

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_FLOATS = (np.float32, np.float64, ag.bfloat16)
_DEFAULT_ALIGN = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                  "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                  "documentation of grid_sample for details.")


def _align(align_corners):
    if align_corners is None:
        warnings.warn(_DEFAULT_ALIGN, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample `input` (N, C, H, W) at `grid` (N, H_out, W_out, 2), or (N, C, D, H, W) at
    (N, D_out, H_out, W_out, 3), whose last dim holds normalised (x, y[, z]) in [-1, 1]
    (-1: the first pixel; align_corners=True: its centre, False: its outer edge).
    Output `(N, C, *out)`. `mode` 'bilinear' (trilinear on 5-D input), 'nearest' or
    'bicubic' (4-D only); `padding_mode` 'zeros', 'border' or 'reflection' for points
    outside the image. align_corners=None warns and means False, as in PyTorch.
    Differentiable in input and grid, twice (nearest gives the grid a zero gradient).
    Raises ValueError for an unknown mode or padding, RuntimeError (ShapeError) for
    shapes that don't fit, TypeError for dtypes that differ or aren't floating."""
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: {mode!r}")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: {padding_mode!r}")
    if not isinstance(input, ag.Tensor) or not isinstance(grid, ag.Tensor):
        raise TypeError(f"grid_sample(): expected Tensors for input and grid, got "
                        f"{type(input).__name__} and {type(grid).__name__}")
    if input.dtype not in _FLOATS or grid.dtype != input.dtype:
        raise TypeError(f"grid_sample(): expected input and grid of one floating dtype (float32, float64 "
                        f"or bfloat16), got input {input.dtype} and grid {grid.dtype}")
    shape, gshape = tuple(input.shape), tuple(grid.shape)
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise ShapeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of "
                         f"dimensions, but got input with sizes {list(shape)} and grid with sizes "
                         f"{list(gshape)}")
    nd = input.ndim - 2
    if gshape[0] != shape[0]:
        raise ShapeError(f"grid_sampler(): expected grid and input to have same batch size, but got input "
                         f"with sizes {list(shape)} and grid with sizes {list(gshape)}")
    if gshape[-1] != nd:
        raise ShapeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid "
                         f"with sizes {list(gshape)}")
    for d in range(2, input.ndim):
        if shape[d] == 0:
            raise ShapeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but "
                             f"input has sizes {list(shape)} with dimension {d} being empty")
    if mode == "bicubic" and nd != 2:
        raise ShapeError(f"grid_sampler(): bicubic interpolation only supports 4D input, got input with "
                         f"sizes {list(shape)}")
    return _ops.grid_sample(input, grid, _MODES[mode], _PADDINGS[padding_mode], _align(align_corners))


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps `theta`: (N, 2, 3) for size (N, C, H, W) gives
    (N, H, W, 2); (N, 3, 4) for size (N, C, D, H, W) gives (N, D, H, W, 3). Each output
    point is theta @ (x, y[, z], 1) over the normalised pixel positions of `size`
    (align_corners as in grid_sample; None warns and means False). Differentiable in
    theta to any order. Raises ValueError for a theta that doesn't fit `size` or isn't
    floating, NotImplementedError for sizes other than 4-D and 5-D."""
    if not isinstance(theta, ag.Tensor):
        raise TypeError(f"affine_grid(): expected a Tensor theta, got {type(theta).__name__}")
    if theta.dtype not in _FLOATS:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    k = len(size) - 2
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size {size}. "
                         f"Got {tuple(theta.shape)}.")
    if theta.shape[0] != size[0]:
        raise ShapeError(f"affine_grid(): theta holds {theta.shape[0]} matrices but size {size} asks "
                         f"for a batch of {size[0]}")
    align = _align(align_corners)
    if align and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the "
                      "documentation of affine_grid for details.", UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"affine_grid(): expected non-zero, positive output size. Got {size}.")
    return _ops.affine_grid(theta, size, align)
