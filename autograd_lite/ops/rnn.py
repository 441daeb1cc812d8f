"""Recurrent cells and layers as ops (nn.functional.rnn checks the cells' arguments;
nn.RNN/LSTM/GRU check the layers').

- The cells (`LSTMCell`, `OneOutputCell` for GRU and RNN) are each one op: two GEMMs and one fused Numba step kernel forward, the
  closed-form backward in NumPy. A user's Python loop over cells is imperative BPTT.
- `recurrent_layer` runs the whole time loop of one layer and direction as one op:
  the input projection, the recurrence and its BPTT in kernels/rnn_loop.py, the
  weight gradients as one GEMM each over all steps.
- `rnn` stacks layers and directions (PyTorch's nn.RNN/LSTM/GRU semantics,
  time-major input).
- LSTM with projections (proj_size > 0: h_t = W_hr (o_t * tanh(c_t))) has no fused
  op: `layer_ops` runs it as a composition of ordinary ops, so its gradients (and
  higher-order ones) come from their rules.

Under `create_graph=True` both kinds of op also rebuild their forward from the saved
inputs as a composition of ordinary ops (`*_cell_ops`, `layer_ops`) and
differentiate that, so higher-order gradients work; the gradients keep the kernels'
values (ops/fused.py), the same bits as without create_graph. The compositions are also the
reference the fused paths are tested against.
"""
import functools

import numpy as np

from .. import _dtypes
from ..autograd.api import grad as autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ..threads import one_blas_thread
from ._summation import accurate_sum
from ._util import const, wide
from .dropout import dropout
from .fused import kernel_valued_all
from . import elementwise
from .elementwise import sigmoid, tanh, where
from .linear import linear
from .shape import cat, chunk, stack, unsqueeze

GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_DISPLAY = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNNTanh", "RNN_RELU": "RNNReLU"}


def _kmode(mode):
    """The kernels' mode name and whether the RNN uses relu."""
    return ("RNN", mode == "RNN_RELU") if mode.startswith("RNN") else (mode, False)


# ---- compositions of ordinary ops (create_graph path and test reference) -------------------------
def lstm_cell_ops(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i, f, g, o = chunk(gates, 4, 1)
    c2 = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c2), c2


def gru_cell_ops(x, h, w_ih, w_hh, b_ih, b_hh):
    xr, xz, xn = chunk(linear(x, w_ih, b_ih), 3, 1)
    hr, hz, hn = chunk(linear(h, w_hh, b_hh), 3, 1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    return (1 - z) * n + z * h


def rnn_cell_ops(x, h, w_ih, w_hh, b_ih, b_hh, relu=False):
    v = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    return elementwise.relu(v) if relu else tanh(v)


def layer_ops(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, lengths=None, reverse=False, w_hr=None):
    """One layer and direction over x (T, B, I) step by step: (y, h_n[, c_n]). An LSTM
    with projections (PyTorch's proj_size > 0) passes w_hr (P, H): h = W_hr (o * tanh(c)),
    so h0 is (B, P) and w_hh (4H, P)."""
    kmode, relu = _kmode(mode)
    nt = x.shape[0]
    ys = [None] * nt
    h, c = h0, c0
    steps = range(nt - 1, -1, -1) if reverse else range(nt)
    for t in steps:
        if kmode == "LSTM":
            hn, cn = lstm_cell_ops(x[t], h, c, w_ih, w_hh, b_ih, b_hh)
            if w_hr is not None:
                hn = linear(hn, w_hr)
        elif kmode == "GRU":
            hn = gru_cell_ops(x[t], h, w_ih, w_hh, b_ih, b_hh)
        else:
            hn = rnn_cell_ops(x[t], h, w_ih, w_hh, b_ih, b_hh, relu)
        if lengths is None:
            ys[t] = h = hn
            if kmode == "LSTM":
                c = cn
        else:
            m = const((t < lengths)[:, None])
            ys[t] = where(m, hn, const(np.zeros((), x.dtype)))
            h = where(m, hn, h)
            if kmode == "LSTM":
                c = where(m, cn, c)
    y = stack(ys, 0)
    return (y, h, c) if kmode == "LSTM" else (y, h)


# ---- create_graph: differentiate the composition --------------------------------------------------
class _Alias(Op):
    """Identity with its own node, so autograd.grad can ask for the gradient through
    exactly this use of a tensor (not through other paths that reach it)."""

    def forward(ctx, x):
        return x

    def backward(ctx, g):
        return g


def _grads_by_composition(ctx, grads, compose):
    """The op's input gradients as a recorded graph: rerun `compose` on aliases of
    the saved inputs under grad mode and differentiate it with create_graph."""
    inputs = ctx.saved_tensors
    edges = ctx.next_functions
    args = [_Alias.apply(t) if e is not None else t for t, e in zip(inputs, edges)]
    wanted = [i for i, e in enumerate(edges[:len(inputs)]) if e is not None]
    with enable_grad():
        outs = compose(*args)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad]
        res = autograd_grad([o for o, _ in pairs], [args[i] for i in wanted],
                             grad_outputs=[g for _, g in pairs], create_graph=True,
                             allow_unused=True)
    result = [None] * len(edges)
    for i, g in zip(wanted, res):
        result[i] = g
    return tuple(result)


