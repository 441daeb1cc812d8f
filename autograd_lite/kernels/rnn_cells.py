"""The cell kernels of the recurrent layers: one time step of LSTM, GRU and RNN,
forward (`*_step`) and backward (`*_step_back`), on arrays.

Per step one Numba kernel does everything elementwise: the gates, the state update
and the masking of steps past a sequence's length (the hidden-to-hidden GEMM is the
driver's, in kernels/rnn_loop.py). Every sigmoid is written as tanh (sigmoid(v) =
(1 + tanh(v / 2)) / 2); float32 uses a vectorised rational tanh inside the step
kernel, float64 NumPy's tanh between smaller kernels. The float32 steps also run
inside the fused time loops of kernels/rnn_fused.py, on slices of the batch rows.

Layout: (B, H) rows, C-contiguous; `lengths` (B,) int64. A row `b` at a step
`t >= lengths[b]` keeps its state and outputs zero. Gate order is PyTorch's: LSTM
(i, f, g, o), GRU (r, z, n), with GRU's n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

The tests hold a NumPy twin of this module (tests/kernels/rnn_references.py) with the
same step functions, which the drivers run on in place of these kernels.
"""
import numpy as np

from ._numba import njit



# ---- tanh ----------------------------------------------------------------------------------------
# NumPy's float32 tanh runs at ~3 ns an element here and dominated the LSTM step. For
# float32 a rational approximation x P(x^2) / Q(x^2) on [-9, 9] (least-squares fit to a
# relative error of 1.3e-9; evaluated in float32 it is within 3e-7 of the exact tanh,
# a few ulp, and tanh(+-9) rounds to +-1 in float32) vectorises to ~1 ns an element.
# float64 keeps NumPy's tanh.
_F = np.float32


@njit(inline="always", error_model="numpy")
def _tanh_f32(v):
    # Clamped by selects before the polynomial and set to +-1 beyond +-9 after it
    # (where the exact tanh rounds to +-1, the rational gives 0.99999994): the same
    # bits as branching on v first, 14% faster vectorised (0.36 ns an element against
    # 0.41 on an EPYC). NaN passes every select unchanged.
    u = _F(9.0) if v > _F(9.0) else v
    u = _F(-9.0) if u < _F(-9.0) else u
    s = u * u
    p = _F(0.9999999987362255) + s * (_F(0.1368085828472592) + s * (_F(0.003869509185092125) + s * (
        _F(2.803126842319284e-05) + s * (_F(3.0642178750805896e-08) + s * _F(-1.2245794310619282e-11)))))
    q = _F(1.0) + s * (_F(0.4701419038426776) + s * (_F(0.027250163871481093) + s * (
        _F(0.00039407130834739136) + s * _F(1.2890287346922996e-06))))
    r = u * p / q
    r = _F(1.0) if v >= _F(9.0) else r
    return _F(-1.0) if v <= _F(-9.0) else r


def tanh(x, out, add=None):
    """out = tanh(x (+ add)) with NumPy's tanh (the float64 path)."""
    if add is not None:
        np.add(x, add, out=out)
        x = out
    np.tanh(x, out=out)


# ---- LSTM ---------------------------------------------------------------------------------------
# The transcendental functions go to NumPy's SIMD tanh (several times faster than a
# scalar loop): sigmoid(v) = (1 + tanh(v / 2)) / 2, and the halving of the i, f, o
# pre-activations is folded into the weights by the caller (exact: a power of two).
@njit(cache=True)
def lstm_gates(a, c_prev, c, t, lengths):
    """a (B, 4H) holds tanh of the pre-activations (i, f, o halved); turn it into the
    gate values (i, f, g, o) in place and set c = f * c_prev + i * g. Rows past their
    length carry c_prev and get zero gates."""
    nb, nh = c_prev.shape
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                c[b, j] = c_prev[b, j]
            for j in range(4 * nh):
                a[b, j] = 0.0
            continue
        for j in range(nh):
            i = 0.5 * a[b, j] + 0.5
            f = 0.5 * a[b, nh + j] + 0.5
            a[b, j] = i
            a[b, nh + j] = f
            a[b, 3 * nh + j] = 0.5 * a[b, 3 * nh + j] + 0.5
            c[b, j] = f * c_prev[b, j] + i * a[b, 2 * nh + j]


