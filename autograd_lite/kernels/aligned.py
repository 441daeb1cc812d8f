"""Cache-line (64-byte) aligned arrays for the buffers that GEMMs and vectorised
kernels stream through.

NumPy's allocator (glibc malloc) aligns data to 16 bytes only. A misaligned AVX-512
row load or store splits a cache line, and MKL's gemm and the cell kernels lose
for it: the LSTM time loop (32x128 @ 128x512 and one cell kernel per step) took
48.9 us a step with every buffer 64-byte aligned against 55.8 us with every one 16
bytes past (interleaved A/B, one thread). PyTorch's CPU allocator aligns to 64 bytes.

`empty(shape, dtype)` allocates a block 64 bytes larger and returns the aligned
array over it. The block is an `AlignedBlock` (an ndarray subclass): its type marks
the arrays made here, so `owns_memory(a)` tells such an array from a view of it,
as `a.base is None` does for np.empty's arrays (NumPy's views of the array name the
array as their base, not the block). Arrays under MIN_BYTES come from np.empty:
finding the address costs ~1 us, more than a small array's work can win back.
"""
import math

import numpy as np

ALIGN = 64
MIN_BYTES = 64 * 1024
SMALL_TRANSPOSE = 128 * 1024


class AlignedBlock(np.ndarray):
    """The bytes behind one aligned array (see the module docstring)."""


def empty(shape, dtype):
    """np.empty(shape, dtype), C-contiguous, its data 64-byte aligned when large."""
    dtype = np.dtype(dtype)
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    block = AlignedBlock(shape=(nbytes + ALIGN,), dtype=np.uint8)
    return np.ndarray(shape, dtype, buffer=block, offset=-block.ctypes.data % ALIGN)


def empty_like(a):
    """`empty(a.shape, a.dtype)`."""
    return empty(a.shape, a.dtype)


def copy(a, dtype=None):
    """A C-contiguous copy of `a` (cast to `dtype`) in a buffer from `empty`."""
    out = empty(a.shape, a.dtype if dtype is None else dtype)
    out[...] = a
    return out


def transposed(a, scale=None, block=64):
    """A C-contiguous copy of a.T for 2-D `a` (rows times `scale` first, if given), in
    a buffer from `empty`. Copied a block of `block` rows at a time: each block's
    reads and writes stay in cache (NumPy's copy of a transposed view took 82 us for
    a 512 x 128 float32 array, by blocks 50). Up to SMALL_TRANSPOSE bytes, one call
    (512 x 33: 11 us against 27 by blocks)."""
    rows = a.shape[0]
    out = empty((a.shape[1], rows), a.dtype)
    if a.nbytes <= SMALL_TRANSPOSE:
        block = max(rows, 1)
    for i in range(0, rows, block):
        part = a[i:i + block].T
        if scale is None:
            out[:, i:i + block] = part
        else:
            np.multiply(part, scale[i:i + block], out=out[:, i:i + block])
    return out


def zeros(shape, dtype):
    """np.zeros in a buffer from `empty`."""
    out = empty(shape, dtype)
    out[...] = 0
    return out


def owns_memory(a):
    """True if `a` is not a view: np.empty's arrays (base None) and `empty`'s."""
    base = a.base
    return base is None or type(base) is AlignedBlock