def _widened_kernel_grads(kernel_grads):
    """`_kernel_grads` of a bfloat16 op: the kernels run in float32 (as its forward did),
    the gradients are rounded to bfloat16 once."""
    def run(ctx, grads):
        saved = ctx.saved_tensors
        if saved[0]._data.dtype != _dtypes.bfloat16:
            return kernel_grads(ctx, grads, saved)
        saved = [None if t is None else const(t._data.astype(np.float32)) for t in saved]
        grads = [None if g is None else const(g._data.astype(np.float32)) for g in grads]
        out = kernel_grads(ctx, grads, saved)
        return [None if a is None else _dtypes.cast(a, _dtypes.bfloat16) for a in out]

    return run


# Small constant arrays a cell step reuses. Never written; left writeable, since Numba
# compiles a separate variant of a kernel for read-only arrays.
@functools.lru_cache(maxsize=64)
def _gate_scale(kmode, nh, dtype):
    return kernels.rnn_loop.gate_scale(kmode, nh, dtype)


@functools.lru_cache(maxsize=64)
def _ones(nb):
    """lengths (B,): one step for every row."""
    return np.ones(nb, np.int64)


@functools.lru_cache(maxsize=64)
def _zeros(n, dtype):
    return np.zeros(n, dtype)


def _data(t, dtype):
    return None if t is None else np.ascontiguousarray(t, dtype=dtype)