@njit(cache=True)
def lstm_output(a, tc, h_prev, h, y, t, lengths):
    """h = o * tanh(c) (tc); y = h, or for rows past their length h = h_prev, y = 0."""
    nb, nh = h_prev.shape
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            continue
        for j in range(nh):
            v = a[b, 3 * nh + j] * tc[b, j]
            h[b, j] = v
            y[b, j] = v


@njit(cache=True, error_model="numpy")
def lstm_step32(zs, add, h_prev, c_prev, act, tc, h, c, y, t, lengths):
    """The whole float32 step in one pass (what lstm_step does in four)."""
    nb, nh = h_prev.shape
    half = _F(0.5)
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                c[b, j] = c_prev[b, j]
                tc[b, j] = 0.0
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            for j in range(4 * nh):
                act[b, j] = 0.0
            continue
        for j in range(4 * nh):  # two simple loops: each vectorises
            act[b, j] = _tanh_f32(zs[b, j] + add[b, j])
        for j in range(nh):
            i = half * act[b, j] + half
            f = half * act[b, nh + j] + half
            act[b, j] = i
            act[b, nh + j] = f
            act[b, 3 * nh + j] = half * act[b, 3 * nh + j] + half
            c[b, j] = f * c_prev[b, j] + i * act[b, 2 * nh + j]
        for j in range(nh):
            tc[b, j] = _tanh_f32(c[b, j])
        for j in range(nh):
            v = act[b, 3 * nh + j] * tc[b, j]
            h[b, j] = v
            y[b, j] = v


def lstm_step(zs, add, h_prev, c_prev, act, tc, h, c, y, t, lengths):
    """One step from the pre-activations zs + add (B, 4H), i, f, o halved."""
    if zs.dtype == np.float32:
        lstm_step32(zs, add, h_prev, c_prev, act, tc, h, c, y, t, lengths)
        return
    tanh(zs, act, add)
    lstm_gates(act, c_prev, c, t, lengths)
    tanh(c, tc)
    lstm_output(act, tc, h_prev, h, y, t, lengths)


@njit(cache=True, error_model="numpy")
def lstm_step_back(dy, dhh, dh, dc, act, c_prev, tc, dg, t, lengths):
    """One step of BPTT. On entry dh (B, H) is the gradient of the state h after this
    step from later steps' carries and dhh that from the later step's gates (dg_next
    @ W_hh); dc likewise for c. Writes dg (B, 4H), the gradient of the pre-activation
    gates, and leaves in dh/dc the carried parts for the previous state (zero for the
    rows this step used: their gradient is dg @ W_hh, which the caller computes).
    Short loops over a row, so that each vectorises."""
    nb, nh = dh.shape
    one = dy.dtype.type(1.0)
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                dh[b, j] += dhh[b, j]
            for j in range(4 * nh):
                dg[b, j] = 0.0
            continue
        for j in range(nh):  # dh <- the total gradient of h_t
            dh[b, j] += dy[b, j] + dhh[b, j]
        for j in range(nh):  # dc <- the total gradient of c_t
            v = tc[b, j]
            dc[b, j] += dh[b, j] * act[b, 3 * nh + j] * (one - v * v)
        for j in range(nh):
            o = act[b, 3 * nh + j]
            dg[b, 3 * nh + j] = dh[b, j] * tc[b, j] * o * (one - o)
        for j in range(nh):
            i = act[b, j]
            f = act[b, nh + j]
            g = act[b, 2 * nh + j]
            d = dc[b, j]
            dg[b, j] = d * g * i * (one - i)
            dg[b, nh + j] = d * c_prev[b, j] * f * (one - f)
            dg[b, 2 * nh + j] = d * i * (one - g * g)
        for j in range(nh):
            dc[b, j] *= act[b, nh + j]
            dh[b, j] = 0.0


