"""MLP training steps: small (overhead-bound) and large (GEMM-bound), plus a
hand-written NumPy version of the large one as the practical floor."""
import numpy as np
import torch

import autograd_lite as ag

from . import register
from ._common import adam, sgd, training_step


def _data(rng, batch, n_in, n_out):
    x = rng.standard_normal((batch, n_in)).astype(np.float32)
    y = rng.integers(0, n_out, batch)
    return x, y


def _mlp_step(lib, sizes, batch, make_opt, seed=0):
    """One training step (forward, cross-entropy, backward, update) in `lib`."""
    rng = np.random.default_rng(seed)
    x_np, y_np = _data(rng, batch, sizes[0], sizes[-1])
    nn = lib.nn
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    # identical starting weights in both libraries
    state = {}
    for k, v in model.state_dict().items():
        state[k] = (rng.standard_normal(tuple(v.shape)) * 0.05).astype(np.float32)
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    opt = make_opt(lib, model.parameters())
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    loss_fn = nn.CrossEntropyLoss()
    return training_step(opt, lambda: loss_fn(model(x), y))


@register("mlp_small", "MLP 64-128-64-10 (ReLU), batch 32, SGD momentum: one training step",
          target=0.6)
def mlp_small():
    sizes = [64, 128, 64, 10]
    return {"autograd_lite": _mlp_step(ag, sizes, 32, sgd), "torch": _mlp_step(torch, sizes, 32, sgd)}


@register("mlp_large", "MLP 784-1024-1024-10 (ReLU), batch 256, Adam: one training step",
          target=0.9)
def mlp_large():
    sizes = [784, 1024, 1024, 10]
    return {"autograd_lite": _mlp_step(ag, sizes, 256, adam),
            "torch": _mlp_step(torch, sizes, 256, adam),
            "numpy": _numpy_mlp_step(sizes, 256)}


def _numpy_mlp_step(sizes, batch, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, seed=0):
    """The same step written by hand in NumPy: what a careful engineer would write
    with no autodiff at all (x @ W.T + b layout, in-place Adam)."""
    rng = np.random.default_rng(seed)
    x, y = _data(rng, batch, sizes[0], sizes[-1])
    ws = [(rng.standard_normal((b, a)) * 0.05).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [(rng.standard_normal(b) * 0.05).astype(np.float32) for b in sizes[1:]]
    params = [p for pair in zip(ws, bs) for p in pair]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]
    onehot = np.zeros((batch, sizes[-1]), np.float32)
    onehot[np.arange(batch), y] = 1

    def step():
        acts = [x]
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w.T + b
            if i < len(ws) - 1:
                np.maximum(h, 0, out=h)
            acts.append(h)
        logits = acts[-1]
        z = logits - logits.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        g = (p - onehot) / batch  # d(mean cross-entropy)/d(logits)
        grads = []
        for i in range(len(ws) - 1, -1, -1):
            grads.append((g.sum(0), g.T @ acts[i]))  # (db, dW)
            if i:
                g = g @ ws[i]
                g *= acts[i] > 0
        grads = [gw_gb for pair in reversed(grads) for gw_gb in pair[::-1]]
        t[0] += 1
        b1, b2 = betas
        c1 = 1 - b1 ** t[0]
        c2 = 1 - b2 ** t[0]
        for p_, g_, m_, v_ in zip(params, grads, m, v):
            m_ *= b1
            m_ += (1 - b1) * g_
            v_ *= b2
            v_ += (1 - b2) * g_ * g_
            denom = np.sqrt(v_ / c2)
            denom += eps
            p_ -= (lr / c1) * m_ / denom

    return step