# ---- the cells as single ops --------------------------------------------------------------------
class _CellOp(Op):
    """One step of a cell: inputs (x, h, c, w_ih, w_hh, b_ih, b_hh); c is None for
    GRU/RNN. Outputs h' (and c' for LSTM)."""

    save_inputs = (0, 1, 2, 3, 4, 5, 6)

    def name(ctx):
        """As drawn by viz and named in errors: LSTMCellBackward, GRUCellBackward..."""
        return f"{_DISPLAY.get(getattr(ctx, 'mode', None), 'Recurrent')}CellBackward"

    @wide
    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh, mode):
        k = kernels.rnn_cells
        kmode, relu = _kmode(mode)
        ctx.mode, ctx.kmode, ctx.relu = mode, kmode, relu
        dtype = x.dtype
        nb, nh = h.shape
        ng = w_hh.shape[0]
        s = _gate_scale(kmode, nh, dtype)
        lengths = _ones(nb)
        xp = np.empty((nb, ng), dtype)
        hh = np.empty((nb, ng), dtype)
        bias = b_ih if b_hh is None or kmode == "GRU" else (b_hh if b_ih is None else b_ih + b_hh)
        fn = kernels.blas.address(dtype)
        if fn:  # both products and the scaling in one kernel call
            kernels.rnn_fused.cell_preactivations(
                fn, np.ascontiguousarray(x), np.ascontiguousarray(h), np.ascontiguousarray(w_ih),
                np.ascontiguousarray(w_hh), _zeros(ng, dtype) if bias is None else bias, s, xp, hh)
        else:
            np.matmul(x, w_ih.T, out=xp)
            if bias is not None:
                xp += bias
            np.matmul(h, w_hh.T, out=hh)
            xp *= s
            hh *= s
        hc = np.ascontiguousarray(h)
        hn = np.empty((nb, nh), dtype)
        y = np.empty((nb, nh), dtype)
        if kmode == "LSTM":
            ctx.act = np.empty((nb, 4 * nh), dtype)
            ctx.tc = np.empty((nb, nh), dtype)
            cn = np.empty((nb, nh), dtype)
            k.lstm_step(hh, xp, hc, np.ascontiguousarray(c), ctx.act, ctx.tc, hn, cn, y, 0, lengths)
            return hn, cn
        if kmode == "GRU":
            ctx.act = np.empty((nb, 4 * nh), dtype)
            bh = s * (0 if b_hh is None else b_hh)
            k.gru_step(xp, hh, bh, hc, ctx.act, hn, y, 0, lengths)
            return hn
        k.rnn_step(xp, hh, hc, hn, y, 0, lengths, relu)
        ctx.h_new = hn
        return hn.copy()

    def backward(ctx, *grads):
        kernel = ctx._kernel_grads(grads)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_grads_by_composition(ctx, grads, ctx._compose), kernel)
        return tuple(None if a is None else const(a) for a in kernel)

    @_widened_kernel_grads
    def _kernel_grads(ctx, grads, saved):
        """The inputs' gradients as arrays (None where not wanted), from the kernels."""
        k = kernels.rnn_cells
        x, h, c, w_ih, w_hh, b_ih, b_hh = saved
        edges = ctx.next_functions
        dtype = x.dtype
        xd, hd = x._data, h._data
        nb, nh = hd.shape
        lengths = _ones(nb)
        dy = np.ascontiguousarray(grads[0]._data, dtype=dtype)
        zero = np.zeros((nb, nh), dtype)
        dh = np.zeros((nb, nh), dtype)
        ng = w_hh._data.shape[0]
        if ctx.kmode == "LSTM":
            dc = np.array(grads[1]._data, dtype=dtype, order="C")
            dgi = np.empty((nb, ng), dtype)
            k.lstm_step_back(dy, zero, dh, dc, ctx.act, np.ascontiguousarray(c._data), ctx.tc, dgi,
                             0, lengths)
            dgh = dgi
        elif ctx.kmode == "GRU":
            dgi = np.empty((nb, ng), dtype)
            dgh = np.empty((nb, ng), dtype)
            k.gru_step_back(dy, zero, dh, ctx.act, np.ascontiguousarray(hd), dgi, dgh, 0, lengths)
        else:
            dgi = np.empty((nb, ng), dtype)
            k.rnn_step_back(dy, zero, dh, ctx.h_new, dgi, 0, lengths, ctx.relu)
            dgh = dgi
        out = [None] * 7
        if edges[0] is not None:
            out[0] = np.matmul(dgi, w_ih._data)
        if edges[1] is not None:
            out[1] = np.matmul(dgh, w_hh._data) + dh
        if ctx.kmode == "LSTM" and edges[2] is not None:
            out[2] = dc
        if edges[3] is not None:
            out[3] = np.matmul(dgi.T, xd)
        if edges[4] is not None:
            out[4] = np.matmul(dgh.T, hd)
        if edges[5] is not None:
            out[5] = accurate_sum(dgi, (0,))
        if edges[6] is not None:  # LSTM and RNN: the same gradient as b_ih's (a copy: two leaves)
            out[6] = out[5].copy() if dgh is dgi and out[5] is not None else accurate_sum(dgh, (0,))
        return out

    def _release(ctx):
        super()._release()
        ctx.act = ctx.tc = ctx.h_new = None

    def _compose(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        if ctx.kmode == "LSTM":
            return lstm_cell_ops(x, h, c, w_ih, w_hh, b_ih, b_hh)
        if ctx.kmode == "GRU":
            return gru_cell_ops(x, h, w_ih, w_hh, b_ih, b_hh)
        return rnn_cell_ops(x, h, w_ih, w_hh, b_ih, b_hh, ctx.relu)


class LSTMCell(_CellOp):
    multi_output = True


class OneOutputCell(_CellOp):
    multi_output = False


# ---- one layer and direction: the fused time loop -------------------------------------------------
class RecurrentLayer(Op):
    """y, h_n (, c_n) of one layer and direction over x (T, B, I), as one node."""

    save_inputs = (0, 1, 2, 3, 4, 5, 6)
    multi_output = True

    def name(ctx):
        """LSTMLayerBackward, GRULayerBackward...: one node per layer and direction."""
        return f"{_DISPLAY.get(getattr(ctx, 'mode', None), 'Recurrent')}LayerBackward"

    @wide
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse, lengths):
        with one_blas_thread():  # a time loop of small products: see threads.one_blas_thread
            return ctx._forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse, lengths)

    def _forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse, lengths):
        kmode, relu = _kmode(mode)
        ctx.mode, ctx.kmode, ctx.reverse, ctx.lengths = mode, kmode, reverse, lengths
        nb = x.shape[1]
        dtype = x.dtype
        nh = w_hh.shape[1]
        b = b_ih
        if b_hh is not None and kmode != "GRU":
            b = b_hh if b is None else b + b_hh
        s = _gate_scale(kmode, nh, dtype)
        # the input projection adds the bias too, as the weight of an input column of ones
        w_in = w_ih if b is None else np.concatenate([w_ih, b[:, None]], axis=1)
        bh = None
        if kmode == "GRU":
            bh = s * (0 if b_hh is None else b_hh)
        y, hn, cn, ctx.state = kernels.rnn_loop.recurrence_forward(
            kmode, np.ascontiguousarray(x), w_in, w_hh, bh, _data(h0, dtype), _data(c0, dtype), lengths,
            reverse, relu, plan=kernels.rnn_loop.plan(kmode, nb, dtype, w_hh), scale=s)
        if kmode == "LSTM":
            return y, hn.copy(), cn.copy()
        return y, hn.copy()

    def backward(ctx, *grads):
        with one_blas_thread():
            kernel = ctx._kernel_grads(grads)
        if is_grad_enabled():  # create_graph: the kernel's values, the composition's graph
            return kernel_valued_all(_grads_by_composition(ctx, grads, ctx._compose), kernel)
        return tuple(None if a is None else const(a) for a in kernel)

    @_widened_kernel_grads
    def _kernel_grads(ctx, grads, saved):
        """The inputs' gradients as arrays (None where not wanted), from the kernels."""
        x, h0, c0, w_ih, w_hh, b_ih, b_hh = saved
        edges = ctx.next_functions
        dtype = x.dtype
        nt, nb, ni = x.shape
        ng = w_ih.shape[0]
        dy = np.ascontiguousarray(grads[0]._data, dtype=dtype)
        dcn = grads[2]._data if ctx.kmode == "LSTM" else None
        dxp, dh0, dc0, dhh, dw_hh, dw_in = kernels.rnn_loop.recurrence_backward(
            ctx.kmode, ctx.state, np.ascontiguousarray(w_hh._data), h0._data, dy, grads[1]._data, dcn,
            want_dh0=edges[1] is not None)
        shared_bias = dhh is dxp  # LSTM and RNN: one gradient for both biases (summed in the forward)
        db = dw_in[:, ni] if dw_in.shape[1] > ni else None  # the weight of the inputs' ones column
        out = [None] * 7
        if edges[0] is not None:
            out[0] = kernels.workers.matmul(dxp.reshape(nt * nb, ng), w_ih._data).reshape(nt, nb, ni)
        if edges[1] is not None:
            out[1] = dh0
        if edges[2] is not None:
            out[2] = dc0
        if edges[3] is not None:
            out[3] = np.ascontiguousarray(dw_in[:, :ni])
        if edges[4] is not None:
            out[4] = np.ascontiguousarray(dw_hh)
        if edges[5] is not None:
            out[5] = db.copy()
        if edges[6] is not None:  # T*B rows: summed in blocks
            out[6] = db.copy() if shared_bias else accurate_sum(dhh.reshape(nt * nb, ng), (0,))
        return out

    def _release(ctx):
        super()._release()
        ctx.state = None  # the forward's saved activations (several MB for long sequences)

    def _compose(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        return layer_ops(ctx.mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, ctx.lengths, ctx.reverse)


def recurrent_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, lengths=None, reverse=False):
    """One layer and direction over x (T, B, I): (y (T, B, H), h_n[, c_n]). `lengths`
    (B,) int64 marks each row's valid steps (packed sequences)."""
    return RecurrentLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, bool(reverse), lengths)


