"""Fused updates of Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop: one pass over
memory per parameter, with the conventions of kernels/optim.py (1-d contiguous arrays
of one dtype, coefficients cast to it by the caller, no literal constants in the
arithmetic, PyTorch's order of operations, `fma` where PyTorch's vectorised kernels
fuse: add with alpha, addcmul, lerp). `addcdiv(a, b, c, value)` is `a + (value * b) / c`.
Each releases the GIL; `optim.pick` runs a big update over the threads.
"""
import math

from ._numba import njit, specialised
from .optim import _lerp_nb, fma


def _grad(gi, pi, wd, maximize, has_wd):
    """The gradient the update sees: negated for `maximize`, plus `wd * p` (L2). Helpers
    take scalars: a body inlined into another with arrays made LLVM's loops 4-100x slower."""
    if maximize:
        gi = -gi
    if has_wd:
        gi = fma(wd, pi, gi)
    return gi


_grad_nb = njit(inline="always", error_model="numpy")(_grad)


# ---- Adadelta --------------------------------------------------------------------------
def _adadelta_body(p, g, sq, acc, i, neg_lr, wd, rho, omr, eps, maximize, has_wd):
    gi = _grad_nb(g[i], p[i], wd, maximize, has_wd)
    s = fma(omr * gi, gi, sq[i] * rho)  # square_avg.mul_(rho).addcmul_(g, g, 1 - rho)
    sq[i] = s
    delta = math.sqrt(acc[i] + eps) / math.sqrt(s + eps) * gi
    acc[i] = fma(omr * delta, delta, acc[i] * rho)
    p[i] = fma(neg_lr, delta, p[i])


