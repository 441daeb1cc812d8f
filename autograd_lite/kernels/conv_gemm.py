"""2-D convolutions as GEMMs over chunks of samples, the chunks spread over threads.

Each call cuts the batch into chunks whose columns fit a core's cache (CHUNK_BYTES)
and runs every chunk start to end on one thread: im2col (kernels/conv.py), one GEMM
per group (BLAS, one thread), the pass into NCHW or col2im (workers.py runs the
chunks). The weight gradient is a sum over samples: each task adds its chunks'
GEMMs into a partial sum of its own, and the partial sums are added in task order.
Columns are not kept from the forward pass for the weight gradient: rebuilding a
chunk's columns in the backward pass, in cache, costs less than writing them all to
memory and reading them back (benchmarks/NOTES.md has the measurements).

`geo` is the caller's geometry (ops/conv.py's Geometry: kernel, stride, top/left
padding, dilation, groups, in_hw, out_hw, `wide` = the stride-1 layout, and `row`
= the length of one output row in the columns). Arrays are float32 or float64, all
of one dtype, validated by the caller; these functions make them contiguous.
"""
import numpy as np

from ..threads import get_num_threads
from . import background, blas
from . import conv as K
from . import conv_fused
from .workers import run, task_count

CHUNK_BYTES = 384 * 1024  # one chunk's columns and GEMM output: well inside a core's L2
FUSED_ON_ONE_THREAD = [False]  # the tests run the fused driver on one thread too
# The fused driver links every kernel of this module: ~8 s of CPU to compile from an
# empty cache. It compiles on a helper thread from a layer's second forward call; until
# it is ready, convolutions run their chunks from Python on one thread (on several,
# the chunks' hand-offs of the GIL made steps slower than on one), with the same bits.
FUSED = {dtype: background.Job(f"the fused {dtype} convolution driver",
                               lambda dtype=dtype: conv_fused.chunks.compile(conv_fused.SIGNATURES[dtype]))
         for dtype in conv_fused.SIGNATURES}


