"""The recurrent cells as functions (torch's `lstm_cell`, `gru_cell`, `rnn_tanh_cell`,
`rnn_relu_cell`) with their shape and dtype checks; the ops are
autograd_lite.ops.rnn's."""
import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError, document_from_table
from autograd_lite.ops import rnn as rnn_ops

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(ag.bfloat16))
_Tensor = ag.Tensor


def _check_cell(op, input, hx, w_ih, w_hh, b_ih, b_hh, gates):
    """Shapes and dtypes of one cell step, read from the arrays (through Tensor.shape,
    which builds a Size per call, the checks took 7 us of a 36 us LSTMCell step)."""
    x, w_ih, w_hh = _array(input), _array(w_ih), _array(w_hh)
    xs, wis, whs = x.shape, w_ih.shape, w_hh.shape
    if len(xs) != 2 or len(wis) != 2 or len(whs) != 2:
        raise ShapeError(f"{op}: expected 2-D input (batch, input_size) and weights, got input "
                         f"{xs}, w_ih {wis}, w_hh {whs}")
    nh = whs[1]
    ng = gates * nh
    if whs != (ng, nh) or wis != (ng, xs[1]):
        raise ShapeError(f"{op}: weights w_ih {wis} and w_hh {whs} don't fit input {xs} (expected "
                         f"({gates}*hidden, input_size) and ({gates}*hidden, hidden))")
    arrays = [w_ih, w_hh]
    for b, name in ((b_ih, "b_ih"), (b_hh, "b_hh")):
        if b is not None:
            b = _array(b)
            if b.shape != (ng,):
                raise ShapeError(f"{op}: {name} of shape {b.shape}, expected ({ng},)")
            arrays.append(b)
    for s in hx:
        s = _array(s)
        if s.shape != (xs[0], nh):
            raise ShapeError(f"{op}: hidden state of shape {s.shape}, expected {(xs[0], nh)} for input {xs}")
        arrays.append(s)
    _check_dtypes(op, x, arrays)


def _array(t):
    """The array behind a tensor (or the argument as an array)."""
    return t._data if isinstance(t, _Tensor) else np.asarray(t)


def _check_dtypes(op, x, arrays):
    """x is float32, float64 or bfloat16, and so is each of `arrays` (`is` first: a
    dtype comparison costs ~0.2 us)."""
    dtype = x.dtype
    if dtype not in _FLOATS:
        raise TypeError(f"{op}: expected a float32, float64 or bfloat16 input, got {dtype}")
    for a in arrays:
        if a.dtype is not dtype and a.dtype != dtype:
            raise TypeError(f"{op}: expected all tensors of the input's dtype {dtype}, "
                            f"got one of {a.dtype} (shape {a.shape})")


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