_adadelta_body_nb = njit(inline="always", error_model="numpy")(_adadelta_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def adadelta_serial(maximize, has_wd):
    def adadelta(p, g, sq, acc, neg_lr, wd, rho, omr, eps):
        for i in range(p.size):
            _adadelta_body_nb(p, g, sq, acc, i, neg_lr, wd, rho, omr, eps, maximize, has_wd)
    return adadelta


# ---- Adamax ----------------------------------------------------------------------------
def _adamax_body(p, g, m, u, i, wd, w, w1, b2, eps, neg_clr, maximize, has_wd, hi):
    gi = _grad_nb(g[i], p[i], wd, maximize, has_wd)
    mi = _lerp_nb(m[i], gi, w, w1, hi)
    m[i] = mi
    decayed = u[i] * b2
    a = abs(gi) + eps
    if a > decayed or a != a:  # torch.maximum: NaN wins
        decayed = a
    u[i] = decayed
    p[i] = p[i] + (neg_clr * mi) / decayed


_adamax_body_nb = njit(inline="always", error_model="numpy")(_adamax_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def adamax_serial(maximize, has_wd, hi):
    def adamax(p, g, m, u, wd, w, w1, b2, eps, neg_clr):
        for i in range(p.size):
            _adamax_body_nb(p, g, m, u, i, wd, w, w1, b2, eps, neg_clr, maximize, has_wd, hi)
    return adamax


# ---- NAdam / RAdam: the shared moment updates -------------------------------------------
def _moments(pi, gi, mi, vi, decay, wd, w, w1, b2, omb2, maximize, wd_mode, hi):
    """Decoupled (wd_mode 2) or L2 (1) weight decay, then m = lerp(m, g, 1 - beta1) and
    v = beta2 v + (1 - beta2) g g, on one element's values: returns the new (p, g, m, v)."""
    if maximize:
        gi = -gi
    if wd_mode == 2:
        pi = pi * decay
    elif wd_mode == 1:
        gi = fma(wd, pi, gi)
    mi = _lerp_nb(mi, gi, w, w1, hi)
    vi = fma(omb2 * gi, gi, vi * b2)
    return pi, gi, mi, vi


_moments_nb = njit(inline="always", error_model="numpy")(_moments)


def _nadam_body(p, g, m, v, i, decay, wd, w, w1, b2, omb2, bc2, eps, c_grad, c_avg, maximize, wd_mode, hi):
    pi, gi, mi, vi = _moments_nb(p[i], g[i], m[i], v[i], decay, wd, w, w1, b2, omb2, maximize, wd_mode, hi)
    m[i] = mi
    v[i] = vi
    denom = math.sqrt(vi / bc2) + eps
    pi = pi + (c_grad * gi) / denom
    p[i] = pi + (c_avg * mi) / denom


_nadam_body_nb = njit(inline="always", error_model="numpy")(_nadam_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def nadam_serial(maximize, wd_mode, hi):
    def nadam(p, g, m, v, decay, wd, w, w1, b2, omb2, bc2, eps, c_grad, c_avg):
        for i in range(p.size):
            _nadam_body_nb(p, g, m, v, i, decay, wd, w, w1, b2, omb2, bc2, eps, c_grad, c_avg, maximize, wd_mode, hi)
    return nadam


def _radam_body(p, g, m, v, i, decay, wd, w, w1, b2, omb2, bc1, lr, bc2_sqrt, eps, rect, one,
                maximize, wd_mode, hi, rectified):
    pi, gi, mi, vi = _moments_nb(p[i], g[i], m[i], v[i], decay, wd, w, w1, b2, omb2, maximize, wd_mode, hi)
    m[i] = mi
    v[i] = vi
    step = mi / bc1 * lr
    if rectified:  # * bc2_sqrt / (sqrt(v) + eps) * rect, a scalar over a tensor as torch's reciprocal
        step = step * (one / (math.sqrt(vi) + eps) * bc2_sqrt) * rect
    p[i] = pi - step


_radam_body_nb = njit(inline="always", error_model="numpy")(_radam_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def radam_serial(maximize, wd_mode, hi, rectified):
    def radam(p, g, m, v, decay, wd, w, w1, b2, omb2, bc1, lr, bc2_sqrt, eps, rect, one):
        for i in range(p.size):
            _radam_body_nb(p, g, m, v, i, decay, wd, w, w1, b2, omb2, bc1, lr, bc2_sqrt, eps, rect, one,
                           maximize, wd_mode, hi, rectified)
    return radam


# ---- ASGD ------------------------------------------------------------------------------
def _asgd_body(p, g, ax, i, decay, neg_eta, wd, mu, maximize, has_wd, average):
    pi = fma(neg_eta, _grad_nb(g[i], p[i], wd, maximize, has_wd), p[i] * decay)  # p(1 - lambd eta) - eta g
    p[i] = pi
    if average:
        a = ax[i]
        ax[i] = a + (pi - a) * mu
    else:
        ax[i] = pi


_asgd_body_nb = njit(inline="always", error_model="numpy")(_asgd_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def asgd_serial(maximize, has_wd, average):
    def asgd(p, g, ax, decay, neg_eta, wd, mu):
        for i in range(p.size):
            _asgd_body_nb(p, g, ax, i, decay, neg_eta, wd, mu, maximize, has_wd, average)
    return asgd


# ---- Rprop -----------------------------------------------------------------------------
def _rprop_body(p, g, prev, step_size, i, etaminus, etaplus, smin, smax, one, maximize):
    gi = g[i]
    if maximize:
        gi = -gi
    prod = gi * prev[i]
    if prod > 0:
        factor = etaplus
    elif prod < 0:
        factor = etaminus
    elif prod == 0:
        factor = one
    else:  # NaN stays NaN
        factor = prod
    s = step_size[i] * factor
    if s < smin:  # clamp_(min, max); NaN stays NaN
        s = smin
    if s > smax:
        s = smax
    step_size[i] = s
    if factor == etaminus:  # the sign flipped: no step now, and none remembered
        gi = one - one  # 0 in the arrays' dtype (a literal would widen float32)
    if gi > 0:
        sign = one
    elif gi < 0:
        sign = -one
    else:  # 0 or NaN
        sign = gi
    p[i] = fma(-sign, s, p[i])  # addcmul_(sign(g), step_size, value=-1)
    prev[i] = gi


_rprop_body_nb = njit(inline="always", error_model="numpy")(_rprop_body)


@specialised(cache=True, nogil=True, error_model="numpy")
def rprop_serial(maximize):
    def rprop(p, g, prev, step_size, etaminus, etaplus, smin, smax, one):
        for i in range(p.size):
            _rprop_body_nb(p, g, prev, step_size, i, etaminus, etaplus, smin, smax, one, maximize)
    return rprop


# ---- LBFGS: y += a x with one rounding (torch's add_(x, alpha=a)) ------------------------
@njit(cache=True, nogil=True, error_model="numpy")
def axpy_serial(y, a, x):
    for i in range(y.size):
        y[i] = fma(a, x[i], y[i])

