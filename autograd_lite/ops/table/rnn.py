"""Table entries of the recurrent cells (ops/rnn.py) as nn.functional.rnn's functions,
against torch's top-level `torch.lstm_cell`, `gru_cell`, `rnn_tanh_cell` and
`rnn_relu_cell`. Batch 3, input 4, hidden 2: the fused LSTM cell has four gates."""
import numpy as np

from ..opinfo import BF16_CANCELLING, OpInfo, S, T

F = "nn.functional.rnn."


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
_ONNX_GATES = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN": [0]}  # PyTorch's gate chunks in ONNX's order


def _gate_order(b, w, kmode, hidden):
    order = _ONNX_GATES[kmode]
    if len(order) == 1:
        return w
    chunks = b.split(w, [hidden] * len(order), 0)
    return b.op("Concat", [chunks[i] for i in order], axis=0)


def onnx_recurrence(b, node, inputs, x, h0, c0, reverse=False, lengths=None):
    """One ONNX LSTM/GRU/RNN node over x (T, B, I) from the op's weights (inputs 3-6:
    w_ih, w_hh, b_ih, b_hh); returns (Y (T, B, H), Y_h, Y_c). GRU uses
    linear_before_reset=1, PyTorch's formula. Shared with the fused layers' converter."""
    kmode = node.kmode
    hidden = b.in_shape(4)[1]
    w = b.unsqueeze(_gate_order(b, inputs[3], kmode, hidden), [0])
    r = b.unsqueeze(_gate_order(b, inputs[4], kmode, hidden), [0])
    bias = None
    if inputs.arg(5) is not None or inputs.arg(6) is not None:
        n = len(_ONNX_GATES[kmode]) * hidden
        parts = [_gate_order(b, inputs[i], kmode, hidden) if inputs.arg(i) is not None
                 else b.const(np.zeros(n, b.out_dtype())) for i in (5, 6)]
        bias = b.unsqueeze(b.op("Concat", parts, axis=0), [0])
    seq = None if lengths is None else b.const(np.asarray(lengths, np.int32))
    attrs = dict(hidden_size=int(hidden), direction="reverse" if reverse else "forward")
    if kmode == "GRU":
        attrs["linear_before_reset"] = 1
    if kmode == "RNN":
        attrs["activations"] = ["Relu" if node.mode == "RNN_RELU" else "Tanh"]
    op_type = {"LSTM": "LSTM", "GRU": "GRU"}.get(kmode, "RNN")
    ins = [x, w, r, bias, seq, h0] + ([c0] if kmode == "LSTM" else [])
    outs = b.op(op_type, ins, outputs=3 if kmode == "LSTM" else 2, **attrs)
    return (b.squeeze(outs[0], [1]), *[b.squeeze(o, [0]) for o in outs[1:]])


def onnx_state(b, inputs, i):
    """An initial state as (1, B, H), or None when it is all zeros (ONNX's default)."""
    arr = inputs.const(i)
    if inputs.arg(i) is None or (arr is not None and not np.any(arr)):
        return None
    return b.unsqueeze(inputs[i], [0])


def _cell_onnx(b, node, inputs):
    """One step of a cell as a one-step recurrence."""
    x = b.unsqueeze(inputs[0], [0])
    outs = onnx_recurrence(b, node, inputs, x, onnx_state(b, inputs, 1), onnx_state(b, inputs, 2))
    return (outs[1], outs[2]) if node.kmode == "LSTM" else outs[1]


def _cell(name, gates, two_states=False):
    def state(**kw):
        s = T(3, 2, **kw)
        return (s, T(3, 2)) if two_states else s

    n = gates * 2
    samples = [
        S(T(3, 4), state(), T(n, 4), T(n, 2), T(n), T(n)),
        S(T(3, 4), state(), T(n, 4), T(n, 2)),  # no biases
        S(T(3, 4), state(), T(n, 4), T(n, 2), T(n), None),
        S(T(3, 4), state(), T(n, 4), T(n, 2), b_ih=None, b_hh=T(n)),
        S(T(3, 4, layout="transposed"), state(), T(n, 4, layout="transposed"), T(n, 2), T(n), T(n)),
        S(T(0, 4), T(0, 2) if not two_states else (T(0, 2), T(0, 2)), T(n, 4), T(n, 2), T(n), T(n)),
    ]
    cls = "LSTMCell" if two_states else "OneOutputCell"
    return OpInfo(name, F + name, samples, namespace="nn.functional", torch="torch." + name,
                  tol=BF16_CANCELLING, onnx={cls: _cell_onnx})


ENTRIES = [
    _cell("lstm_cell", 4, two_states=True),
    _cell("gru_cell", 3),
    _cell("rnn_tanh_cell", 1),
    _cell("rnn_relu_cell", 1),
]
