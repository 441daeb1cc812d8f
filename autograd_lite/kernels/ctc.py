"""Connectionist temporal classification: the forward (alpha) and backward (beta)
recursions over the blank-extended target, in log space, and the gradient.

Shapes: log_probs (T, N, C); targets (N, S) int64 padded; input/target lengths (N,)
int64, already checked against T, S and C by the caller. The extended target of
sample n has L = 2 * target_length + 1 states, blanks at the even ones. alpha and beta
are (N, T, 2 S + 1), -inf where a state can't be reached.
"""
import math

import numpy as np

from ._numba import njit

_NEG_INF = -math.inf


@njit(cache=True, inline="always")
def _lse(a, b):
    """log(exp(a) + exp(b)) without overflow; -inf when both are."""
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True, inline="always")
def _label(targets, n, s, blank):
    return blank if s % 2 == 0 else targets[n, s // 2]


@njit(cache=True)
def _ctc_alpha(lp, targets, in_len, tg_len, blank, alpha, nll):
    for n in range(lp.shape[1]):
        tn, states = in_len[n], 2 * tg_len[n] + 1
        if tn == 0:
            nll[n] = 0.0 if tg_len[n] == 0 else math.inf
            continue
        alpha[n, 0, 0] = lp[0, n, blank]
        if states > 1:
            alpha[n, 0, 1] = lp[0, n, targets[n, 0]]
        for t in range(1, tn):
            for s in range(states):
                a = alpha[n, t - 1, s]
                if s > 0:
                    a = _lse(a, alpha[n, t - 1, s - 1])
                if s > 1 and s % 2 == 1 and targets[n, s // 2] != targets[n, s // 2 - 1]:
                    a = _lse(a, alpha[n, t - 1, s - 2])
                if a != _NEG_INF:
                    alpha[n, t, s] = a + lp[t, n, _label(targets, n, s, blank)]
        end = alpha[n, tn - 1, states - 1]
        if states > 1:
            end = _lse(end, alpha[n, tn - 1, states - 2])
        nll[n] = -end


@njit(cache=True)
def _ctc_beta(lp, targets, in_len, tg_len, blank, beta):
    for n in range(lp.shape[1]):
        tn, states = in_len[n], 2 * tg_len[n] + 1
        if tn == 0:
            continue
        beta[n, tn - 1, states - 1] = lp[tn - 1, n, blank]
        if states > 1:
            beta[n, tn - 1, states - 2] = lp[tn - 1, n, targets[n, tg_len[n] - 1]]
        for t in range(tn - 2, -1, -1):
            for s in range(states):
                b = beta[n, t + 1, s]
                if s < states - 1:
                    b = _lse(b, beta[n, t + 1, s + 1])
                if s < states - 2 and s % 2 == 1 and targets[n, s // 2] != targets[n, s // 2 + 1]:
                    b = _lse(b, beta[n, t + 1, s + 2])
                if b != _NEG_INF:
                    beta[n, t, s] = b + lp[t, n, _label(targets, n, s, blank)]


@njit(cache=True)
def _ctc_grad(lp, targets, in_len, tg_len, blank, alpha, beta, nll, scale, zero_infinity, grad):
    c_count = lp.shape[2]
    occupancy = np.empty(c_count)
    for n in range(lp.shape[1]):
        if zero_infinity and nll[n] == math.inf:
            continue  # the sample's gradient stays 0
        states = 2 * tg_len[n] + 1
        for t in range(in_len[n]):
            for c in range(c_count):
                occupancy[c] = _NEG_INF
            for s in range(states):
                c = _label(targets, n, s, blank)
                occupancy[c] = _lse(occupancy[c], alpha[n, t, s] + beta[n, t, s])
            for c in range(c_count):
                x = lp[t, n, c]
                grad[t, n, c] = (math.exp(x) - math.exp(occupancy[c] + nll[n] - x)) * scale[n]


def ctc_forward(log_probs, targets, input_lengths, target_lengths, blank):
    """(nll (N,) float64, alpha, beta): the negative log likelihood of each target."""
    lp = np.ascontiguousarray(log_probs)
    t_max, n = lp.shape[:2]
    states = 2 * targets.shape[1] + 1
    alpha = np.full((n, t_max, states), -np.inf)
    beta = np.full((n, t_max, states), -np.inf)
    nll = np.empty(n)
    _ctc_alpha(lp, targets, input_lengths, target_lengths, blank, alpha, nll)
    _ctc_beta(lp, targets, input_lengths, target_lengths, blank, beta)
    return nll, alpha, beta


def ctc_grad(log_probs, targets, input_lengths, target_lengths, blank, alpha, beta, nll, scale,
             zero_infinity):
    """PyTorch's gradient for log_probs (T, N, C), each sample's scaled by `scale` (N,):
    exp(log_probs) minus the state occupancy, 0 past a sample's input length."""
    lp = np.ascontiguousarray(log_probs)
    grad = np.zeros(lp.shape)
    _ctc_grad(lp, targets, input_lengths, target_lengths, blank, alpha, beta, nll,
              np.ascontiguousarray(scale, dtype=np.float64), bool(zero_infinity), grad)
    return grad.astype(log_probs.dtype, copy=False)
