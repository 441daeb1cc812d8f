"""Fused optimizer updates: one pass over memory per parameter instead of the 6-15
NumPy passes of the same update (see optim/ for the NumPy reference path).

Each kernel takes 1-d contiguous arrays of one dtype (float32 or float64) and scalar
coefficients already cast to that dtype by the caller, so the arithmetic runs in the
parameter's precision with the operations in PyTorch's order (torch's CPU kernels
compute float32 updates in float32). No literal constants appear in the arithmetic,
since an int or float literal would promote float32 to float64.

`error_model="numpy"` lets LLVM vectorise the divisions (the default Python error
model checks every division for zero). Every kernel has a serial form and a
`parallel=True` form (`prange`); `pick(serial, parallel, n)` chooses by size, since
starting threads costs more than a small update.
"""
import math

from ._numba import njit, prange

# Below this many elements the serial kernel is faster (measured: thread start-up
# ~3 us against ~0.7 ns per element for Adam on one core).
PARALLEL_MIN = 1 << 15


def pick(serial, parallel, n):
    return parallel if n >= PARALLEL_MIN else serial


def _lerp(a, b, w, w1, hi):
    """torch.lerp's two-sided form: a + w(b - a) for w < 0.5, else b - (b - a)(1 - w)."""
    if hi:
        return b - (b - a) * w1
    return a + w * (b - a)


_lerp_nb = njit(inline="always", error_model="numpy")(_lerp)


# ---- SGD -------------------------------------------------------------------------------
def _sgd_body(p, g, buf, i, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = gi + wd * p[i]
    if has_mom:
        if init_buf:
            b = gi
        else:
            b = buf[i] * momentum + alpha_g * gi
        buf[i] = b
        if nesterov:
            gi = gi + momentum * b
        else:
            gi = b
    p[i] = p[i] + neg_lr * gi


_sgd_body_nb = njit(inline="always", error_model="numpy")(_sgd_body)


@njit(cache=True, error_model="numpy")
def sgd_serial(p, g, buf, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov):
    for i in range(p.size):
        _sgd_body_nb(p, g, buf, i, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov)


@njit(cache=True, error_model="numpy", parallel=True)
def sgd_parallel(p, g, buf, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov):
    for i in prange(p.size):
        _sgd_body_nb(p, g, buf, i, neg_lr, wd, momentum, alpha_g, maximize, has_wd, has_mom, init_buf, nesterov)


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
        gi = gi + wd * pi
    mi = _lerp_nb(m[i], gi, w, w1, hi)
    m[i] = mi
    vi = v[i] * b2 + omb2 * gi * gi
    v[i] = vi
    if amsgrad:
        vm = vmax[i]
        if vi > vm or vi != vi:  # torch.maximum: NaN wins
            vm = vi
        vmax[i] = vm
        vi = vm
    p[i] = pi + neg_step * (mi / (math.sqrt(vi) / bc2_sqrt + eps))


_adam_body_nb = njit(inline="always", error_model="numpy")(_adam_body)


@njit(cache=True, error_model="numpy")
def adam_serial(p, g, m, v, vmax, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
                maximize, wd_mode, amsgrad, hi):
    for i in range(p.size):
        _adam_body_nb(p, g, m, v, vmax, i, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
                      maximize, wd_mode, amsgrad, hi)


@njit(cache=True, error_model="numpy", parallel=True)
def adam_parallel(p, g, m, v, vmax, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
                  maximize, wd_mode, amsgrad, hi):
    for i in prange(p.size):
        _adam_body_nb(p, g, m, v, vmax, i, decay, wd, w, w1, b2, omb2, bc2_sqrt, eps, neg_step,
                      maximize, wd_mode, amsgrad, hi)


# ---- RMSprop ---------------------------------------------------------------------------
def _rmsprop_body(p, g, sq, gavg, buf, i, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                  maximize, has_wd, centered, has_mom, hi):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = gi + wd * p[i]
    s = sq[i] * alpha + oma * gi * gi
    sq[i] = s
    if centered:
        ga = _lerp_nb(gavg[i], gi, w, w1, hi)
        gavg[i] = ga
        avg = math.sqrt(s - ga * ga) + eps
    else:
        avg = math.sqrt(s) + eps
    if has_mom:
        b = buf[i] * momentum + gi / avg
        buf[i] = b
        p[i] = p[i] + neg_lr * b
    else:
        p[i] = p[i] + neg_lr * (gi / avg)


_rmsprop_body_nb = njit(inline="always", error_model="numpy")(_rmsprop_body)


@njit(cache=True, error_model="numpy")
def rmsprop_serial(p, g, sq, gavg, buf, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                   maximize, has_wd, centered, has_mom, hi):
    for i in range(p.size):
        _rmsprop_body_nb(p, g, sq, gavg, buf, i, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                         maximize, has_wd, centered, has_mom, hi)


@njit(cache=True, error_model="numpy", parallel=True)
def rmsprop_parallel(p, g, sq, gavg, buf, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                     maximize, has_wd, centered, has_mom, hi):
    for i in prange(p.size):
        _rmsprop_body_nb(p, g, sq, gavg, buf, i, neg_lr, wd, alpha, oma, w, w1, eps, momentum,
                         maximize, has_wd, centered, has_mom, hi)


# ---- Adagrad ---------------------------------------------------------------------------
def _adagrad_body(p, g, acc, i, neg_clr, wd, eps, maximize, has_wd):
    gi = g[i]
    if maximize:
        gi = -gi
    if has_wd:
        gi = gi + wd * p[i]
    s = acc[i] + gi * gi
    acc[i] = s
    p[i] = p[i] + neg_clr * (gi / (math.sqrt(s) + eps))


_adagrad_body_nb = njit(inline="always", error_model="numpy")(_adagrad_body)


@njit(cache=True, error_model="numpy")
def adagrad_serial(p, g, acc, neg_clr, wd, eps, maximize, has_wd):
    for i in range(p.size):
        _adagrad_body_nb(p, g, acc, i, neg_clr, wd, eps, maximize, has_wd)


@njit(cache=True, error_model="numpy", parallel=True)
def adagrad_parallel(p, g, acc, neg_clr, wd, eps, maximize, has_wd):
    for i in prange(p.size):
        _adagrad_body_nb(p, g, acc, i, neg_clr, wd, eps, maximize, has_wd)
