"""The time loop of a recurrent layer (one layer, one direction), forward and BPTT.

Two drivers run it, with the same bits (tests/nn/test_rnn_bits.py). Python can loop
over the steps: the hidden-to-hidden product `h @ W_hh^T` goes to BLAS
(blas.step_product into a reused buffer) and one cell kernel (kernels/rnn_cells.py)
does the rest; backward is one kernel and one GEMM per step. Or, for float32 when
NumPy's BLAS can be called from kernels (kernels/blas.py), one kernel call runs the
whole loop (kernels/rnn_fused.py): 7-9% faster on one thread, and with more threads
each thread of the pool (kernels/workers.py) runs it for a block of batch rows. The
fused loops take ~1.3 s to compile, so a layer's first steps use the Python loop; the
second time a layer runs (its weights' array seen again: the first step compiled
all it needs by then), the fused loops start compiling on a helper thread
(kernels/background.py), and layers switch to them once they are ready. No autograd
node is made per step either way. The Python loop projects the inputs of all steps
in one GEMM before it; each thread of the fused loop projects its rows' inputs a few
steps at a time (a product of ~256 rows), which then stay in its cache until those
steps read them: no (T, B, G) array goes through memory, and the projection runs in
the loop's parallel region rather than one of its own (LSTM on two threads: 0.41 ms
of a 5.6 ms training step). Both loops record each step's left operands
[h_prev | x_t | 1] in one array `z` (T, B, H + I + 1, rows padded to whole cache
lines), so the weight gradients are GEMMs over it after the loop: one for LSTM and
RNN, whose two products share the gradient of the pre-activations (split over the
pool by workers.matmul when large).

Layout: time-major, C-contiguous. `xp` (T, B, G) is the input projection; `lengths`
(B,) int64 (T for every row when the batch isn't packed). In the reverse direction
the padded steps come first, so each sequence starts from h0 at its own last valid
step, as PyTorch's packed sequences do.

`cells` is the module of step functions the Python driver calls: the Numba kernels by
default, their NumPy twins in the tests.
"""
import numpy as np

from ..threads import get_num_threads
from . import aligned, background, blas, rnn_cells, rnn_fused, workers

# Rows a thread needs before splitting the batch pays: with fewer, each thread's
# per-step product is too small for BLAS to run efficiently (benchmarks/notes_rnn.md).
PARALLEL_MIN_ROWS = 8


class Plan:
    """How a layer call runs: `fn` the BLAS address for the fused loop (0: the Python
    loop) and `rows` the batch boundaries of the threads' blocks (P + 1,) int64."""

    def __init__(self, fn, rows):
        self.fn, self.rows = fn, rows

    @property
    def parallel(self):
        return self.rows.shape[0] > 2


def _compile_fused(mode):
    for direction in ("forward", "backward"):
        name = f"{mode.lower()}_{direction}"
        getattr(rnn_fused, name).compile(rnn_fused.SIGNATURES[name])


FUSED = {mode: background.Job(f"the fused {mode} time loop", lambda mode=mode: _compile_fused(mode))
         for mode in ("LSTM", "GRU", "RNN")}


