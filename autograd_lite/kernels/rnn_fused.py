"""The whole float32 time loop of a recurrent layer in one kernel call: per step the
hidden-to-hidden product through BLAS (kernels/blas.py) and the cell kernel
(kernels/rnn_cells.py), with no Python between steps. The forward loops also project
the inputs, a few steps at a time (`_project`: one product of ~CHUNK_ROWS rows), so
those steps read their projection from the thread's cache.

Batch rows never interact in a recurrence, forward or backward, so each driver runs
the loop for the rows [b0, b1), and the caller (kernels/rnn_loop.py) gives each
thread of the pool (kernels/workers.py) a block of rows for the whole sequence: one
parallel region per layer call, not one per step. Each thread's products are smaller
(M = its rows), which BLAS runs nearly as efficiently. The drivers release the GIL.

What a thread rewrites at every step (the product's output, the carried gradients
of backward) lives in memory the driver allocates for itself, not in row blocks of
one shared array: with shared arrays, the prefetcher of the core owning the rows
below a boundary pulled the other thread's rows into its cache every step, and the
second thread's steps took 20% longer (42 us against 35, LSTM, 16 rows each).

Layouts are those of kernels/rnn_loop.py, whose Python-driven loop (for float64, and
BLAS the kernels can't call) does the same arithmetic step by step; the tests hold
the two to each other. The caller validates shapes and dtypes (float32,
C-contiguous) and limits BLAS to one thread, so each product runs in the thread that
calls it.
"""
import numpy as np
from numba import types

from ._numba import njit
from .blas import gemm
from .rnn_cells import gru_step32, gru_step_back, lstm_step32, lstm_step_back, rnn_step32, rnn_step_back


@njit(inline="always")
def _prev(t, reverse):
    """The step before t in the direction of the loop."""
    return t + 1 if reverse else t - 1


@njit(inline="always")
def _add_into(a, b):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] += b[i, j]


@njit(inline="always")
def _copy_into(a, b):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] = b[i, j]


# Rows of one input-projection product: a thread projects the inputs of this many of
# its rows' steps at a time (160 rows x 4H=512 gates, 320 KB: stays in its cache until
# the steps read it).
CHUNK_ROWS = 256


@njit(inline="always")
def _project(fn, z, nh, w_in, b0, b1, first, n, reverse, xa, xpc):
    """xpc[j*m:(j+1)*m] = z_t[:, nh:nh + ki] @ w_in (the inputs [x_t | 1]) for the steps
    first..first+n-1 of the loop (t = the j-th of them), rows [b0, b1): one GEMM for
    n steps, from the thread's own gather of their inputs."""
    nt = z.shape[0]
    ki, ng = w_in.shape
    m = b1 - b0
    for j in range(n):
        step = first + j
        t = nt - 1 - step if reverse else step
        for r in range(m):
            _copy_row(xa[j * m + r], z[t, b0 + r, nh:nh + ki])
    gemm(fn, n * m, ng, ki, xa, 0, ki, w_in, 0, ng, False, 0.0, xpc, 0, ng)


@njit(inline="always")
def _state_product(fn, zero_state, m, ng, nh, hp, w_t, q):
    """q = hp @ w_t, or zeros without the product when hp is the layer's zero initial
    state (the first step of a layer called without hx: one product of T saved)."""
    if zero_state:
        for r in range(m):
            for j in range(ng):
                q[r, j] = 0.0
    else:
        gemm(fn, m, ng, nh, hp, 0, nh, w_t, 0, ng, False, 0.0, q, 0, ng)


@njit(inline="always")
def _copy_row(a, b):
    """a[:] = b[:] for 1-D C-contiguous rows: indexed from 0, the loop vectorises (the
    same copy through a 2-D view of strided rows did not, and cost the LSTM's forward
    loop ~0.2 ms over 50 steps of 32 x 128)."""
    for i in range(a.shape[0]):
        a[i] = b[i]


@njit(inline="always")
def _record_h(z, t, b0, hp):
    """z[t, b0 + r, :H] = hp[r]: the state step t starts from, into its step inputs."""
    for r in range(hp.shape[0]):
        _copy_row(z[t, b0 + r, :hp.shape[1]], hp[r])


