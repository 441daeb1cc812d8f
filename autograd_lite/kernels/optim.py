"""Fused optimizer updates: one pass over memory per parameter instead of the 6-15
NumPy passes of the same update (see optim/ for the NumPy reference path).

Each kernel takes 1-d contiguous arrays of one dtype (float32 or float64) and scalar
coefficients already cast to that dtype by the caller, so the arithmetic runs in the
parameter's precision with the operations in PyTorch's order (torch's CPU kernels
compute float32 updates in float32). No literal constants appear in the arithmetic,
since an int or float literal would promote float32 to float64.

PyTorch's vectorised CPU kernels round `add(a, b, alpha)`, `addcmul` and `lerp` once,
as a fused multiply-add; `fma` below is LLVM's, so these kernels give PyTorch's
numbers bit for bit where its kernels use FMA (x86-64 with AVX2, the common case),
and within a rounding otherwise. `addcdiv(a, b, c, value)` is `a + (value * b) / c`.

Measured (benchmarks/optim_update.py, one step over the mlp_large parameters, 1.8M
float32 elements, 1 thread): NumPy path 4.3-11.8 ms, these kernels 1.5-2.4 ms (4-5x),
PyTorch's single-tensor step 1.6-9 ms; with 2 threads the kernels take 0.6-1.1 ms.

`error_model="numpy"` lets LLVM vectorise the divisions (the default Python error
model checks every division for zero). Each kernel is `specialised` on its flags
(maximize, weight decay, amsgrad, momentum...): compiled per combination a program
uses, with the flags as constants, so its loop has no branch (a conditional store
would keep LLVM from vectorising) and the first step compiles one loop, not one per
combination (Adam 0.34 -> ~0.1 s from an empty cache). The kernels release the GIL: `pick(kernel, n)` runs a big update on consecutive slices
over the threads `set_num_threads` allows (workers.split, the pool the convolutions
use; Numba's own `prange` threads spun next to it), since starting threads costs more
than a small update.
"""
import math

import numpy as np

from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

from ..threads import get_num_threads
from ._numba import njit, specialised
from .workers import split

# From this many elements a split update wins on 2 threads (the pool of workers.py,
# 2-core VM, one step of SGD with momentum / Adam on one parameter): 256K elements
# 92 / 171 us on one thread against 162 / 241 on two; 1M 432 / 677 against 297 / 452.
# Below, a region's handoffs cost more than the second core gives (benchmarks/NOTES.md).
PARALLEL_MIN = 1 << 19


def pick(kernel, n):
    """`kernel` itself, or for an update of n >= PARALLEL_MIN elements when threads
    were asked for (see threads.py), a callable that runs it on slices of its 1-d
    arrays of n elements (the scalars passed as they are) over those threads."""
    if n < PARALLEL_MIN or get_num_threads() == 1:
        return kernel

    def sliced(*args):
        size = args[0].size
        cut = [isinstance(a, np.ndarray) and a.ndim == 1 and a.size == size for a in args]

        def part(lo, hi):
            kernel(*[a[lo:hi] if c else a for a, c in zip(args, cut)])

        split(part, size, size * sum(cut))  # the elements the update touches

    return sliced


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with one rounding (llvm.fma); all three of one float type."""
    sig = a(a, a, a)

    def codegen(context, builder, signature, args):
        ty = context.get_value_type(signature.return_type)
        name = "llvm.fma.f32" if ty == ir.FloatType() else "llvm.fma.f64"
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ty, [ty, ty, ty]), name)
        return builder.call(fn, args)

    return sig, codegen


def _lerp(a, b, w, w1, hi):
    """torch.lerp's two-sided form: a + w(b - a) for w < 0.5, else b - (b - a)(1 - w)."""
    if hi:
        return fma(-(b - a), w1, b)
    return fma(w, b - a, a)


_lerp_nb = njit(inline="always", error_model="numpy")(_lerp)


