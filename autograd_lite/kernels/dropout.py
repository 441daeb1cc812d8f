"""Dropout masks in one pass, from a counter-based generator.

Element i of a call's mask is kept when a hash of (seed, i) (SplitMix64's output
function over the counter seed + (i + 1) * golden gamma, which passes BigCrush as a
generator) falls at or above p in its top 24 bits: one pass over memory, no array of
draws, and chunks of the array can be made in any order or on any thread with the same
result. The seed is drawn from autograd_lite's generator, so `ag.manual_seed` makes a
mask repeatable (its stream differs from PyTorch's, as every random op's does).

NumPy's way (a float array of draws, a comparison, a cast, a product: ~5 ns an element
here) dominated a Transformer encoder's training step's element-wise work; this is
~1 ns an element. Arrays are flat and C-contiguous (the caller reshapes); large ones
split over the threads `set_num_threads` allows (the same mask whatever the split).
"""
import numpy as np

from ._numba import njit
from .workers import split

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
BITS = 24  # the draw's resolution: keep where draw >= threshold = ceil(p * 2^24)


def threshold(p):
    """The integer threshold in [0, 2^24] for keeping an element with probability 1 - p."""
    return min(1 << BITS, int(np.ceil(p * (1 << BITS))))


@njit(inline="always")
def _draw(seed, i):
    """24 uniform bits for element i."""
    z = seed + np.uint64(i + 1) * _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return z >> np.uint64(64 - BITS)


@njit(cache=True, nogil=True)
def mask(seed, cut, scale, out, start):
    """out[i] = scale where draw(seed, start + i) >= cut, else 0."""
    zero = out.dtype.type(0)
    for i in range(out.size):
        out[i] = scale if _draw(seed, start + i) >= cut else zero


@njit(cache=True, nogil=True)
def apply(x, seed, cut, scale, out, keep, start):
    """keep = mask(seed, cut, scale) and out = x * keep, in one pass."""
    zero = out.dtype.type(0)
    for i in range(out.size):
        m = scale if _draw(seed, start + i) >= cut else zero
        keep[i] = m
        out[i] = x[i] * m


def make_mask(seed, p, out):
    """out (flat, float) <- the mask keep / (1 - p) for `seed` (np.uint64)."""
    cut = np.uint64(threshold(p))
    scale = out.dtype.type(1 / (1 - p))
    split(lambda lo, hi: mask(seed, cut, scale, out[lo:hi], lo), out.size, out.size)


def apply_mask(x, seed, p, out, keep):
    """keep <- the mask for `seed`, out <- x * keep (flat arrays of x's float dtype)."""
    cut = np.uint64(threshold(p))
    scale = out.dtype.type(1 / (1 - p))
    split(lambda lo, hi: apply(x[lo:hi], seed, cut, scale, out[lo:hi], keep[lo:hi], lo), x.size, 3 * x.size)
