"""Recurrent training steps: fused LSTM and GRU layers (BPTT over 50 steps) and an
explicit Python loop of LSTMCell (imperative BPTT)."""
import numpy as np
import torch

import autograd_lite as ag

from . import register
from ._common import training_step


def _same_weights(model, lib, rng):
    """Identical starting weights in both libraries (U(-1/sqrt(H), 1/sqrt(H)) scale)."""
    state = {k: (rng.uniform(-0.08, 0.08, tuple(v.shape))).astype(np.float32)
             for k, v in model.state_dict().items()}
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})


def _layer_step(lib, kind, seed=0):
    """input 32, hidden 128, sequence 50, batch 32, batch_first, a linear head on the
    last step, MSE, Adam: one training step."""
    rng = np.random.default_rng(seed)
    nn = lib.nn
    rnn = getattr(nn, kind)(32, 128, batch_first=True)
    head = nn.Linear(128, 1)
    _same_weights(rnn, lib, rng)
    _same_weights(head, lib, rng)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = lib.optim.Adam(params, lr=1e-3)
    x = lib.tensor(rng.standard_normal((32, 50, 32)).astype(np.float32))
    y = lib.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    loss_fn = nn.MSELoss()
    return training_step(opt, lambda: loss_fn(head(rnn(x)[0][:, -1]), y))


def _cell_loop_step(lib, seed=0):
    """LSTMCell(32, 64), 50 steps of a Python loop, batch 16, head on the last h, Adam."""
    rng = np.random.default_rng(seed)
    nn = lib.nn
    cell = nn.LSTMCell(32, 64)
    head = nn.Linear(64, 1)
    _same_weights(cell, lib, rng)
    _same_weights(head, lib, rng)
    opt = lib.optim.Adam(list(cell.parameters()) + list(head.parameters()), lr=1e-3)
    xs = [lib.tensor(rng.standard_normal((16, 32)).astype(np.float32)) for _ in range(50)]
    y = lib.tensor(rng.standard_normal((16, 1)).astype(np.float32))
    loss_fn = nn.MSELoss()

    def loss():
        h = lib.zeros(16, 64)
        c = lib.zeros(16, 64)
        for x in xs:
            h, c = cell(x, (h, c))
        return loss_fn(head(h), y)

    return training_step(opt, loss)


@register("lstm", "LSTM 32->128, seq 50, batch 32, batch_first, last-step head, Adam: one step",
          target=0.9, scaling_target=0.7)
def lstm():
    return {"autograd_lite": _layer_step(ag, "LSTM"), "torch": _layer_step(torch, "LSTM")}


@register("gru", "GRU 32->128, seq 50, batch 32, batch_first, last-step head, Adam: one step",
          target=0.7)
def gru():
    return {"autograd_lite": _layer_step(ag, "GRU"), "torch": _layer_step(torch, "GRU")}


@register("lstm_cell_loop", "Python loop of LSTMCell(32, 64), 50 steps, batch 16, Adam: one step",
          target=0.7)
def lstm_cell_loop():
    return {"autograd_lite": _cell_loop_step(ag), "torch": _cell_loop_step(torch)}