def plan(mode, nb, dtype, weights=None):
    """The fused loop for float32 when the kernels can call BLAS and its kernels are
    compiled, on as many threads as `set_num_threads` allows and the batch of `nb`
    rows fills; else the Python loop. `weights` (the layer's W_hh array) tells a
    layer's second call, which asks for the fused loop's compile."""
    fn = blas.address(dtype) if np.dtype(dtype) == np.float32 else 0
    if not fn:
        return _PYTHON_LOOP
    job = FUSED[mode]
    if not job.ready:
        background.request_on_second_call(job, weights)
        return _PYTHON_LOOP
    parts = max(1, min(get_num_threads(), nb // PARALLEL_MIN_ROWS))
    return Plan(fn, (np.arange(parts + 1, dtype=np.int64) * nb) // parts)


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


def _weight_grads(dxp, dhh, z, nh, ki):
    """(dW_hh, [dW_ih | db]) from the step inputs z = [h_prev | x | 1 | pad] (T, B, >= H
    + ki): sum_t dhh_t^T h_prev(t) and sum_t dxp_t^T [x_t | 1]. When the two gradients
    are one (LSTM, RNN) both come out of one GEMM against all of z: dg read once (LSTM
    on two threads: 1.13 ms against 1.28 for two products). Split over the threads when
    large."""
    nt, nb, ng = dhh.shape
    z2 = z.reshape(nt * nb, z.shape[2])[:, :nh + ki]  # without the padding: its columns cost 9% more
    if dhh is dxp:
        dw = workers.matmul(dxp.reshape(-1, ng).T, z2)
        return dw[:, :nh], dw[:, nh:]
    return (workers.matmul(dhh.reshape(-1, ng).T, z2[:, :nh]),
            workers.matmul(dxp.reshape(-1, ng).T, z2[:, nh:]))


def step_inputs(x, nh, ki):
    """z (T, B, H + ki, padded with zero columns to whole cache lines): [ . | x_t | 1]
    per step (the ones when ki > I: a bias as the weight of a column of ones). The loops
    write h_prev(t), the state step t starts from, into the first H columns, so z ends
    up holding every product's left operand: the weight gradients are one GEMM over it.
    The padding aligns every row for the weight GEMM, which reads the 161 real columns
    only: MKL's dg^T z (LSTM: 512 x 1600 by 1600 x 161, from memory, Xeon) took 1.99 ms
    with rows of 161 columns and 1.94 with 176 on one thread, 1.20 and 1.17 on two;
    OpenBLAS's (EPYC) 2.82 ms over all 176 columns and 2.65 over the first 161."""
    nt, nb, ni = x.shape
    width = -(-(nh + ki) * x.itemsize // aligned.ALIGN) * aligned.ALIGN // x.itemsize
    z = aligned.empty((nt, nb, width), x.dtype)
    z[:, :, nh:nh + ni] = x
    if ki > ni:
        z[:, :, nh + ni] = 1
    z[:, :, nh + ki:] = 0
    return z


_PYTHON_LOOP = Plan(0, np.zeros(2, np.int64))


def _fused(name, plan, nb):
    """run(*args): the fused driver `name` (e.g. 'lstm_forward') on every row block of
    `plan`, one pool task each (or on all rows in this thread)."""
    driver = getattr(rnn_fused, name)
    fn, rows = plan.fn, plan.rows
    if not plan.parallel:
        return lambda *args: driver(fn, 0, nb, *args)
    return lambda *args: workers.run(lambda i: driver(fn, rows[i], rows[i + 1], *args), rows.shape[0] - 1)


def input_projection(z, nh, w_in_t):
    """[x_t | 1] @ w_in_t for every step at once, (T, B, G), from the step inputs z: the
    Python loop's input projection, through the gemm the fused loops call (same bits:
    their per-thread products of a few steps' rows give each element as this one does)."""
    nt, nb, k = z.shape
    ng = w_in_t.shape[1]
    xp = aligned.empty((nt * nb, ng), z.dtype)
    workers.matmul(z.reshape(nt * nb, k)[:, nh:nh + w_in_t.shape[0]], w_in_t, out=xp, like_kernels=True)  # split when large
    return xp.reshape(nt, nb, ng)


def recurrence_forward(mode, x, w_in, w_hh, b_hh, h0, c0, lengths, reverse, relu=False, cells=rnn_cells,
                       plan=_PYTHON_LOOP, scale=None):
    """Run the recurrence over x (T, B, I). Returns (y (T, B, H), h_n, c_n or None,
    saved) where `saved` is what `recurrence_backward` needs. w_in (G, I + 1) is
    [W_ih | b] (a bias as the weight of a column of ones; (G, I) without one), w_hh
    (G, H), and b_hh (GRU only: the others fold it into b); all come with their rows
    scaled by `gate_scale`, or are scaled here when it is given as `scale`. Everything
    shares x's dtype and is C-contiguous. `plan` (from `plan()`) picks the fused loop,
    which projects the inputs a few steps at a time inside each thread's loop; the
    default is the Python loop on `cells`, after one product for all steps. A zero h0
    (a layer called without hx) skips the first step's product."""
    nt, nb, _ = x.shape
    ng, nh = w_hh.shape
    dtype = x.dtype
    w_t = aligned.transposed(w_hh, scale)  # (H, G)
    w_in_t = aligned.transposed(w_in, scale)  # (I (+1), G)
    z = step_inputs(x, nh, w_in.shape[1])
    xp = None if plan.fn else input_projection(z, nh, w_in_t)
    hs = aligned.empty((nt, nb, nh), dtype)
    y = aligned.empty_like(hs)
    if lengths is None:
        lengths = np.full(nb, nt, np.int64)
    hh = aligned.empty((nb, ng), dtype)
    h0_zero = not h0.any()
    saved = {"hs": hs, "z": z, "ki": w_in.shape[1], "lengths": lengths, "reverse": reverse, "relu": relu,
             "plan": plan}
    last = 0 if reverse else nt - 1  # the step that holds the final states
    if mode == "LSTM":
        cs = aligned.empty_like(hs)
        tcs = aligned.empty_like(hs)
        act = aligned.empty((nt, nb, ng), dtype)
        saved.update(cs=cs, tcs=tcs, act=act, c0=c0)
        if plan.fn:
            run = _fused("lstm_forward", plan, nb)
            run(z, w_in_t, w_t, h0, c0, lengths, reverse, h0_zero, act, tcs, hs, cs, y)
            return y, hs[last], cs[last], saved
        h, c = h0, c0
        product = blas.step_product(w_t, hh)
        for t in _order(nt, reverse):
            z[t, :, :nh] = h
            hh.fill(0) if h0_zero and h is h0 else product(h)  # a zero state's product is zero
            cells.lstm_step(hh, xp[t], h, c, act[t], tcs[t], hs[t], cs[t], y[t], t, lengths)
            h, c = hs[t], cs[t]
        return y, h, c, saved
    if mode == "GRU":
        act = aligned.empty((nt, nb, 4 * nh), dtype)
        saved.update(act=act)
        if plan.fn:
            run = _fused("gru_forward", plan, nb)
            run(z, w_in_t, w_t, b_hh, h0, lengths, reverse, h0_zero, act, hs, y)
            return y, hs[last], None, saved
        h = h0
        product = blas.step_product(w_t, hh)
        for t in _order(nt, reverse):
            z[t, :, :nh] = h
            hh.fill(0) if h0_zero and h is h0 else product(h)  # a zero state's product is zero
            cells.gru_step(xp[t], hh, b_hh, h, act[t], hs[t], y[t], t, lengths)
            h = hs[t]
        return y, h, None, saved
    if plan.fn:
        run = _fused("rnn_forward", plan, nb)
        run(z, w_in_t, w_t, h0, lengths, reverse, h0_zero, relu, hs, y)
        return y, hs[last], None, saved
    h = h0
    product = blas.step_product(w_t, hh)
    for t in _order(nt, reverse):
        z[t, :, :nh] = h
        hh.fill(0) if h0_zero and h is h0 else product(h)  # a zero state's product is zero
        cells.rnn_step(xp[t], hh, h, hs[t], y[t], t, lengths, relu)
        h = hs[t]
    return y, h, None, saved


def recurrence_backward(mode, saved, w_hh, h0, dy, dhn, dcn, cells=rnn_cells, want_dh0=True):
    """BPTT over the whole sequence (w_hh unscaled). dy (T, B, H) is the gradient of
    y, dhn/dcn of the final states. Returns (dxp (T, B, G), dh0, dc0 or None,
    dhh_all, dW_hh, dW_in) where dhh_all (T, B, G) is the gradient of the per-step
    h @ W_hh^T (+ b_hh) and dW_in that of w_in, [dW_ih | db] (views of one array for
    LSTM and RNN). Runs on the driver the forward ran on. Without `want_dh0` the
    last step's product, which only feeds h0's gradient, is skipped (dh0 is then
    incomplete: the caller drops it)."""
    h0 = np.ascontiguousarray(h0, dtype=saved["hs"].dtype)
    if saved["plan"].fn:
        dxp, dh0, dc0, dhh = _backward_fused(mode, saved, w_hh, h0, dy, dhn, dcn, want_dh0)
    else:
        dxp, dh0, dc0, dhh = _backward_loop(mode, saved, w_hh, h0, dy, dhn, dcn, cells, want_dh0)
    return (dxp, dh0, dc0, dhh) + _weight_grads(dxp, dhh, saved["z"], w_hh.shape[1], saved["ki"])


def _backward_fused(mode, saved, w_hh, h0, dy, dhn, dcn, want_dh0):
    hs, lengths, reverse, plan = saved["hs"], saved["lengths"], saved["reverse"], saved["plan"]
    nt, nb, nh = hs.shape
    ng = w_hh.shape[0]
    dtype = hs.dtype
    dh = aligned.copy(dhn, dtype)  # copies: updated in place
    if mode == "LSTM":
        dc = aligned.copy(dcn, dtype)
        dg = aligned.empty((nt, nb, ng), dtype)
        run = _fused("lstm_backward", plan, nb)
        run(w_hh, dy, saved["act"], saved["tcs"], saved["cs"], saved["c0"], lengths, reverse, want_dh0, dh, dc,
            dg)
        return dg, dh, dc, dg
    if mode == "GRU":
        dgi = aligned.empty((nt, nb, ng), dtype)
        dgh = aligned.empty((nt, nb, ng), dtype)
        run = _fused("gru_backward", plan, nb)
        run(w_hh, dy, saved["act"], hs, h0, lengths, reverse, want_dh0, dh, dgi, dgh)
        return dgi, dh, None, dgh
    dg = aligned.empty((nt, nb, ng), dtype)
    run = _fused("rnn_backward", plan, nb)
    run(w_hh, dy, hs, lengths, reverse, want_dh0, saved["relu"], dh, dg)
    return dg, dh, None, dg


def _backward_loop(mode, saved, w_hh, h0, dy, dhn, dcn, cells, want_dh0):
    hs, lengths, reverse = saved["hs"], saved["lengths"], saved["reverse"]
    nt, nb, nh = hs.shape
    ng = w_hh.shape[0]
    dtype = hs.dtype
    dh = aligned.copy(dhn, dtype)  # copies: updated in place
    dhh = aligned.zeros((nb, nh), dtype)
    w_hh = aligned.copy(w_hh, dtype)
    order = _order(nt, not reverse)
    first = order[-1] if nt else None  # the step that started from h0: its product feeds only h0's gradient
    if mode == "LSTM":
        back = cells.lstm_step_back
        act, tcs, cs = saved["act"], saved["tcs"], saved["cs"]
        c0 = saved["c0"]
        dc = aligned.copy(dcn, dtype)
        dg = aligned.empty((nt, nb, ng), dtype)
        product = blas.step_product(w_hh, dhh)
        for t in order:
            back(dy[t], dhh, dh, dc, act[t], _prev(cs, c0, t, reverse), tcs[t], dg[t], t, lengths)
            if want_dh0 or t != first:
                product(dg[t])
        if want_dh0:
            dh += dhh
        return dg, dh, dc, dg
    if mode == "GRU":
        back = cells.gru_step_back
        act = saved["act"]
        dgi = aligned.empty((nt, nb, ng), dtype)
        dgh = aligned.empty((nt, nb, ng), dtype)
        product = blas.step_product(w_hh, dhh)
        for t in order:
            back(dy[t], dhh, dh, act[t], _prev(hs, h0, t, reverse), dgi[t], dgh[t], t, lengths)
            if want_dh0 or t != first:
                product(dgh[t])
        if want_dh0:
            dh += dhh
        return dgi, dh, None, dgh
    back = cells.rnn_step_back
    dg = aligned.empty((nt, nb, ng), dtype)
    relu = saved["relu"]
    product = blas.step_product(w_hh, dhh)
    for t in order:
        back(dy[t], dhh, dh, hs[t], dg[t], t, lengths, relu)
        if want_dh0 or t != first:
            product(dg[t])
    if want_dh0:
        dh += dhh
    return dg, dh, None, dg
