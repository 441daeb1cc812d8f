"""The time loop of a recurrent layer (one layer, one direction), forward and BPTT.

Per step, the hidden-to-hidden product `h @ W_hh^T` goes to BLAS (np.dot into a
reused buffer) and one cell kernel (kernels/rnn_cells.py) does the rest. Backward is
one kernel and one GEMM per step. No autograd node is made per step. The input
projection of all steps is one GEMM before the loop (by the caller); the weight
gradients are one GEMM each over all steps after the backward loop.

Layout: time-major, C-contiguous. `xp` (T, B, G) is the input projection; `lengths`
(B,) int64 (T for every row when the batch isn't packed). In the reverse direction
the padded steps come first, so each sequence starts from h0 at its own last valid
step, as PyTorch's packed sequences do.

`cells` is the module of step functions the drivers call: the Numba kernels by
default, their NumPy twins in the tests.
"""
import numpy as np

from . import rnn_cells


def gate_scale(mode, nh, dtype):
    """The per-row factor (G,) the caller applies to W_ih, W_hh and the biases: 1/2 on
    the sigmoid gates (LSTM i, f, o; GRU r, z), 1 elsewhere."""
    if mode == "LSTM":
        s = np.full(4 * nh, 0.5, dtype)
        s[2 * nh:3 * nh] = 1
        return s
    if mode == "GRU":
        s = np.full(3 * nh, 0.5, dtype)
        s[2 * nh:] = 1
        return s
    return np.ones(nh, dtype)


# ---- drivers: the whole time loop -----------------------------------------------------------------
def _order(n, reverse):
    return range(n - 1, -1, -1) if reverse else range(n)


def _prev(states, s0, t, reverse):
    """The state step t started from: the neighbouring step's, or s0 for the first."""
    if reverse:
        return s0 if t == len(states) - 1 else states[t + 1]
    return s0 if t == 0 else states[t - 1]


def _grad_w_hh(dhh, hs, h0, reverse):
    """dW_hh = sum_t dhh_t^T h_prev(t): two GEMMs over the stacked steps (no copy)."""
    nt, nb, ng = dhh.shape
    nh = hs.shape[2]
    if nt == 1:
        return np.matmul(dhh[0].T, h0)
    if reverse:
        body, first, last = dhh[:-1], hs[1:], dhh[-1]
    else:
        body, first, last = dhh[1:], hs[:-1], dhh[0]
    dw = np.matmul(body.reshape(-1, ng).T, first.reshape(-1, nh))
    dw += np.matmul(last.T, h0)
    return dw


def recurrence_forward(mode, xp, w_hh, b_hh, h0, c0, lengths, reverse, relu=False, cells=rnn_cells):
    """Run the recurrence over xp (T, B, G). Returns (y (T, B, H), h_n, c_n or None,
    saved) where `saved` is what `recurrence_backward` needs. xp, w_hh (G, H) and
    b_hh (GRU only: the others fold it into xp) come with their rows scaled by
    `gate_scale`; everything shares xp's dtype and is C-contiguous."""
    nt, nb, ng = xp.shape
    nh = w_hh.shape[1]
    dtype = xp.dtype
    w_t = np.ascontiguousarray(w_hh.T)  # (H, G)
    hs = np.empty((nt, nb, nh), dtype)
    y = np.empty_like(hs)
    if lengths is None:
        lengths = np.full(nb, nt, np.int64)
    hh = np.empty((nb, ng), dtype)
    h = h0
    saved = {"hs": hs, "lengths": lengths, "reverse": reverse, "relu": relu}
    if mode == "LSTM":
        cs = np.empty_like(hs)
        tcs = np.empty_like(hs)
        act = np.empty((nt, nb, ng), dtype)
        c = c0
        for t in _order(nt, reverse):
            np.dot(h, w_t, out=hh)
            cells.lstm_step(hh, xp[t], h, c, act[t], tcs[t], hs[t], cs[t], y[t], t, lengths)
            h, c = hs[t], cs[t]
        saved.update(cs=cs, tcs=tcs, act=act, c0=c0)
        return y, h, c, saved
    if mode == "GRU":
        act = np.empty((nt, nb, 4 * nh), dtype)
        for t in _order(nt, reverse):
            np.dot(h, w_t, out=hh)
            cells.gru_step(xp[t], hh, b_hh, h, act[t], hs[t], y[t], t, lengths)
            h = hs[t]
        saved.update(act=act)
        return y, h, None, saved
    for t in _order(nt, reverse):
        np.dot(h, w_t, out=hh)
        cells.rnn_step(xp[t], hh, h, hs[t], y[t], t, lengths, relu)
        h = hs[t]
    return y, h, None, saved


def recurrence_backward(mode, saved, w_hh, h0, dy, dhn, dcn, cells=rnn_cells):
    """BPTT over the whole sequence (w_hh unscaled). dy (T, B, H) is the gradient of
    y, dhn/dcn of the final states. Returns (dxp (T, B, G), dh0, dc0 or None,
    dhh_all, dW_hh) where dhh_all (T, B, G) is the gradient of the per-step
    h @ W_hh^T (+ b_hh)."""
    h0 = np.ascontiguousarray(h0, dtype=saved["hs"].dtype)
    dxp, dh0, dc0, dhh = _backward_loop(mode, saved, w_hh, h0, dy, dhn, dcn, cells)
    return dxp, dh0, dc0, dhh, _grad_w_hh(dhh, saved["hs"], h0, saved["reverse"])


def _backward_loop(mode, saved, w_hh, h0, dy, dhn, dcn, cells):
    hs, lengths, reverse = saved["hs"], saved["lengths"], saved["reverse"]
    nt, nb, nh = hs.shape
    ng = w_hh.shape[0]
    dtype = hs.dtype
    dh = np.array(dhn, dtype=dtype, order="C")  # copies: updated in place
    dhh = np.zeros((nb, nh), dtype)
    order = _order(nt, not reverse)
    if mode == "LSTM":
        back = cells.lstm_step_back
        act, tcs, cs = saved["act"], saved["tcs"], saved["cs"]
        c0 = saved["c0"]
        dc = np.array(dcn, dtype=dtype, order="C")
        dg = np.empty((nt, nb, ng), dtype)
        for t in order:
            back(dy[t], dhh, dh, dc, act[t], _prev(cs, c0, t, reverse), tcs[t], dg[t], t, lengths)
            np.dot(dg[t], w_hh, out=dhh)
        dh += dhh
        return dg, dh, dc, dg
    if mode == "GRU":
        back = cells.gru_step_back
        act = saved["act"]
        dgi = np.empty((nt, nb, ng), dtype)
        dgh = np.empty((nt, nb, ng), dtype)
        for t in order:
            back(dy[t], dhh, dh, act[t], _prev(hs, h0, t, reverse), dgi[t], dgh[t], t, lengths)
            np.dot(dgh[t], w_hh, out=dhh)
        dh += dhh
        return dgi, dh, None, dgh
    back = cells.rnn_step_back
    dg = np.empty((nt, nb, ng), dtype)
    relu = saved["relu"]
    for t in order:
        back(dy[t], dhh, dh, hs[t], dg[t], t, lengths, relu)
        np.dot(dg[t], w_hh, out=dhh)
    dh += dhh
    return dg, dh, None, dg
