"""Data movement for 2-D convolutions, one chunk of samples at a time: patch extraction
(im2col), its adjoint (col2im), and the passes between a GEMM's layout and NCHW.
The GEMMs stay in NumPy (BLAS); conv_gemm.py drives these kernels chunk by chunk.

Column layout of a chunk of B samples: (C * kh * kw, B, OH * row). Row
`(c * kh + i) * kw + j` holds the input pixels that kernel tap (i, j) of channel c
sees at every output position of every sample of the chunk; with groups the rows
split evenly into (G, C/G * kh * kw, B * OH * row). The kernels read a zero-padded
copy of the chunk (`pad_chunk`), so they test no bounds:

- any stride: row = OW, and output position p of tap (i, j) is the pixel at a fixed
  offset `off[p]` from the tap's top-left pixel: one gather per (tap, sample).
- stride 1, the "wide" layout: row = Wp, the padded width. The pixels tap (i, j)
  reads for all output rows then lie back to back in the padded plane, so one
  (tap, sample) pair is a single copy of (OH - 1) * Wp + OW elements. The Wp - OW
  extra entries of each output row are not zeroed (that costs as much as the copy):
  they hold the pixels that follow, which the GEMM turns into output columns that
  are dropped, or multiplies by the zero gradients at the same place; for a chunk
  holding inf or nan (`all_finite`) the caller zeroes them (0 * inf is nan).

Every kernel releases the GIL (the chunks run on several Python threads) and loops
over slices taken at non-negative offsets, element by element: Numba then drops its
negative-index test from the inner loops, which vectorise (col2im ran 5x faster so,
and an explicit copy loop 3-4x faster than a slice assignment).
"""
from ._numba import flat, njit  # (which also tunes the allocator: see _malloc)


# ---- any stride: gather through per-position offsets -------------------------------------------------
@njit(cache=True, nogil=True)
def im2col_gather(xp, off, kh, kw, dh, dw, cols):
    """cols (C * kh * kw, B, L) <- the padded chunk xp (B, C, Hp, Wp): entry p of tap
    (i, j)'s row is the pixel at offset i * dh * Wp + j * dw + off[p] of its plane
    (off[p] = o * sh * Wp + q * sw for output position p = o * OW + q)."""
    nb, c, hp, wp = xp.shape
    n_out = off.size
    xf = flat(xp)
    cf = flat(cols)
    plane = hp * wp
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                row = (ci * kh + i) * kw + j
                tap = i * dh * wp + j * dw
                for b in range(nb):
                    s = (b * c + ci) * plane + tap
                    src = xf[s:s + plane - tap]
                    d = (row * nb + b) * n_out
                    dst = cf[d:d + n_out]
                    for p in range(n_out):
                        dst[p] = src[off[p]]


@njit(cache=True, nogil=True)
def col2im_scatter(cols, off, kh, kw, dh, dw, xp):
    """xp (B, C, Hp, Wp) = the columns (C * kh * kw, B, L) of `im2col_gather` summed
    back onto their pixels of the padded chunk."""
    nb, c, hp, wp = xp.shape
    n_out = off.size
    xf = flat(xp)
    cf = flat(cols)
    plane = hp * wp
    for q in range(xf.size):
        xf[q] = 0
    for ci in range(c):
        for b in range(nb):  # the (b, ci) plane stays in L1 over the taps
            for i in range(kh):
                for j in range(kw):
                    row = (ci * kh + i) * kw + j
                    tap = i * dh * wp + j * dw
                    s = (b * c + ci) * plane + tap
                    dst = xf[s:s + plane - tap]
                    d = (row * nb + b) * n_out
                    src = cf[d:d + n_out]
                    for p in range(n_out):  # distinct offsets: no two p meet
                        dst[off[p]] += src[p]


# ---- padded chunks; the wide layout (stride 1, row = Wp) ---------------------------------------------
@njit(cache=True, nogil=True)
def pad_chunk(x, b0, pt, pl, xp):
    """xp (B, C, Hp, Wp) <- samples b0 .. b0 + B of x (N, C, H, W) at (pt, pl), zeros
    around."""
    nb, c, hp, wp = xp.shape
    h, w = x.shape[2], x.shape[3]
    xf = flat(xp)
    sf = flat(x)
    for q in range(xf.size):  # zero everything, then copy: 2x faster than row by row
        xf[q] = 0
    for b in range(nb):
        for ci in range(c):
            d = ((b * c + ci) * hp + pt) * wp + pl
            s = ((b0 + b) * c + ci) * h * w
            for r in range(h):  # a slice per row: the copies vectorise
                dst = xf[d + r * wp:d + r * wp + w]
                src = sf[s + r * w:s + (r + 1) * w]
                for q in range(w):
                    dst[q] = src[q]


@njit(cache=True, nogil=True)
def all_finite(x, b0, nb):
    """No inf or nan in samples b0 .. b0 + nb of x."""
    values = flat(x[b0:b0 + nb])
    bad = 0
    for q in range(values.size):
        v = values[q]
        bad |= v - v != 0
    return bad == 0


