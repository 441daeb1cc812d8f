"""The NumPy twin of autograd_lite.kernels.rnn_cells: the same step functions,
written with plain array operations, for the drivers in kernels/rnn_loop.py to run
on (`cells=rnn_references`) and the Numba kernels to match."""
import numpy as np


def tanh(x, out, add=None):
    if add is not None:
        np.add(x, add, out=out)
        x = out
    np.tanh(x, out=out)


def _rows(t, lengths):
    return (t < lengths)[:, None]


def lstm_gates(a, c_prev, c, t, lengths):
    nh = c_prev.shape[1]
    m = _rows(t, lengths)
    g = a.copy()
    for k in (0, 1, 3):
        g[:, k * nh:(k + 1) * nh] = 0.5 * g[:, k * nh:(k + 1) * nh] + 0.5
    c[...] = np.where(m, g[:, nh:2 * nh] * c_prev + g[:, :nh] * g[:, 2 * nh:3 * nh], c_prev)
    a[...] = np.where(m, g, 0)


def lstm_output(a, tc, h_prev, h, y, t, lengths):
    nh = h_prev.shape[1]
    m = _rows(t, lengths)
    v = a[:, 3 * nh:] * tc
    h[...] = np.where(m, v, h_prev)
    y[...] = np.where(m, v, 0)


def lstm_step_back(dy, dhh, dh, dc, act, c_prev, tc, dg, t, lengths):
    nh = dh.shape[1]
    i, f, g, o = act[:, :nh], act[:, nh:2 * nh], act[:, 2 * nh:3 * nh], act[:, 3 * nh:]
    dht = dy + dh + dhh
    dct = dc + dht * o * (1 - tc * tc)
    m = _rows(t, lengths)
    full = np.concatenate([dct * g * i * (1 - i), dct * c_prev * f * (1 - f),
                           dct * i * (1 - g * g), dht * tc * o * (1 - o)], 1)
    dg[...] = np.where(m, full, 0)
    dc[...] = np.where(m, dct * f, dc)
    dh[...] = np.where(m, 0, dh + dhh)


def gru_pre(xp, hh, b_hh, act):
    nh = xp.shape[1] // 3
    g = hh + b_hh
    act[:, :2 * nh] = xp[:, :2 * nh] + g[:, :2 * nh]
    act[:, 3 * nh:] = g[:, 2 * nh:]


def gru_candidate(xp, act):
    nh = xp.shape[1] // 3
    act[:, :2 * nh] = 0.5 * act[:, :2 * nh] + 0.5
    act[:, 2 * nh:3 * nh] = xp[:, 2 * nh:] + act[:, :nh] * act[:, 3 * nh:]


def gru_output(act, h_prev, h, y, t, lengths):
    nh = h_prev.shape[1]
    m = _rows(t, lengths)
    z, n = act[:, nh:2 * nh], act[:, 2 * nh:3 * nh]
    v = (1 - z) * n + z * h_prev
    h[...] = np.where(m, v, h_prev)
    y[...] = np.where(m, v, 0)
    act[...] = np.where(m, act, 0)


def gru_step_back(dy, dhh, dh, act, h_prev, dgi, dgh, t, lengths):
    nh = dh.shape[1]
    r, z, n, ghn = act[:, :nh], act[:, nh:2 * nh], act[:, 2 * nh:3 * nh], act[:, 3 * nh:]
    dht = dy + dh + dhh
    dpn = dht * (1 - z) * (1 - n * n)
    dpr = dpn * ghn * r * (1 - r)
    dpz = dht * (h_prev - n) * z * (1 - z)
    m = _rows(t, lengths)
    dgi[...] = np.where(m, np.concatenate([dpr, dpz, dpn], 1), 0)
    dgh[...] = np.where(m, np.concatenate([dpr, dpz, dpn * r], 1), 0)
    dh[...] = np.where(m, dht * z, dh + dhh)


def rnn_output(v, h_prev, h, y, t, lengths):
    m = _rows(t, lengths)
    h[...] = np.where(m, v, h_prev)
    y[...] = np.where(m, v, 0)


def rnn_step_back(dy, dhh, dh, h, dg, t, lengths, relu):
    dht = dy + dh + dhh
    full = dht * (h > 0) if relu else dht * (1 - h * h)
    m = _rows(t, lengths)
    dg[...] = np.where(m, full, 0)
    dh[...] = np.where(m, 0, dh + dhh)


def lstm_step(zs, add, h_prev, c_prev, act, tc, h, c, y, t, lengths):
    tanh(zs, act, add)
    lstm_gates(act, c_prev, c, t, lengths)
    tanh(c, tc)
    lstm_output(act, tc, h_prev, h, y, t, lengths)


def gru_step(xp, hh, b_hh, h_prev, act, h, y, t, lengths):
    nh = h_prev.shape[1]
    gru_pre(xp, hh, b_hh, act)
    rz = act[:, :2 * nh]
    tanh(rz, rz)
    gru_candidate(xp, act)
    n = act[:, 2 * nh:3 * nh]
    tanh(n, n)
    gru_output(act, h_prev, h, y, t, lengths)


def rnn_step(xp, hh, h_prev, h, y, t, lengths, relu):
    if relu:
        np.add(hh, xp, out=hh)
        np.maximum(hh, 0, out=hh)
    else:
        tanh(hh, hh, xp)
    rnn_output(hh, h_prev, h, y, t, lengths)
