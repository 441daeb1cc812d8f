"""Rearrangements of channels: pixel_shuffle/pixel_unshuffle (channels <-> spatial
blocks, for sub-pixel convolution) and channel_shuffle (ShuffleNet). Each is a
reshape, a permute and a reshape, checked as PyTorch checks them."""
from autograd_lite.extend import ShapeError

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]


def _check(input, factor, op, name):
    if input.ndim < 3:
        raise ShapeError(f"{op} expects input to have at least 3 dimensions, but got input with "
                         f"{input.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    _check(input, r, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by "
                         f"the square of upscale_factor, but input.size(-3)={c} is not divisible by "
                         f"{r * r}")
    k = len(lead)
    x = input.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    x = x.permute(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return x.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = int(downscale_factor)
    _check(input, r, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    for size, dim, what in ((h, -2, "height"), (w, -1, "width")):
        if size % r:
            raise ShapeError(f"pixel_unshuffle expects {what} to be divisible by downscale_factor, "
                             f"but input.size({dim})={size} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return x.reshape(tuple(lead) + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """(N, C, *) with the channels read group-major and written group-minor: channel
    g * (C / groups) + i goes to i * groups + g."""
    if input.ndim <= 2:
        raise ShapeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                         f"{list(input.shape)}")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(f"channel_shuffle: Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise ShapeError(f"channel_shuffle: Number of channels must be divisible by groups. Got {c} channels and "
                         f"{groups} groups.")
    x = input.reshape((n, groups, c // groups) + tuple(rest))
    return x.transpose(1, 2).reshape(tuple(input.shape))
