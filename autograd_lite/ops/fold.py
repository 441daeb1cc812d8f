"""unfold (sliding blocks of an image as columns, im2col) and fold (columns summed back
into an image, col2im): two ops, each the other's adjoint, so each one's backward is
the other and every order of derivative works. The data moves in the convolution's
Numba kernels (kernels/conv_gemm.py, float32/float64; other float dtypes go through
float32, which is exact for a copy); nn.functional checks the arguments."""
from collections import namedtuple

import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import KERNEL_DTYPES


Blocks = namedtuple("Blocks", "kernel stride padding dilation image blocks")
Blocks.__doc__ = """The geometry of sliding blocks: (h, w) pairs for the kernel, stride,
top/left padding (also bottom/right) and dilation, the image size and the number of
blocks along each spatial dim."""


def _in_kernel_dtype(a):
    return a if a.dtype in KERNEL_DTYPES else a.astype(np.float32)


def unfold_array(x, b):
    """(N, C, H, W) -> (N, C * kh * kw, L), L = blocks_h * blocks_w."""
    cols = kernels.conv_gemm.unfold(_in_kernel_dtype(x), b.kernel, b.stride, b.padding, b.dilation, b.blocks)
    return cols.astype(x.dtype, copy=False)


def fold_array(cols, b, channels):
    """(N, C * kh * kw, L) -> (N, C, H, W), overlapping entries summed."""
    shape = (cols.shape[0], channels) + tuple(b.image)
    x = kernels.conv_gemm.fold(_in_kernel_dtype(cols), shape, b.kernel, b.stride, b.padding, b.dilation, b.blocks)
    return x.astype(cols.dtype, copy=False)


class Unfold(Op):
    """The columns of x (N, C, H, W); backward: fold."""

    def forward(ctx, x, blocks):
        ctx.blocks, ctx.channels = blocks, x.shape[1]
        return unfold_array(x, blocks)

    def backward(ctx, g):
        return Fold.apply(g, ctx.blocks, ctx.channels)

    def fast_backward(ctx, g):
        return fold_array(g, ctx.blocks, ctx.channels)


class Fold(Op):
    """The image summed from columns (N, C * kh * kw, L); backward: unfold."""

    def forward(ctx, cols, blocks, channels):
        ctx.blocks = blocks
        return fold_array(cols, blocks, channels)

    def backward(ctx, g):
        return Unfold.apply(g, ctx.blocks)

    def fast_backward(ctx, g):
        return unfold_array(g, ctx.blocks)


def unfold(input, blocks):
    """input (N, C, H, W) as columns (N, C * kh * kw, L); `blocks` a checked Blocks."""
    return Unfold.apply(input, blocks)


def fold(input, blocks, channels):
    """columns (N, channels * kh * kw, L) summed into (N, channels, H, W)."""
    return Fold.apply(input, blocks, channels)