def rnn(mode, input, hx, weights, num_layers, bidirectional, dropout_p, training, lengths=None):
    """Stacked layers over time-major input (T, B, I) with initial states hx
    ((L*D, B, H), or a pair for LSTM). `weights` lists (w_ih, w_hh, b_ih, b_hh) per
    layer and direction in PyTorch's order, with a fifth entry w_hr (P, H) for an
    LSTM with projections (then h0 is (L*D, B, P) and the output has P*D features).
    Returns (output, h_n) or (output, (h_n, c_n)); dropout acts between layers when
    training."""
    nd = 2 if bidirectional else 1
    lstm = mode == "LSTM"
    h0, c0 = hx if lstm else (hx, None)
    x = input
    hns, cns = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(nd):
            k = layer * nd + d
            w_ih, w_hh, b_ih, b_hh = weights[k][:4]
            if len(weights[k]) > 4:  # LSTM with projections: w_hr
                res = layer_ops(mode, x, h0[k], c0[k], w_ih, w_hh, b_ih, b_hh, lengths,
                                reverse=d == 1, w_hr=weights[k][4])
            else:
                res = recurrent_layer(mode, x, h0[k], c0[k] if lstm else None, w_ih, w_hh, b_ih,
                                      b_hh, lengths, reverse=d == 1)
            outs.append(res[0])
            hns.append(res[1])
            if lstm:
                cns.append(res[2])
        x = outs[0] if nd == 1 else cat(outs, 2)
        if dropout_p and training and layer < num_layers - 1:
            x = dropout(x, dropout_p)
    hn = _stacked(hns)
    if lstm:
        return x, (hn, _stacked(cns))
    return x, hn


def _stacked(states):
    """The layers' final states as one (L*D, B, H) tensor; one layer's as a view (the
    op's output is its own array: 3 us against stack's 12)."""
    return unsqueeze(states[0], 0) if len(states) == 1 else stack(states, 0)
