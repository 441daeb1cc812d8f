"""A Transformer encoder's training step: 2 layers (d_model 128, 4 heads, feed-forward
512, dropout 0.1, batch_first), sequences of 64, batch 32, mean-pooled into a linear
classifier, cross-entropy, Adam. Both libraries start from PyTorch's initial weights
and see the same batch; dropout draws differ (each library's own generator)."""
import numpy as np
import torch

import autograd_lite as ag

from . import register
from ._common import adam, training_step

BATCH, SEQ, D_MODEL, HEADS, FF, CLASSES = 32, 64, 128, 4, 512, 10


def _model(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=FF, dropout=0.1, batch_first=True)
    return nn.ModuleDict({"encoder": nn.TransformerEncoder(layer, 2, enable_nested_tensor=False),
                          "head": nn.Linear(D_MODEL, CLASSES)})


def _step(lib, state, seed=0):
    rng = np.random.default_rng(seed)
    model = _model(lib)
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    model.train()
    opt = adam(lib, model.parameters())
    x = lib.tensor(rng.standard_normal((BATCH, SEQ, D_MODEL)).astype(np.float32))
    y = lib.tensor(rng.integers(0, CLASSES, BATCH))
    loss_fn = lib.nn.CrossEntropyLoss()
    return training_step(opt, lambda: loss_fn(model["head"](model["encoder"](x).mean(1)), y))


@register("transformer", "Transformer encoder 2x(d 128, 4 heads, ff 512), seq 64, batch 32, Adam: one step",
          target=1.0)
def transformer():
    torch.manual_seed(0)
    state = {k: v.numpy().copy() for k, v in _model(torch).state_dict().items()}
    return {"autograd_lite": _step(ag, state), "torch": _step(torch, state)}
