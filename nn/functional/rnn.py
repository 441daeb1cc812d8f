"""The recurrent cells as functions (torch's `lstm_cell`, `gru_cell`, `rnn_tanh_cell`,
`rnn_relu_cell`) with their shape and dtype checks; the ops are
autograd_lite.ops.rnn's."""
import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError, document_from_table
from autograd_lite.ops import rnn as rnn_ops

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(ag.bfloat16))


def _check_cell(op, input, hx, w_ih, w_hh, b_ih, b_hh, gates):
    if input.ndim != 2 or w_ih.ndim != 2 or w_hh.ndim != 2:
        raise ShapeError(f"{op}: expected 2-D input (batch, input_size) and weights, got input "
                         f"{tuple(input.shape)}, w_ih {tuple(w_ih.shape)}, w_hh {tuple(w_hh.shape)}")
    nh = w_hh.shape[1]
    if tuple(w_hh.shape) != (gates * nh, nh) or tuple(w_ih.shape) != (gates * nh, input.shape[1]):
        raise ShapeError(f"{op}: weights w_ih {tuple(w_ih.shape)} and w_hh {tuple(w_hh.shape)} don't "
                         f"fit input {tuple(input.shape)} (expected ({gates}*hidden, input_size) "
                         f"and ({gates}*hidden, hidden))")
    for b, name in ((b_ih, "b_ih"), (b_hh, "b_hh")):
        if b is not None and tuple(b.shape) != (gates * nh,):
            raise ShapeError(f"{op}: {name} of shape {tuple(b.shape)}, expected ({gates * nh},)")
    for s in hx:
        if tuple(s.shape) != (input.shape[0], nh):
            raise ShapeError(f"{op}: hidden state of shape {tuple(s.shape)}, expected "
                             f"{(input.shape[0], nh)} for input {tuple(input.shape)}")
    _check_dtypes(op, input, list(hx) + [w_ih, w_hh, b_ih, b_hh])


def _check_dtypes(op, input, others):
    if input.dtype not in _FLOATS:
        raise TypeError(f"{op}: expected a float32, float64 or bfloat16 input, got {input.dtype}")
    for t in others:
        if t is not None and t.dtype != input.dtype:
            raise TypeError(f"{op}: expected all tensors of the input's dtype {input.dtype}, "
                            f"got one of {t.dtype} (shape {tuple(t.shape)})")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step for input (B, I), hx = (h, c): returns (h', c')."""
    h, c = hx
    _check_cell("lstm_cell", input, (h, c), w_ih, w_hh, b_ih, b_hh, 4)
    return rnn_ops.LSTMCell.apply(input, h, c, w_ih, w_hh, b_ih, b_hh, mode="LSTM")


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell("gru_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 3)
    return rnn_ops.OneOutputCell.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh, mode="GRU")


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell("rnn_tanh_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 1)
    return rnn_ops.OneOutputCell.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh, mode="RNN_TANH")


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell("rnn_relu_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 1)
    return rnn_ops.OneOutputCell.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh, mode="RNN_RELU")


document_from_table("nn.functional.rnn", globals())