# ---- GRU ----------------------------------------------------------------------------------------
# As the LSTM: r and z pre-activations arrive halved (weights and biases scaled by the
# caller), tanh runs in NumPy. act (B, 4H) holds (r, z, n, W_hn h + b_hn).
@njit(cache=True)
def gru_pre(xp, hh, b_hh, act):
    """act[:, :2H] <- the halved r, z pre-activations; act[:, 3H:] <- W_hn h + b_hn."""
    nb, ng = xp.shape
    nh = ng // 3
    for b in range(nb):
        for j in range(2 * nh):
            act[b, j] = xp[b, j] + hh[b, j] + b_hh[j]
        for j in range(nh):
            act[b, 3 * nh + j] = hh[b, 2 * nh + j] + b_hh[2 * nh + j]


@njit(cache=True)
def gru_candidate(xp, act):
    """r, z from their tanh; act[:, 2H:3H] <- the n pre-activation x_n + r * ghn."""
    nb, ng = xp.shape
    nh = ng // 3
    for b in range(nb):
        for j in range(nh):
            r = 0.5 * act[b, j] + 0.5
            act[b, j] = r
            act[b, nh + j] = 0.5 * act[b, nh + j] + 0.5
            act[b, 2 * nh + j] = xp[b, 2 * nh + j] + r * act[b, 3 * nh + j]


@njit(cache=True)
def gru_output(act, h_prev, h, y, t, lengths):
    """h = (1 - z) * n + z * h_prev, y = h; rows past their length carry h_prev, y = 0."""
    nb, nh = h_prev.shape
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            for j in range(4 * nh):
                act[b, j] = 0.0
            continue
        for j in range(nh):
            z = act[b, nh + j]
            v = (1.0 - z) * act[b, 2 * nh + j] + z * h_prev[b, j]
            h[b, j] = v
            y[b, j] = v


@njit(cache=True, error_model="numpy")
def gru_step32(xp, hh, b_hh, h_prev, act, h, y, t, lengths):
    """The whole float32 step in one call (what gru_step does in five)."""
    nb, nh = h_prev.shape
    half = _F(0.5)
    one = _F(1.0)
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            for j in range(4 * nh):
                act[b, j] = 0.0
            continue
        for j in range(2 * nh):
            act[b, j] = _tanh_f32(xp[b, j] + hh[b, j] + b_hh[j])
        for j in range(nh):
            r = half * act[b, j] + half
            ghn = hh[b, 2 * nh + j] + b_hh[2 * nh + j]
            act[b, j] = r
            act[b, nh + j] = half * act[b, nh + j] + half
            act[b, 3 * nh + j] = ghn
            act[b, 2 * nh + j] = xp[b, 2 * nh + j] + r * ghn
        for j in range(nh):
            act[b, 2 * nh + j] = _tanh_f32(act[b, 2 * nh + j])
        for j in range(nh):
            z = act[b, nh + j]
            v = (one - z) * act[b, 2 * nh + j] + z * h_prev[b, j]
            h[b, j] = v
            y[b, j] = v


def gru_step(xp, hh, b_hh, h_prev, act, h, y, t, lengths):
    """One step: xp = x W_ih^T + b_ih and hh = h W_hh^T, r and z halved; b_hh too."""
    if xp.dtype == np.float32:
        gru_step32(xp, hh, b_hh, h_prev, act, h, y, t, lengths)
        return
    nh = h_prev.shape[1]
    gru_pre(xp, hh, b_hh, act)
    rz = act[:, :2 * nh]
    tanh(rz, rz)
    gru_candidate(xp, act)
    n = act[:, 2 * nh:3 * nh]
    tanh(n, n)
    gru_output(act, h_prev, h, y, t, lengths)


