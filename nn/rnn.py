"""RNN, LSTM, GRU and their cells, with PyTorch's parameters, shapes, gate order,
initialisation, inputs and outputs (so PyTorch weights load unchanged).

A layer runs each layer and direction's whole time loop in one fused op
(autograd_lite/ops/rnn.py); PackedSequence input runs in the same kernels with per-row
lengths. The cells are single ops too, for explicit Python loops. An LSTM with
projections (proj_size > 0) runs as a composition of ordinary ops per step.
"""
import math
import numbers
import warnings

import autograd_lite as ag
from autograd_lite.ops import rnn as rnn_ops

from . import init
from .functional import rnn as rnn_cells
from .module import DirectParameters, Module
from .parameter import Parameter
from .utils.rnn import PackedSequence, _packed_to_padded, _padded_to_packed

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU; `mode` is 'LSTM', 'GRU', 'RNN_TANH'
    or 'RNN_RELU'."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if mode not in rnn_ops.GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}")
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = rnn_ops.GATES[mode] * hidden_size
        nd = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size  # the size of h
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for d in range(nd):
                layer_in = input_size if layer == 0 else real_hidden * nd
                suffix = "_reverse" if d == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_in)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:  # last, as PyTorch registers it
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in shapes:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(ag.empty(shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def flatten_parameters(self):
        """PyTorch compacts weights for cuDNN here; there is nothing to do on NumPy."""

    @property
    def all_weights(self):
        """The parameters per layer and direction: `[[weight_ih, weight_hh, bias_ih, bias_hh], ...]`."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self):
        """(w_ih, w_hh, b_ih, b_hh) per layer and direction, PyTorch's order; with
        projections a fifth entry w_hr."""
        out = []
        for names in self._all_weights:
            ws = [getattr(self, n) for n in names]
            w = ws[:4] if self.bias else [ws[0], ws[1], None, None]
            if self.proj_size > 0:
                w.append(ws[-1])  # weight_hr, registered last
            out.append(tuple(w))
        return out

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:  # right after hidden_size, as torch
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ---------------------------------------------------------------------------
    def _check_input(self, input, expected_dim):
        name = type(self).__name__
        if input.ndim != expected_dim:
            raise RuntimeError(f"{name}: input must have {expected_dim} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        wdtype = self.weight_ih_l0.dtype
        if input.dtype != wdtype:
            raise ValueError(f"{name}: input must have the type {wdtype}, got type {input.dtype}")

    def _check_hidden(self, hx, batch, what="hidden", size=None):
        nd = 2 if self.bidirectional else 1
        expected = (self.num_layers * nd, batch, self.hidden_size if size is None else size)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"{type(self).__name__}: Expected {what} size {expected}, got "
                               f"{list(hx.shape)}")
        if hx.dtype != self.weight_ih_l0.dtype:
            raise ValueError(f"{type(self).__name__}: {what} must have the type "
                             f"{self.weight_ih_l0.dtype}, got type {hx.dtype}")

    def forward(self, input, hx=None):
        """Run the whole sequence: `input` (L, N, input_size) (N first with `batch_first`),
        (L, input_size) unbatched, or a PackedSequence; `hx` the initial state (zeros when
        None; a pair `(h_0, c_0)` for LSTM), (num_layers * directions, N, hidden_size).
        Returns `(output, h_n)` (`(output, (h_n, c_n))` for LSTM), `output` (L, N,
        directions * hidden_size) or a PackedSequence.

        Raises RuntimeError or ValueError naming the layer for a wrong rank, size or dtype
        of the input or state, and for an empty sequence."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        nd = 2 if self.bidirectional else 1
        packed = isinstance(input, PackedSequence)
        lengths = None
        if packed:
            self._check_input(input.data, 2)
            x, lengths = _packed_to_padded(input)
            batch = x.shape[1]
            is_batched = True
        else:
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
            is_batched = input.ndim == 3
            self._check_input(input, 3 if is_batched else 2)
            x = input if is_batched else ag.unsqueeze(input, 1)
            if is_batched and self.batch_first:
                x = ag.transpose(x, 0, 1)
            batch = x.shape[1]
        if x.shape[0] == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0 in RNN")
        states = self._initial_states(hx, batch, is_batched, x.dtype, nd)
        out, hidden = rnn_ops.rnn(self.mode, x, states if lstm else states[0], self._layer_weights(),
                             self.num_layers, self.bidirectional, self.dropout, self.training,
                             lengths)
        if packed:
            return _padded_to_packed(out, input), hidden
        if not is_batched:
            out = ag.squeeze(out, 1)
            hidden = (ag.squeeze(hidden[0], 1), ag.squeeze(hidden[1], 1)) if lstm else ag.squeeze(hidden, 1)
        elif self.batch_first:
            out = ag.transpose(out, 0, 1)
        return out, hidden

    def _initial_states(self, hx, batch, is_batched, dtype, nd):
        """hx as a list of (L*D, B, H) tensors (two for LSTM), zeros when None. With
        projections h is (L*D, B, proj_size), c (L*D, B, H)."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        sizes = [self.proj_size or self.hidden_size] + ([self.hidden_size] if lstm else [])
        if hx is None:
            return [ag.zeros((self.num_layers * nd, batch, n), dtype=dtype) for n in sizes]
        if lstm != isinstance(hx, (tuple, list)) or (lstm and len(hx) != 2):
            want = "a tuple (h_0, c_0)" if lstm else "a single tensor h_0"
            raise RuntimeError(f"{name}: hx must be {want}, got {type(hx).__name__}")
        states = list(hx) if lstm else [hx]
        want = 3 if is_batched else 2
        if any(s.ndim != want for s in states):
            dims = ", ".join(f"{s.ndim}-D" for s in states)
            kind = "batched 3-D" if is_batched else "unbatched 2-D"
            what = "hx and cx" if lstm else "hx"
            raise RuntimeError(f"{name}: For {kind} input, {what} should also be {want}-D but got "
                               f"({dims}) tensor(s)")
        if not is_batched:
            states = [ag.unsqueeze(s, 1) for s in states]
        for i, (s, n) in enumerate(zip(states, sizes)):
            self._check_hidden(s, batch, f"hidden[{i}]" if lstm else "hidden", n)
        return states


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
    Arguments as PyTorch: (input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self_nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self_nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self_nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self_nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = self_nonlinearity


class LSTM(RNNBase):
    """LSTM with gates (i, f, g, o); forward(input, (h_0, c_0)=None) ->
    (output, (h_n, c_n))."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """GRU with gates (r, z, n), n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ---- cells ---------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """The shared parameters of the cells: `weight_ih` (chunks * hidden_size,
    input_size), `weight_hh` (chunks * hidden_size, hidden_size) and the biases, where
    chunks is 1 (RNN), 4 (LSTM) or 3 (GRU)."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(ag.empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(ag.empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(ag.empty((num_chunks * hidden_size,), dtype=dtype))
            self.bias_hh = Parameter(ag.empty((num_chunks * hidden_size,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = self.__dict__.get("nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _batched(self, input, hx):
        """(input (B, I), hx or None, is_batched) with 1-D input lifted to a batch of 1."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for s in (hx if isinstance(hx, tuple) else (hx,)):
            if s is not None and s.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {s.ndim}D instead")
        if input.ndim == 2:
            return input, hx, True
        if isinstance(hx, tuple):
            hx = tuple(ag.unsqueeze(s, 0) for s in hx)
        elif hx is not None:
            hx = ag.unsqueeze(hx, 0)
        return ag.unsqueeze(input, 0), hx, False

    def _zeros(self, input):
        return ag.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)

    def _weights(self):
        """(weight_ih, weight_hh, bias_ih, bias_hh): see DirectParameters (the four reads
        through Module.__getattr__ were a tenth of a small cell's Python time)."""
        return _CELL_WEIGHTS(self, _OWN_CELLS)


class RNNCell(RNNCellBase):
    """One Elman step, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu with
    `nonlinearity="relu"`).

    forward(input (N, input_size) or (input_size,), hx=None) -> h' (N, hidden_size);
    hx defaults to zeros. One fused op per call."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        """One step: `input` (N, input_size) or (input_size,), `hx` (N, hidden_size) or None
        (zeros) -> h'. Raises ValueError for inputs that are not 1-D or 2-D."""
        x, hx, batched = self._batched(input, hx)
        if hx is None:
            hx = self._zeros(x)
        if self.nonlinearity == "tanh":
            fn = rnn_cells.rnn_tanh_cell
        elif self.nonlinearity == "relu":
            fn = rnn_cells.rnn_relu_cell
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = fn(x, hx, *self._weights())
        return h if batched else ag.squeeze(h, 0)


class LSTMCell(RNNCellBase):
    """One LSTM step with gates (i, f, g, o), as PyTorch's.

    forward(input (N, input_size) or (input_size,), (h, c)=None) -> (h', c'), each
    (N, hidden_size); the state defaults to zeros. One fused op per call, so a Python
    loop over time steps backpropagates through time."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        """One step: `input` (N, input_size) or (input_size,), `hx` = (h, c) or None (zeros)
        -> (h', c'). Raises ValueError for inputs that are not 1-D or 2-D."""
        x, hx, batched = self._batched(input, hx)
        if hx is None:
            z = self._zeros(x)
            hx = (z, z)
        h, c = rnn_cells.lstm_cell(x, hx, *self._weights())
        return (h, c) if batched else (ag.squeeze(h, 0), ag.squeeze(c, 0))


class GRUCell(RNNCellBase):
    """One GRU step with gates (r, z, n), as PyTorch's.

    forward(input (N, input_size) or (input_size,), hx=None) -> h' (N, hidden_size)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        """One step: `input` (N, input_size) or (input_size,), `hx` (N, hidden_size) or None
        (zeros) -> h'. Raises ValueError for inputs that are not 1-D or 2-D."""
        x, hx, batched = self._batched(input, hx)
        if hx is None:
            hx = self._zeros(x)
        h = rnn_cells.gru_cell(x, hx, *self._weights())
        return h if batched else ag.squeeze(h, 0)


_OWN_CELLS = (RNNCell, LSTMCell, GRUCell)  # no subclass: a property can't shadow a parameter
_CELL_WEIGHTS = DirectParameters("weight_ih", "weight_hh", "bias_ih", "bias_hh")
