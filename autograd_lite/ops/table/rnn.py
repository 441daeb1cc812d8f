"""Table entries of the recurrent cells (ops/rnn.py) as nn.functional.rnn's functions,
against torch's top-level `torch.lstm_cell`, `gru_cell`, `rnn_tanh_cell` and
`rnn_relu_cell`. Batch 3, input 4, hidden 2: the fused LSTM cell has four gates."""
from ..opinfo import OpInfo, S, T

F = "nn.functional.rnn."


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
    return OpInfo(name, F + name, samples, namespace="nn.functional", torch="torch." + name)


ENTRIES = [
    _cell("lstm_cell", 4, two_states=True),
    _cell("gru_cell", 3),
    _cell("rnn_tanh_cell", 1),
    _cell("rnn_relu_cell", 1),
]