# ---- SGD -------------------------------------------------------------------------------
def _sgd_body(p, g, buf, i, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = fma(wd, p[i], gi)
    if has_mom:
        if init_buf:
            b = gi
        else:
            b = fma(alpha_g, gi, buf[i] * momentum)
        buf[i] = b
        if nesterov:
            gi = fma(momentum, b, gi)
        else:
            gi = b
    p[i] = fma(neg_lr, gi, p[i])


_sgd_body_nb = njit(inline="always", error_model="numpy")(_sgd_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def sgd_serial(maximize, has_wd, has_mom, init_buf, nesterov):
    def sgd(p, g, buf, neg_lr, wd, momentum, alpha_g):
        for i in range(p.size):
            _sgd_body_nb(p, g, buf, i, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov)
    return sgd


# ---- Adam / AdamW ----------------------------------------------------------------------
def _adam_body(p, g, m, v, vmax, i, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
               maximize, wd_mode, amsgrad, hi):
    gi = g[i]
    if maximize:
        gi = -gi
    pi = p[i]
    if wd_mode == 2:  # decoupled (AdamW): p *= 1 - lr * wd before the update
        pi = pi * decay
    elif wd_mode == 1:  # L2: g += wd * p
        gi = fma(wd, pi, gi)
    mi = _lerp_nb(m[i], gi, w, w1, hi)
    m[i] = mi
    vi = fma(omb2 * gi, gi, v[i] * b2)
    v[i] = vi
    if amsgrad:
        vm = vmax[i]
        if vi > vm or vi != vi:  # torch.maximum: NaN wins
            vm = vi
        vmax[i] = vm
        vi = vm
    p[i] = pi + (neg_step * mi) / (math.sqrt(vi) / bc2_sqrt + eps)


_adam_body_nb = njit(inline="always", error_model="numpy")(_adam_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def adam_serial(maximize, wd_mode, amsgrad, hi):
    def adam(p, g, m, v, vmax, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step):
        for i in range(p.size):
            _adam_body_nb(p, g, m, v, vmax, i, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
                          maximize, wd_mode, amsgrad, hi)
    return adam


# ---- RMSprop ---------------------------------------------------------------------------
def _rmsprop_body(p, g, sq, gavg, buf, i, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                  maximize, has_wd, centered, has_mom, hi):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = fma(wd, p[i], gi)
    s = fma(oma * gi, gi, sq[i] * alpha)
    sq[i] = s
    if centered:
        ga = _lerp_nb(gavg[i], gi, w, w1, hi)
        gavg[i] = ga
        avg = math.sqrt(fma(-ga, ga, s)) + eps
    else:
        avg = math.sqrt(s) + eps
    if has_mom:
        b = buf[i] * momentum + gi / avg
        buf[i] = b
        p[i] = fma(neg_lr, b, p[i])
    else:
        p[i] = p[i] + (neg_lr * gi) / avg


_rmsprop_body_nb = njit(inline="always", error_model="numpy")(_rmsprop_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def rmsprop_serial(maximize, has_wd, centered, has_mom, hi):
    def rmsprop(p, g, sq, gavg, buf, neg_lr, wd, alpha, oma, w, w1, eps, momentum):
        for i in range(p.size):
            _rmsprop_body_nb(p, g, sq, gavg, buf, i, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                             maximize, has_wd, centered, has_mom, hi)
    return rmsprop


# ---- Adagrad ---------------------------------------------------------------------------
def _adagrad_body(p, g, acc, i, neg_clr, wd, eps, maximize, has_wd):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = fma(wd, p[i], gi)
    s = fma(gi, gi, acc[i])
    acc[i] = s
    p[i] = p[i] + (neg_clr * gi) / (math.sqrt(s) + eps)


_adagrad_body_nb = njit(inline="always", error_model="numpy")(_adagrad_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def adagrad_serial(maximize, has_wd):
    def adagrad(p, g, acc, neg_clr, wd, eps):
        for i in range(p.size):
            _adagrad_body_nb(p, g, acc, i, neg_clr, wd, eps, maximize, has_wd)
    return adagrad