class _Plan:
    """Sizes, chunking and the kernels' arguments for one call. Each chunk is first
    copied into a zero-padded buffer (unless no padding is needed), from which the
    kernels read without bounds tests: the wide layout for stride 1, else a gather
    through `off` (the offset of each output position's top-left tap in the padded
    plane)."""

    __slots__ = ("geo", "n", "c", "co", "g", "k", "l", "hp", "wp", "off", "padded", "b", "chunks", "dtype",
                 "threads")

    def __init__(self, geo, n, c, co, dtype):
        kh, kw = geo.kernel
        sh, sw = geo.stride
        dh, dw = geo.dilation
        pt, pl = geo.padding
        oh, ow = geo.out_hw
        h, w = geo.in_hw
        self.geo, self.n, self.c, self.co, self.g, self.dtype = geo, n, c, co, geo.groups, dtype
        self.threads = None  # as set_num_threads allows; 1 while the fused driver compiles
        self.k = c * kh * kw
        self.l = oh * geo.row
        self.hp = max(h + pt, (oh - 1) * sh + (kh - 1) * dh + 1)
        self.wp = max(w + pl, (ow - 1) * sw + (kw - 1) * dw + 1)
        self.off = None
        if geo.wide:
            self.wp = geo.row  # the same width
        else:
            self.off = ((np.arange(oh, dtype=np.int64) * (sh * self.wp))[:, None]
                        + np.arange(ow, dtype=np.int64) * sw).reshape(-1)
        self.padded = (self.hp, self.wp) != (h, w)
        per_sample = ((self.k + co) * self.l + (c * self.hp * self.wp if self.padded else 0)) * dtype.itemsize
        self.b = max(1, min(n, CHUNK_BYTES // max(per_sample, 1)))
        self.chunks = -(-n // self.b)

    def chunk(self, i):
        b0 = i * self.b
        return b0, min(self.b, self.n - b0)

    def task_chunks(self, t, tasks):
        return range(t * self.chunks // tasks, (t + 1) * self.chunks // tasks)

    def fused(self, weights=None):
        """The BLAS address kernels/conv_fused.py calls, on several threads (0: run
        chunk by chunk from Python). On one thread the Python-driven chunks hold no
        one up and compile in half the time (benchmarks/NOTES.md); groups, and a BLAS
        the kernels can't call, always take them. Until the driver is compiled (see
        FUSED; `weights`, a forward call's, tells a layer's second call), the chunks
        run from Python on one thread (`self.threads`)."""
        if self.g != 1 or (get_num_threads() == 1 and not FUSED_ON_ONE_THREAD[0]):
            return 0
        fn = blas.address(self.dtype)
        job = FUSED[self.dtype]
        if not fn or FUSED_ON_ONE_THREAD[0] or job.ready:
            return fn
        if weights is not None:
            background.request_on_second_call(job, weights)
        self.threads = 1
        return 0

    def run_fused(self, fn, tasks, src, gy, mask, out_y, out_x, wm, bias_y, bias_x, relu, parts, sums,
                  do_out, do_weight, do_in, clear_in):
        """conv_fused.chunks over `tasks` tasks, each a range of chunks in one kernel
        call; task t fills parts[t] (weight) and sums[t] (bias) when given."""
        geo = self.geo
        kh, kw = geo.kernel
        dh, dw = geo.dilation
        oh, ow = geo.out_hw
        dtype = self.dtype
        empty4, empty2, empty1 = _NO_MASK[dtype], _EMPTY2[dtype], _EMPTY1[dtype]
        wt = np.ascontiguousarray(wm.T) if do_in else empty2
        shape = (self.k, self.co) if self.k > self.co else (self.co, self.k)
        off = _NO_OFF if self.off is None else self.off
        args = (self.b, self.co, self.k, empty4 if src is None else src, empty4 if gy is None else gy,
                empty4 if mask is None else mask, empty4 if out_y is None else out_y,
                empty4 if out_x is None else out_x, wm, wt, empty1 if bias_y is None else bias_y,
                empty1 if bias_x is None else bias_x, relu)
        layout = (geo.padding[0], geo.padding[1], self.hp, self.wp, self.padded, bool(geo.wide), off, kh, kw,
                  dh, dw, oh, ow, geo.row, do_out, do_weight, do_in, clear_in)

        def task(t):
            acc = np.empty(shape, dtype) if do_weight else empty2
            bias_sums = np.zeros(self.co) if sums is not None else _NO_SUMS
            c0, c1 = t * self.chunks // tasks, (t + 1) * self.chunks // tasks
            conv_fused.chunks(fn, c0, c1, *args, acc, bias_sums, *layout)
            if do_weight:
                parts[t] = acc
            if sums is not None:
                sums[t] = bias_sums

        run(task, tasks)

    def weights(self, w):
        """w (Co, C/G, kh, kw) as (Co, K) or (G, Co/G, K/G)."""
        w = np.ascontiguousarray(w, dtype=self.dtype)
        return w.reshape(self.co, self.k // self.g) if self.g == 1 else w.reshape(self.g, self.co // self.g, -1)

    def groups(self, a):
        """(rows, ...) -> (rows, cols) or (G, rows/G, cols): the GEMM operand of a chunk."""
        rows = a.shape[0]
        return a.reshape(rows, -1) if self.g == 1 else a.reshape(self.g, rows // self.g, -1)

    def columns(self, x, b0, nb, clean):
        """(K, nb, L) columns of samples b0 .. b0 + nb of x; with `clean`, the wide
        layout's gaps are zeros whenever the samples hold inf or nan."""
        geo = self.geo
        kh, kw = geo.kernel
        dh, dw = geo.dilation
        oh, ow = geo.out_hw
        cols = np.empty((self.k, nb, self.l), self.dtype)
        if self.padded:
            xp = np.empty((nb, self.c, self.hp, self.wp), self.dtype)
            K.pad_chunk(x, b0, geo.padding[0], geo.padding[1], xp)
        else:
            xp = x[b0:b0 + nb]
        if not geo.wide:
            K.im2col_gather(xp, self.off, kh, kw, dh, dw, cols)
            return cols
        K.im2col_wide(xp, kh, kw, dh, dw, oh, ow, cols)
        if clean and not K.all_finite(x, b0, nb):
            K.clear_gaps(cols, geo.row, ow)
        return cols

    def grad_columns(self, gy, b0, nb, relu_out=None, bias_sums=None):
        """(Co, nb, OH, row) from samples b0 .. b0 + nb of gy (N, Co, OH, OW); masked by
        a fused ReLU's output, and each channel's sum added to `bias_sums`, if given."""
        gc = np.empty((self.co, nb, self.geo.out_hw[0], self.geo.row), self.dtype)
        sums = _NO_SUMS if bias_sums is None else bias_sums
        if relu_out is None:
            K.grad_columns_plain(gy, b0, gc, sums)
        else:
            K.grad_columns_masked(gy, b0, gc, relu_out, sums)
        return gc

    def weight_part(self, gc, cols, acc=None):
        """One chunk's share of the weight gradient from its gradient columns gc (Co,
        nb * L) and columns (K, nb * L) (or per group): gc @ cols.T, computed as
        (cols @ gc.T).T when K > Co, which OpenBLAS runs faster (126 against 102
        GFLOP/s for Co 64, K 288; 80 against 45 for Co 16, K 150). Added into `acc`
        (the task's sum so far) by the gemm itself, as kernels/conv_fused.py does,
        for the same bits."""
        a, b = (cols, gc.swapaxes(-1, -2)) if self.k > self.co else (gc, cols.swapaxes(-1, -2))
        if acc is None:
            return blas.matmul(a, b, like_kernels=True)  # (K, Co) when K > Co: transposed at the end
        return blas.matmul_add(a, b, acc)

    def weight_sum(self, parts, out=None):
        """The weight gradient (Co, C/G, kh, kw) from the tasks' partial sums (into
        `out`, a C-contiguous array of that shape, if given)."""
        total = _sum_parts(parts)
        if self.k > self.co:
            total = total.swapaxes(-1, -2)
        if out is not None:
            out.reshape(total.shape)[...] = total
            return out
        kh, kw = self.geo.kernel
        return np.ascontiguousarray(total).reshape(self.co, self.c // self.g, kh, kw)

    def scatter(self, dcols, out, b0, bias):
        """out[b0 .. b0 + nb] = col2im(dcols) + bias."""
        geo = self.geo
        kh, kw = geo.kernel
        dh, dw = geo.dilation
        oh, ow = geo.out_hw
        nb = dcols.shape[1]
        direct = not self.padded and not bias.size
        xp = out[b0:b0 + nb] if direct else np.empty((nb, self.c, self.hp, self.wp), self.dtype)
        if geo.wide:
            K.col2im_wide(dcols, kh, kw, dh, dw, oh, ow, xp)
        else:
            K.col2im_scatter(dcols, self.off, kh, kw, dh, dw, xp)
        if not direct:
            K.crop_chunk(xp, geo.padding[0], geo.padding[1], out, b0, bias)


def _check(geo, what, x_shape, w_shape, gy_shape, bias=None, bias_len=0):
    """The shapes and geometry the kernels rely on (they check no bounds): raises
    ValueError naming `what` otherwise."""
    kernel, stride, padding, dilation = (tuple(geo.kernel), tuple(geo.stride), tuple(geo.padding),
                                         tuple(geo.dilation))
    if min(kernel + stride + dilation) < 1 or min(padding + tuple(geo.out_hw)) < 0 or geo.groups < 1:
        raise ValueError(f"{what}: bad geometry kernel={kernel} stride={stride} padding={padding} "
                         f"dilation={dilation} groups={geo.groups} output={tuple(geo.out_hw)}")
    n, c = x_shape[:2]
    co = w_shape[0]
    ok = (len(x_shape) == 4 and tuple(x_shape[2:]) == tuple(geo.in_hw) and len(w_shape) == 4
          and tuple(w_shape[2:]) == kernel and w_shape[1] * geo.groups == c and co % geo.groups == 0
          and tuple(gy_shape) == (n, co) + tuple(geo.out_hw)
          and (bias is None or bias.shape == (bias_len,)))
    if not ok:
        raise ValueError(f"{what}: shapes don't fit: input {tuple(x_shape)}, weight {tuple(w_shape)}, "
                         f"output {tuple(gy_shape)}" + ("" if bias is None else f", bias {bias.shape}")
                         + f" for kernel {kernel}, groups {geo.groups}, sizes {tuple(geo.in_hw)} -> "
                         f"{tuple(geo.out_hw)}")


_NO_MASK = {np.dtype(t): np.empty((0, 0, 0, 0), t) for t in (np.float32, np.float64)}
_EMPTY2 = {np.dtype(t): np.empty((0, 0), t) for t in (np.float32, np.float64)}
_EMPTY1 = {np.dtype(t): np.empty(0, t) for t in (np.float32, np.float64)}
_NO_SUMS = np.empty(0)
_NO_OFF = np.empty(0, np.int64)


def _fused_tasks(chunks):
    """Tasks for a call without partial sums: one per thread on one thread, a few per
    thread on several (one slowed down by another process takes fewer)."""
    threads = get_num_threads()
    return 1 if threads == 1 else min(chunks, 2 * threads)


def _contiguous(a, dtype):
    return np.ascontiguousarray(a, dtype=dtype)


def _bias(b, dtype):
    return np.empty(0, dtype) if b is None else _contiguous(b, dtype).reshape(-1)


def _sum_parts(parts):
    total = parts[0]
    for p in parts[1:]:
        total += p
    return total


def forward(x, w, b, geo, relu=False):
    """conv2d: x (N, C, H, W), w (Co, C/G, kh, kw), b (Co,) or None -> (N, Co, OH, OW);
    with `relu`, followed by a ReLU in the same pass."""
    dtype = x.dtype
    x = _contiguous(x, dtype)
    n, c = x.shape[:2]
    co = w.shape[0]
    oh, ow = geo.out_hw
    bias = _bias(b, dtype)
    _check(geo, "conv2d", x.shape, w.shape, (n, co, oh, ow), None if b is None else bias, co)
    out = np.empty((n, co, oh, ow), dtype)
    if n == 0:
        return out
    plan = _Plan(geo, n, c, co, dtype)
    wm = plan.weights(w)
    fn = plan.fused(w)
    if fn:
        plan.run_fused(fn, _fused_tasks(plan.chunks), x, None, None, out, None, wm, bias, None, relu, None, None,
                       True, False, False, False)
        return out

    def task(i):
        b0, nb = plan.chunk(i)
        cols = plan.columns(x, b0, nb, False)
        y = np.empty((co, nb, oh, geo.row), dtype)
        blas.matmul(wm, plan.groups(cols), out=plan.groups(y), like_kernels=True)
        K.output_pass_kernel(relu, bias)(y, bias, ow, out, b0)

    run(task, plan.chunks, threads=plan.threads)
    return out


def transpose(gy, w, b, geo):
    """conv_transpose2d, the adjoint of `forward` in x: gy (N, Co, OH, OW), w (Co,
    C/G, kh, kw), b (C,) or None -> (N, C, H, W) with (H, W) = geo.in_hw."""
    dtype = gy.dtype
    gy = _contiguous(gy, dtype)
    n, co = gy.shape[:2]
    c = w.shape[1] * geo.groups
    bias = _bias(b, dtype)
    _check(geo, "conv_transpose2d", (n, c) + tuple(geo.in_hw), w.shape, gy.shape, None if b is None else bias, c)
    out = np.empty((n, c) + tuple(geo.in_hw), dtype)
    if n == 0:
        return out
    plan = _Plan(geo, n, c, co, dtype)
    wt = plan.weights(w).swapaxes(-1, -2)  # (K, Co) or (G, K/G, Co/G), a transposed view
    clear = geo.wide and not np.isfinite(w).all()  # 0 * inf in the gaps would be nan
    fn = plan.fused(w)
    if fn:
        plan.run_fused(fn, _fused_tasks(plan.chunks), None, gy, None, None, out, plan.weights(w), None, bias, False,
                       None, None, False, False, True, bool(clear))
        return out

    def task(i):
        b0, nb = plan.chunk(i)
        gc = plan.grad_columns(gy, b0, nb)
        dcols = np.empty((plan.k, nb, plan.l), dtype)
        blas.matmul(wt, plan.groups(gc), out=plan.groups(dcols), like_kernels=True)
        if clear:
            K.clear_gaps(dcols, geo.row, geo.out_hw[1])
        plan.scatter(dcols, out, b0, bias)

    run(task, plan.chunks, threads=plan.threads)
    return out


def weight_grad(x, gy, geo):
    """The gradient of sum(gy * conv2d(x, w)) for w: x (N, C, H, W), gy (N, Co, OH,
    OW) -> (Co, C/G, kh, kw)."""
    dtype = x.dtype
    return _backward(_contiguous(x, dtype), None, _contiguous(gy, dtype), geo, False, True, False, None)[1]


def backward(x, w, gy, geo, need_input, need_weight, need_bias=False, relu_out=None, weight_out=None):
    """conv2d's gradients (for x, w, b) in one pass over the chunks: each chunk's
    gradient columns serve all three. With `relu_out`, the gradient of relu(conv2d)
    (the output `forward(..., relu=True)` gave); the weight's into `weight_out` if
    given (a C-contiguous array of w's shape and dtype). None where not needed."""
    dtype = x.dtype
    if relu_out is not None:
        relu_out = _contiguous(relu_out, dtype)
        if relu_out.shape != gy.shape:
            raise ValueError(f"conv2d backward: the ReLU's output {relu_out.shape} doesn't match the gradient "
                             f"{tuple(gy.shape)}")
    return _backward(_contiguous(x, dtype), w, _contiguous(gy, dtype), geo, need_input, need_weight, need_bias,
                     relu_out, weight_out)


def _backward(x, w, gy, geo, need_input, need_weight, need_bias, relu_out, weight_out=None):
    dtype = x.dtype
    n, c = x.shape[:2]
    co = gy.shape[1]
    kh, kw = geo.kernel
    _check(geo, "conv2d backward", x.shape, (co, c // max(geo.groups, 1), kh, kw) if w is None else w.shape,
           gy.shape)
    gx = np.empty(x.shape, dtype) if need_input else None
    if n == 0:
        gw = np.zeros((co, c // geo.groups, kh, kw), dtype) if need_weight else None
        return gx, gw, np.zeros(co, dtype) if need_bias else None
    plan = _Plan(geo, n, c, co, dtype)
    partial = need_weight or need_bias
    tasks = task_count(plan.chunks, partial_sums=partial)
    parts = [None] * tasks
    sums = [None] * tasks
    clear = bool(need_input and geo.wide and not np.isfinite(w).all())  # 0 * inf in the gaps would be nan
    fn = plan.fused()
    if fn:
        plan.run_fused(fn, tasks, x, gy, relu_out, None, gx, plan.weights(w) if need_input else _EMPTY2[dtype],
                       None, None, False, parts, sums if need_bias else None, False, need_weight, need_input, clear)
    else:
        run(_backward_task(plan, tasks, x, w, gy, relu_out, gx, need_input, need_weight, need_bias, parts, sums,
                           clear), tasks, threads=plan.threads)
    gw = plan.weight_sum(parts, weight_out) if need_weight else None
    gb = _sum_parts(sums).astype(dtype) if need_bias else None
    return gx, gw, gb


def _backward_task(plan, tasks, x, w, gy, relu_out, gx, need_input, need_weight, need_bias, parts, sums, clear):
    """conv2d's backward, one task's chunks driven from Python (groups, or a BLAS the
    kernels can't call)."""
    dtype, co, geo = plan.dtype, plan.co, plan.geo
    wt = plan.weights(w).swapaxes(-1, -2) if need_input else None
    no_bias = _bias(None, dtype)

    def task(t):
        acc = None
        bias_sums = np.zeros(co) if need_bias else None
        for i in plan.task_chunks(t, tasks):
            b0, nb = plan.chunk(i)
            gc = plan.groups(plan.grad_columns(gy, b0, nb, relu_out, bias_sums))
            if need_weight:
                cols = plan.columns(x, b0, nb, True)
                acc = plan.weight_part(gc, plan.groups(cols), acc)
            if need_input:
                dcols = np.empty((plan.k, nb, plan.l), dtype)
                blas.matmul(wt, gc, out=plan.groups(dcols), like_kernels=True)
                if clear:
                    K.clear_gaps(dcols, geo.row, geo.out_hw[1])
                plan.scatter(dcols, gx, b0, no_bias)
        parts[t], sums[t] = acc, bias_sums

    return task


def transpose_backward(gy, w, g, geo, need_gy, need_weight):
    """conv_transpose2d's gradients, for its input gy (= conv2d(g, w)) and for w (=
    weight_grad(g, gy)), in one pass: each chunk's columns of g serve both."""
    dtype = gy.dtype
    gy = _contiguous(gy, dtype)
    g = _contiguous(g, dtype)
    n, co = gy.shape[:2]
    c = g.shape[1]
    kh, kw = geo.kernel
    oh, ow = geo.out_hw
    _check(geo, "conv_transpose2d backward", g.shape, w.shape, gy.shape)
    dgy = np.empty(gy.shape, dtype) if need_gy else None
    if n == 0:
        dw = np.zeros((co, c // geo.groups, kh, kw), dtype) if need_weight else None
        return dgy, dw
    plan = _Plan(geo, n, c, co, dtype)
    tasks = task_count(plan.chunks, partial_sums=need_weight)
    parts = [None] * tasks
    wm = plan.weights(w) if need_gy else None
    no_bias = _bias(None, dtype)
    fn = plan.fused()
    if fn:
        plan.run_fused(fn, tasks, g, gy, None, dgy, None, _EMPTY2[dtype] if wm is None else wm, None, None, False,
                       parts, None, need_gy, need_weight, False, False)
        return dgy, plan.weight_sum(parts) if need_weight else None

    def task(t):
        acc = None
        for i in plan.task_chunks(t, tasks):
            b0, nb = plan.chunk(i)
            cols = plan.groups(plan.columns(g, b0, nb, need_weight))
            if need_gy:
                y = np.empty((co, nb, oh, geo.row), dtype)
                blas.matmul(wm, cols, out=plan.groups(y), like_kernels=True)
                K.output_copy(y, no_bias, ow, dgy, b0)
            if need_weight:
                gc = plan.groups(plan.grad_columns(gy, b0, nb))
                acc = plan.weight_part(gc, cols, acc)
        parts[t] = acc

    run(task, tasks, threads=plan.threads)
    dw = plan.weight_sum(parts) if need_weight else None
    return dgy, dw


# ---- unfold / fold (nn.Unfold, nn.Fold): the columns alone, sample-major ---------------------------------
class SlidingBlocks:
    """The geometry `_Plan` reads, for unfold/fold: no groups, and the gather layout
    whatever the stride (one column per block, no wide gaps)."""

    __slots__ = ("kernel", "stride", "padding", "dilation", "groups", "in_hw", "out_hw", "wide", "row")

    def __init__(self, kernel, stride, padding, dilation, in_hw, out_hw):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.groups, self.in_hw, self.out_hw, self.wide, self.row = 1, in_hw, out_hw, False, out_hw[1]


def unfold(x, kernel, stride, padding, dilation, out_hw):
    """Sliding blocks of x (N, C, H, W) as columns (N, C * kh * kw, OH * OW); `padding`
    is the top/left padding, zeros implicit."""
    dtype = x.dtype
    x = _contiguous(x, dtype)
    geo = SlidingBlocks(tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), x.shape[2:], tuple(out_hw))
    n, c = x.shape[:2]
    _check(geo, "unfold", x.shape, (0, c) + geo.kernel, (n, 0) + geo.out_hw)
    plan = _Plan(geo, n, c, 0, dtype)
    out = np.empty((n, plan.k, plan.l), dtype)

    def task(i):
        b0, nb = plan.chunk(i)
        out[b0:b0 + nb] = plan.columns(x, b0, nb, False).transpose(1, 0, 2)

    if n:
        run(task, plan.chunks, blas=False)
    return out


def fold(cols, shape, kernel, stride, padding, dilation, out_hw):
    """The adjoint of `unfold`: columns (N, C * kh * kw, OH * OW) summed back into an
    array of `shape` (N, C, H, W)."""
    dtype = cols.dtype
    geo = SlidingBlocks(tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), tuple(shape[2:]),
                        tuple(out_hw))
    n, c = shape[:2]
    _check(geo, "fold", shape, (0, c) + geo.kernel, (n, 0) + geo.out_hw)
    plan = _Plan(geo, n, c, 0, dtype)
    if cols.shape != (n, plan.k, plan.l):
        raise ValueError(f"fold: columns of shape {cols.shape} don't fit {tuple(shape)}, kernel {geo.kernel} "
                         f"and {geo.out_hw} blocks")
    out = np.empty(tuple(shape), dtype)
    no_bias = _bias(None, dtype)

    def task(i):
        b0, nb = plan.chunk(i)
        plan.scatter(np.ascontiguousarray(cols[b0:b0 + nb].transpose(1, 0, 2)), out, b0, no_bias)

    if n:
        run(task, plan.chunks, blas=False)
    return out