@njit(cache=True, error_model="numpy")
def gru_step_back(dy, dhh, dh, act, h_prev, dgi, dgh, t, lengths):
    """As lstm_step_back; writes dgi (gradient of xp) and dgh (of hh + b_hh), and
    leaves in dh the direct part z * dh_t of the previous state's gradient. Short
    loops over a row, so that each vectorises (one loop over everything did not: 2x)."""
    nb, nh = dh.shape
    one = dy.dtype.type(1.0)
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                dh[b, j] += dhh[b, j]
            for j in range(3 * nh):
                dgi[b, j] = 0.0
                dgh[b, j] = 0.0
            continue
        for j in range(nh):  # dh <- the total gradient of h_t
            dh[b, j] = dy[b, j] + dh[b, j] + dhh[b, j]
        for j in range(nh):  # the n and z gates
            z = act[b, nh + j]
            n = act[b, 2 * nh + j]
            dht = dh[b, j]
            dpn = dht * (one - z) * (one - n * n)
            dgi[b, 2 * nh + j] = dpn
            dgh[b, 2 * nh + j] = dpn * act[b, j]
            dpz = dht * (h_prev[b, j] - n) * z * (one - z)
            dgi[b, nh + j] = dpz
            dgh[b, nh + j] = dpz
        for j in range(nh):  # the r gate, through n
            r = act[b, j]
            dpr = dgi[b, 2 * nh + j] * act[b, 3 * nh + j] * r * (one - r)
            dgi[b, j] = dpr
            dgh[b, j] = dpr
        for j in range(nh):
            dh[b, j] *= act[b, nh + j]


# ---- Elman RNN (tanh or relu) ----------------------------------------------------------------------
@njit(cache=True)
def rnn_output(v, h_prev, h, y, t, lengths):
    """h = y = v (the activated pre-activation); rows past their length carry h_prev, y = 0."""
    nb, nh = h_prev.shape
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            continue
        for j in range(nh):
            h[b, j] = v[b, j]
            y[b, j] = v[b, j]


@njit(cache=True, error_model="numpy")
def rnn_step32(xp, hh, h_prev, h, y, t, lengths, relu):
    """The whole float32 step: h = y = tanh or relu of xp + hh (NaN stays NaN, as
    np.maximum)."""
    nb, nh = h_prev.shape
    zero = _F(0.0)
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                h[b, j] = h_prev[b, j]
                y[b, j] = 0.0
            continue
        if relu:
            for j in range(nh):
                v = xp[b, j] + hh[b, j]
                h[b, j] = zero if v < zero else v
        else:
            for j in range(nh):
                h[b, j] = _tanh_f32(xp[b, j] + hh[b, j])
        for j in range(nh):
            y[b, j] = h[b, j]


def rnn_step(xp, hh, h_prev, h, y, t, lengths, relu):
    """One step; hh (B, H) = h W_hh^T may be overwritten."""
    if xp.dtype == np.float32:
        rnn_step32(xp, hh, h_prev, h, y, t, lengths, relu)
        return
    if relu:
        np.add(hh, xp, out=hh)
        np.maximum(hh, 0, out=hh)
    else:
        tanh(hh, hh, xp)
    rnn_output(hh, h_prev, h, y, t, lengths)


@njit(cache=True)
def rnn_step_back(dy, dhh, dh, h, dg, t, lengths, relu):
    nb, nh = dh.shape
    for b in range(nb):
        if t >= lengths[b]:
            for j in range(nh):
                dh[b, j] += dhh[b, j]
                dg[b, j] = 0.0
            continue
        for j in range(nh):
            dht = dy[b, j] + dh[b, j] + dhh[b, j]
            v = h[b, j]
            if relu:
                dg[b, j] = dht if v > 0 else 0.0
            else:
                dg[b, j] = dht * (1.0 - v * v)
            dh[b, j] = 0.0
