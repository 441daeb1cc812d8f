"""Accurate sums along any axes, on ndarrays: what sum, mean, var/std, norm, logsumexp,
the norm layers' NumPy forms and the gradient reductions (sum_to, biases) add with.

NumPy sums pairwise only along the axis its inner loop runs on (the one of smallest
stride); along any other axis each output element is a running sum of n terms, whose
rounding error grows with n (a float32 column of 5,000,000 x 0.1 sums to 478,275).
Here the axes of a reduction are first merged where memory allows; the innermost
axis, if reduced, is left to NumPy (pairwise); every other reduced axis longer than
`BLOCK` is cut into blocks: each block is summed with a running sum of at most BLOCK
terms (or, when the rows NumPy would add are short, pairwise after a transposing
copy of a chunk), and the block sums are summed the same way again, so the error
grows with log(n), as in PyTorch's cascade sum. Floats narrower than 4 bytes
(float16, bfloat16, any such dtype) are accumulated in float32, as PyTorch does, so
a float16 sum or mean doesn't stall or overflow on the way.
"""
import numpy as np

BLOCK = 128  # terms a running sum may add up (NumPy's pairwise sum has leaves of 128 too)
MIN_ROW = 16  # shorter rows make NumPy's running sum slow: transpose chunks instead
CHUNK = 1 << 15  # elements per transposed copy
_add_reduce = np.add.reduce
_float32 = np.dtype(np.float32)


def accumulation_dtype(dtype):
    """The dtype to add `dtype`'s values in: float32 for floats narrower than 4 bytes
    (float16, bfloat16, ...), else None (the dtype itself)."""
    if dtype.itemsize < 4 and dtype.kind not in "biu":
        return _float32
    return None


def accurate_sum(x, axes, keepdims=False, dtype=None):
    """np.add.reduce(x, axes, dtype, keepdims=keepdims) with an error that grows as
    log(n), not n, along every axis (`axes`: a tuple of non-negative axes). The result
    has `dtype`, else x's dtype (narrow floats are accumulated in float32)."""
    if dtype is None and len(axes) == 1 and x.shape[axes[0]] <= BLOCK and x.dtype.itemsize >= 4:
        return _add_reduce(x, axes, None, None, keepdims)  # the common case (a bias's gradient): one call
    out_dtype = x.dtype if dtype is None else np.dtype(dtype)
    narrow = out_dtype.itemsize < 4 and out_dtype.kind not in "biu"
    # NumPy takes a dtype equal to the input's through a slower, buffered loop
    reduce_dtype = _float32 if narrow else (None if out_dtype == x.dtype else out_dtype)
    n = 1
    for a in axes:
        n *= x.shape[a]
    if n <= BLOCK or out_dtype.kind in "biu" or not x.size or _one_inner_loop(x, axes):
        out = _add_reduce(x, axes, reduce_dtype, None, keepdims)
    else:
        out = _blocked_sum(x, axes, reduce_dtype)
        if keepdims:
            out = out.reshape([1 if i in axes else n for i, n in enumerate(x.shape)])
    if narrow:
        with np.errstate(over="ignore"):  # a float16 sum past 65,504 is inf, as in PyTorch
            out = out.astype(out_dtype)
    return out


def accurate_mean(x, axes, keepdims=False):
    """The mean over `axes` of float `x`: `accurate_sum` divided in the accumulation
    dtype (a float16 mean over more than 65,504 elements is finite), cast back."""
    n = 1
    for a in axes:
        n *= x.shape[a]
    acc = accumulation_dtype(x.dtype)
    s = np.asarray(accurate_sum(x, axes, keepdims, acc))
    if n:
        out = s / s.dtype.type(n)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean: nan, silently
            out = s / s.dtype.type(n)
    return out if acc is None else out.astype(x.dtype)


def _one_inner_loop(x, axes):
    """Whether `axes` are the last axes of a C-contiguous x: NumPy then adds them in
    one pairwise inner loop."""
    k = len(axes)
    nd = x.ndim
    return axes[0] == nd - k and axes[-1] == nd - 1 and x.flags.c_contiguous


def _blocked_sum(x, axes, dtype):
    """The sum over `axes` (dropped) of x, in memory order: the axes are sorted by
    stride and merged, the kept ones put back in their order at the end."""
    nd = x.ndim
    order = sorted(range(nd), key=lambda i: -abs(x.strides[i]))  # outermost first
    y, reduced = _merged_view(x.transpose(order), [j for j in range(nd) if order[j] in axes])
    out = _sum_view(y, reduced, dtype)
    kept = [i for i in order if i not in axes]
    out = out.reshape([x.shape[i] for i in kept])
    back = sorted(range(len(kept)), key=lambda j: kept[j])
    if back != list(range(len(kept))):
        out = np.ascontiguousarray(out.transpose(back))
    return out


def _merged_view(x, axes):
    """x as a view without its size-1 axes and with neighbouring axes merged where
    memory allows (both reduced or both kept); and the view's reduced axes."""
    shape, strides, is_reduced = [], [], []
    for i, (n, s) in enumerate(zip(x.shape, x.strides)):
        if n == 1:
            continue
        r = i in axes
        if shape and is_reduced[-1] == r and strides[-1] == s * n:
            shape[-1] *= n
            strides[-1] = s
        else:
            shape.append(n)
            strides.append(s)
            is_reduced.append(r)
    y = x.reshape(shape)  # a view: only axes whose memory allows it are merged
    return y, [i for i, r in enumerate(is_reduced) if r]


def _sum_view(y, reduced, dtype):
    """Sum the merged view y over its axes `reduced`, keeping them as size 1."""
    if not reduced:
        return _add_reduce(y, (), dtype, None, True)
    inner = min(range(y.ndim), key=lambda i: abs(y.strides[i]))
    if inner in reduced:  # NumPy's inner loop: pairwise along it
        y = _add_reduce(y, inner, dtype, None, True)
        dtype = None
        reduced = [a for a in reduced if a != inner]
    for a in reduced:
        y = _sum_axis(y, a, dtype)
        dtype = None
    return y


def _sum_axis(x, a, dtype):
    """Sum x along axis `a` (not its innermost), keeping it as size 1, in blocks."""
    n = x.shape[a]
    if n <= BLOCK:
        return _add_reduce(x, a, dtype, None, True)
    stride = abs(x.strides[a])
    row = 1  # elements NumPy adds per step of its running sum
    for m, s in zip(x.shape, x.strides):
        if abs(s) < stride:
            row *= m
    before = (slice(None),) * a
    if row >= MIN_ROW:
        q, r = divmod(n, BLOCK)
        head = x[before + (slice(0, q * BLOCK),)]
        head = head.reshape(x.shape[:a] + (q, BLOCK) + x.shape[a + 1:])  # a view: one axis split
        parts = [_add_reduce(head, a + 1, dtype)]
        if r:
            parts.append(_add_reduce(x[before + (slice(q * BLOCK, n),)], a, dtype, None, True))
    else:  # pairwise along a, on chunks copied with a innermost
        step = max(BLOCK, CHUNK * n // x.size)
        parts = []
        for start in range(0, n, step):
            chunk = np.ascontiguousarray(np.moveaxis(x[before + (slice(start, start + step),)], a, -1))
            parts.append(np.moveaxis(_add_reduce(chunk, -1, dtype, None, True), -1, a))
    partial = parts[0] if len(parts) == 1 else np.concatenate(parts, a)
    return _sum_axis(partial, a, None)