@njit(cache=True, nogil=True)
def im2col_wide(xp, kh, kw, dh, dw, oh, ow, cols):
    """cols (C * kh * kw, B, OH * Wp) <- the padded chunk xp (B, C, Hp, Wp), stride 1."""
    nb, c, hp, wp = xp.shape
    xf = flat(xp)
    cf = flat(cols)
    plane = hp * wp
    lsz = oh * wp
    run = (oh - 1) * wp + ow
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                row = (ci * kh + i) * kw + j
                for b in range(nb):
                    d = (row * nb + b) * lsz
                    s = (b * c + ci) * plane + i * dh * wp + j * dw
                    dst = cf[d:d + lsz]
                    src = xf[s:s + run]
                    for q in range(run):  # one long copy (3-4x faster than slice assignment)
                        dst[q] = src[q]
                    for q in range(run, lsz):
                        dst[q] = 0


@njit(cache=True, nogil=True)
def col2im_wide(cols, kh, kw, dh, dw, oh, ow, xp):
    """xp (B, C, Hp, Wp) = wide columns summed back onto the padded chunk. The columns'
    entries q >= OW of each output row must be zero."""
    nb, c, hp, wp = xp.shape
    xf = flat(xp)
    cf = flat(cols)
    plane = hp * wp
    lsz = oh * wp
    run = (oh - 1) * wp + ow
    for q in range(xf.size):
        xf[q] = 0
    for ci in range(c):
        for b in range(nb):  # the (b, ci) plane stays in L1 over the taps
            for i in range(kh):
                for j in range(kw):
                    row = (ci * kh + i) * kw + j
                    s = (row * nb + b) * lsz
                    d = (b * c + ci) * plane + i * dh * wp + j * dw
                    dst = xf[d:d + run]
                    src = cf[s:s + run]
                    for q in range(run):
                        dst[q] += src[q]


@njit(cache=True, nogil=True)
def crop_chunk(xp, pt, pl, x, b0, bias):
    """x[b0 .. b0 + B] = the padded chunk xp (B, C, Hp, Wp) without its padding, + bias
    (C,) per channel (an empty bias adds nothing)."""
    nb, c, hp, wp = xp.shape
    h, w = x.shape[2], x.shape[3]
    xf = flat(x)
    pf = flat(xp)
    zero = x.dtype.type(0)
    for b in range(nb):
        for ci in range(c):
            v = bias[ci] if bias.size else zero
            s = ((b * c + ci) * hp + pt) * wp + pl
            d = ((b0 + b) * c + ci) * h * w
            for r in range(h):
                src = pf[s + r * wp:s + r * wp + w]
                dst = xf[d + r * w:d + (r + 1) * w]
                if bias.size:
                    for q in range(w):
                        dst[q] = src[q] + v
                else:
                    for q in range(w):
                        dst[q] = src[q]


def clear_gaps(cols, row, ow):
    """Zero the entries q >= OW of every output row of wide columns (in place)."""
    cols.reshape(-1, row)[:, ow:] = 0


# ---- between the GEMM's layout (Co, B, OH, row) and NCHW ------------------------------------------
@njit(cache=True, nogil=True)
def output_pass(y, bias, ow, out, b0, relu):
    """out[b0 + b, c] = y[c, b, :, :OW] + bias[c]: a GEMM result (Co, B, OH, row) into
    (N, Co, OH, OW) (an empty bias adds nothing); with `relu`, max(., 0) as ReLU does
    (NaN stays NaN, -0.0 becomes 0). One of the three passes below, each its own
    kernel so that a program compiles only those it uses (LeNet's first step: the ReLU
    one, 0.15 s of compile time instead of 0.43)."""
    if relu:
        output_relu(y, bias, ow, out, b0)
    elif bias.size:
        output_bias(y, bias, ow, out, b0)
    else:
        output_copy(y, bias, ow, out, b0)


@njit(inline="always")
def _runs(oh, ow, row):
    """(elements per run, runs per plane): one run per plane in the gather layout."""
    return (oh * ow, 1) if row == ow else (ow, oh)


@njit(cache=True, nogil=True)
def output_relu(y, bias, ow, out, b0):
    """output_pass with ReLU. The branches sit outside the row loops and each row is a
    slice of its own: so the loops vectorise."""
    co, nb, oh, row = y.shape
    yf = flat(y)
    of = flat(out)
    zero = out.dtype.type(0)
    n, runs = _runs(oh, ow, row)
    for b in range(nb):
        for c in range(co):
            v = bias[c] if bias.size else zero
            s = (c * nb + b) * oh * row
            d = ((b0 + b) * co + c) * oh * ow
            for o in range(runs):
                sr = yf[s + o * row:s + o * row + n]
                dr = of[d + o * ow:d + o * ow + n]
                for q in range(n):
                    r = sr[q] + v
                    dr[q] = zero if r <= zero else r