@njit(inline="always")
def _projection_buffers(z, w_in, m, ng):
    """(steps per projection, the gathered inputs, their projection) for m rows."""
    chunk = max(1, min(z.shape[0], CHUNK_ROWS // max(m, 1)))
    return chunk, np.empty((chunk * m, w_in.shape[0]), z.dtype), np.empty((chunk * m, ng), z.dtype)


@njit(inline="always")
def _step_inputs(fn, z, w_in, b0, b1, step, t, chunk, reverse, xa, xpc, hp):
    """Before the loop's step `step` (time t) from the state hp: project the inputs of
    the next `chunk` steps when one starts, record hp in z; returns this step's rows
    of the projection."""
    m = b1 - b0
    j = step % chunk
    if j == 0:
        _project(fn, z, hp.shape[1], w_in, b0, b1, step, min(chunk, z.shape[0] - step), reverse, xa, xpc)
    _record_h(z, t, b0, hp)
    return xpc[j * m:(j + 1) * m]


# ---- LSTM ---------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def lstm_forward(fn, b0, b1, z, w_in, w_t, h0, c0, lengths, reverse, h0_zero, act, tcs, hs, cs, y):
    """Rows [b0, b1): z (T, B, H + I (+1)) the step inputs [ . | x_t | 1] (the loop
    writes h_prev(t) into the first H columns), w_in = [W_ih | b]^T (I (+1), 4H) and
    w_t = W_hh^T (H, 4H), with i, f, o halved; fills act, tcs, hs, cs, y (T, B, .)."""
    nt = z.shape[0]
    nh, ng = w_t.shape
    m = b1 - b0
    ln, q = lengths[b0:b1], np.empty((m, ng), z.dtype)
    chunk, xa, xpc = _projection_buffers(z, w_in, m, ng)
    for step in range(nt):
        t = nt - 1 - step if reverse else step
        hp, cp = (h0[b0:b1], c0[b0:b1]) if step == 0 else (hs[_prev(t, reverse), b0:b1],
                                                           cs[_prev(t, reverse), b0:b1])
        xp_t = _step_inputs(fn, z, w_in, b0, b1, step, t, chunk, reverse, xa, xpc, hp)
        _state_product(fn, h0_zero and step == 0, m, ng, nh, hp, w_t, q)
        lstm_step32(q, xp_t, hp, cp, act[t, b0:b1], tcs[t, b0:b1], hs[t, b0:b1],
                    cs[t, b0:b1], y[t, b0:b1], t, ln)



@njit(cache=True, nogil=True)
def lstm_backward(fn, b0, b1, w_hh, dy, act, tcs, cs, c0, lengths, reverse, want_dh0, dh, dc, dg):
    """BPTT of rows [b0, b1) with W_hh (4H, H); dh, dc hold the gradients of h_n, c_n
    on entry and of h_0 (when `want_dh0`; else incomplete), c_0 on return; fills dg
    (T, B, 4H)."""
    nt = dg.shape[0]
    ng, nh = w_hh.shape
    m = b1 - b0
    ln, q, dhb, dcb = lengths[b0:b1], np.zeros((m, nh), dh.dtype), dh[b0:b1].copy(), dc[b0:b1].copy()
    for step in range(nt):
        t = step if reverse else nt - 1 - step
        cp = c0[b0:b1] if step == nt - 1 else cs[_prev(t, reverse), b0:b1]
        lstm_step_back(dy[t, b0:b1], q, dhb, dcb, act[t, b0:b1], cp, tcs[t, b0:b1], dg[t, b0:b1], t, ln)
        if want_dh0 or step < nt - 1:  # the last product only feeds h_0's gradient
            gemm(fn, m, nh, ng, dg[t, b0:b1], 0, ng, w_hh, 0, nh, False, 0.0, q, 0, nh)
    if want_dh0:
        _add_into(dhb, q)
    _copy_into(dh[b0:b1], dhb)
    _copy_into(dc[b0:b1], dcb)



# ---- GRU ----------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def gru_forward(fn, b0, b1, z, w_in, w_t, b_hh, h0, lengths, reverse, h0_zero, act, hs, y):
    """Rows [b0, b1): z the step inputs (as lstm_forward's), w_in = [W_ih | b_ih]^T
    (I (+1), 3H), w_t = W_hh^T (H, 3H) and b_hh (3H,), with r, z halved; fills act
    (T, B, 4H), hs, y."""
    nt = z.shape[0]
    nh, ng = w_t.shape
    m = b1 - b0
    ln, q = lengths[b0:b1], np.empty((m, ng), z.dtype)
    chunk, xa, xpc = _projection_buffers(z, w_in, m, ng)
    for step in range(nt):
        t = nt - 1 - step if reverse else step
        hp = h0[b0:b1] if step == 0 else hs[_prev(t, reverse), b0:b1]
        xp_t = _step_inputs(fn, z, w_in, b0, b1, step, t, chunk, reverse, xa, xpc, hp)
        _state_product(fn, h0_zero and step == 0, m, ng, nh, hp, w_t, q)
        gru_step32(xp_t, q, b_hh, hp, act[t, b0:b1], hs[t, b0:b1], y[t, b0:b1], t, ln)



@njit(cache=True, nogil=True)
def gru_backward(fn, b0, b1, w_hh, dy, act, hs, h0, lengths, reverse, want_dh0, dh, dgi, dgh):
    """BPTT of rows [b0, b1); dh holds the gradient of h_n on entry, of h_0 on return
    (when `want_dh0`; else incomplete); fills dgi, dgh (T, B, 3H)."""
    nt = dgi.shape[0]
    ng, nh = w_hh.shape
    m = b1 - b0
    ln, q, dhb = lengths[b0:b1], np.zeros((m, nh), dh.dtype), dh[b0:b1].copy()
    for step in range(nt):
        t = step if reverse else nt - 1 - step
        hp = h0[b0:b1] if step == nt - 1 else hs[_prev(t, reverse), b0:b1]
        gru_step_back(dy[t, b0:b1], q, dhb, act[t, b0:b1], hp, dgi[t, b0:b1], dgh[t, b0:b1], t, ln)
        if want_dh0 or step < nt - 1:  # the last product only feeds h_0's gradient
            gemm(fn, m, nh, ng, dgh[t, b0:b1], 0, ng, w_hh, 0, nh, False, 0.0, q, 0, nh)
    if want_dh0:
        _add_into(dhb, q)
    _copy_into(dh[b0:b1], dhb)



# ---- Elman RNN ----------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def rnn_forward(fn, b0, b1, z, w_in, w_t, h0, lengths, reverse, h0_zero, relu, hs, y):
    nt = z.shape[0]
    nh = w_t.shape[0]
    m = b1 - b0
    ln, q = lengths[b0:b1], np.empty((m, nh), z.dtype)
    chunk, xa, xpc = _projection_buffers(z, w_in, m, nh)
    for step in range(nt):
        t = nt - 1 - step if reverse else step
        hp = h0[b0:b1] if step == 0 else hs[_prev(t, reverse), b0:b1]
        xp_t = _step_inputs(fn, z, w_in, b0, b1, step, t, chunk, reverse, xa, xpc, hp)
        _state_product(fn, h0_zero and step == 0, m, nh, nh, hp, w_t, q)
        rnn_step32(xp_t, q, hp, hs[t, b0:b1], y[t, b0:b1], t, ln, relu)



@njit(cache=True, nogil=True)
def rnn_backward(fn, b0, b1, w_hh, dy, hs, lengths, reverse, want_dh0, relu, dh, dg):
    nt = dg.shape[0]
    nh = w_hh.shape[1]
    m = b1 - b0
    ln, q, dhb = lengths[b0:b1], np.zeros((m, nh), dh.dtype), dh[b0:b1].copy()
    for step in range(nt):
        t = step if reverse else nt - 1 - step
        rnn_step_back(dy[t, b0:b1], q, dhb, hs[t, b0:b1], dg[t, b0:b1], t, ln, relu)
        if want_dh0 or step < nt - 1:  # the last product only feeds h_0's gradient
            gemm(fn, m, nh, nh, dg[t, b0:b1], 0, nh, w_hh, 0, nh, False, 0.0, q, 0, nh)
    if want_dh0:
        _add_into(dhb, q)
    _copy_into(dh[b0:b1], dhb)



# ---- the drivers' argument types ----------------------------------------------------------------
# What kernels/rnn_loop.py passes: each driver is compiled for exactly these, ahead of
# its first call, on a helper thread (kernels/background.py; tests/kernels hold the
# calls to them).
_I, _B = types.int64, types.boolean
_V, _M, _S = (types.Array(types.float32, n, "C") for n in (1, 2, 3))
_L = types.Array(types.int64, 1, "C")
SIGNATURES = {
    "lstm_forward": (_I, _I, _I, _S, _M, _M, _M, _M, _L, _B, _B, _S, _S, _S, _S, _S),
    "lstm_backward": (_I, _I, _I, _M, _S, _S, _S, _S, _M, _L, _B, _B, _M, _M, _S),
    "gru_forward": (_I, _I, _I, _S, _M, _M, _V, _M, _L, _B, _B, _S, _S, _S),
    "gru_backward": (_I, _I, _I, _M, _S, _S, _S, _M, _L, _B, _B, _M, _S, _S),
    "rnn_forward": (_I, _I, _I, _S, _M, _M, _M, _L, _B, _B, _B, _S, _S),
    "rnn_backward": (_I, _I, _I, _M, _S, _S, _L, _B, _B, _B, _M, _S),
}


# ---- one cell step (the cell ops: LSTMCell, GRUCell, RNNCell) -------------------------------------
@njit(cache=True)
def cell_preactivations(fn, x, h, w_ih, w_hh, bias, scale, xp, hh):
    """xp = scale * (x W_ih^T + bias) and hh = scale * (h W_hh^T), (B, G) each, for one
    cell step, with the weights in PyTorch's (G, .) layout. Both products run as
    W @ x^T (BLAS's no-transpose form): OpenBLAS's small-matrix path for x @ W^T took
    twice as long (16 x 64 by 64 x 256: 11 us against 5)."""
    nb, ni = x.shape
    nh = h.shape[1]
    ng = w_ih.shape[0]
    xt = np.empty((ni, nb), x.dtype)
    ht = np.empty((nh, nb), x.dtype)
    for b in range(nb):
        for i in range(ni):
            xt[i, b] = x[b, i]
        for i in range(nh):
            ht[i, b] = h[b, i]
    zx = np.empty((ng, nb), x.dtype)
    zh = np.empty((ng, nb), x.dtype)
    gemm(fn, ng, nb, ni, w_ih, 0, ni, xt, 0, nb, False, 0.0, zx, 0, nb)
    gemm(fn, ng, nb, nh, w_hh, 0, nh, ht, 0, nb, False, 0.0, zh, 0, nb)
    for j in range(ng):
        s = scale[j]
        c = bias[j]
        for b in range(nb):
            xp[b, j] = s * (zx[j, b] + c)
            hh[b, j] = s * zh[j, b]