@njit(cache=True, nogil=True)
def output_bias(y, bias, ow, out, b0):
    """output_pass with a (non-empty) bias, no ReLU."""
    co, nb, oh, row = y.shape
    yf = flat(y)
    of = flat(out)
    n, runs = _runs(oh, ow, row)
    for b in range(nb):
        for c in range(co):
            v = bias[c]
            s = (c * nb + b) * oh * row
            d = ((b0 + b) * co + c) * oh * ow
            for o in range(runs):
                sr = yf[s + o * row:s + o * row + n]
                dr = of[d + o * ow:d + o * ow + n]
                for q in range(n):
                    dr[q] = sr[q] + v


@njit(cache=True, nogil=True)
def output_copy(y, bias, ow, out, b0):
    """output_pass with neither: no +0.0, so a -0.0 stays -0.0, as without a bias in
    PyTorch."""
    co, nb, oh, row = y.shape
    yf = flat(y)
    of = flat(out)
    n, runs = _runs(oh, ow, row)
    for b in range(nb):
        for c in range(co):
            s = (c * nb + b) * oh * row
            d = ((b0 + b) * co + c) * oh * ow
            for o in range(runs):
                sr = yf[s + o * row:s + o * row + n]
                dr = of[d + o * ow:d + o * ow + n]
                for q in range(n):
                    dr[q] = sr[q]


def output_pass_kernel(relu, bias):
    """The one of output_relu/output_bias/output_copy that output_pass would run, for
    callers in Python (calling it directly compiles only that one)."""
    return output_relu if relu else output_bias if bias.size else output_copy


@njit(cache=True, nogil=True)
def grad_columns(gy, b0, gc, relu_out, bias_sums):
    """gc (Co, B, OH, row) <- samples b0 .. b0 + B of gy (N, Co, OH, OW), zeros in the
    entries q >= OW. With a non-empty `relu_out` (the fused ReLU's output, like gy),
    only where it is not <= 0 (ReLU's gradient: NaN passes); with a non-empty
    `bias_sums` (Co,), each channel's sum of the result is added to it. One of the two
    kernels below, each compiled only when used."""
    if relu_out.size:
        grad_columns_masked(gy, b0, gc, relu_out, bias_sums)
    else:
        grad_columns_plain(gy, b0, gc, bias_sums)


@njit(inline="always")
def _gaps_and_sum(cf, d, oh, ow, row, zero, want_sum):
    """Zero the entries q >= OW of the rows of one (channel, sample) plane at d of the
    columns; returns the plane's sum if `want_sum` (else 0)."""
    if row != ow:
        for o in range(oh):
            dr = cf[d + o * row + ow:d + (o + 1) * row]
            for q in range(row - ow):
                dr[q] = zero
    t = 0.0
    if want_sum:
        dst = cf[d:d + oh * row]
        for p in range(oh * row):
            t += dst[p]
    return t


@njit(cache=True, nogil=True, fastmath={"reassoc"})  # the channel sums vectorise
def grad_columns_masked(gy, b0, gc, relu_out, bias_sums):
    """grad_columns with the fused ReLU's mask. Branches outside the row loops, a slice
    per row, as output_pass (10x faster on 16-wide rows than one flat index per plane,
    whose masked loop did not vectorise)."""
    co, nb, oh, row = gc.shape
    ow = gy.shape[3]
    gf = flat(gy)
    cf = flat(gc)
    mf = flat(relu_out)
    zero = gc.dtype.type(0)
    n, runs = _runs(oh, ow, row)
    for c in range(co):
        acc = 0.0
        for b in range(nb):
            s = ((b0 + b) * co + c) * oh * ow
            d = (c * nb + b) * oh * row
            for o in range(runs):
                sr = gf[s + o * ow:s + o * ow + n]
                mr = mf[s + o * ow:s + o * ow + n]
                dr = cf[d + o * row:d + o * row + n]
                for q in range(n):
                    dr[q] = zero if mr[q] <= zero else sr[q]
            if bias_sums.size or row != ow:
                acc += _gaps_and_sum(cf, d, oh, ow, row, zero, bias_sums.size > 0)
        if bias_sums.size:
            bias_sums[c] += acc


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def grad_columns_plain(gy, b0, gc, bias_sums):
    """grad_columns without a mask."""
    co, nb, oh, row = gc.shape
    ow = gy.shape[3]
    gf = flat(gy)
    cf = flat(gc)
    zero = gc.dtype.type(0)
    n, runs = _runs(oh, ow, row)
    for c in range(co):
        acc = 0.0
        for b in range(nb):
            s = ((b0 + b) * co + c) * oh * ow
            d = (c * nb + b) * oh * row
            for o in range(runs):
                sr = gf[s + o * ow:s + o * ow + n]
                dr = cf[d + o * row:d + o * row + n]
                for q in range(n):
                    dr[q] = sr[q]
            if bias_sums.size or row != ow:
                acc += _gaps_and_sum(cf, d, oh, ow, row, zero, bias_sums.size > 0)
        if bias_sums.size:
            bias_sums[c] += acc
