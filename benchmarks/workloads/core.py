"""Core workloads: per-op overhead on tiny tensors and a large matmul chain."""
import numpy as np
import torch

import autograd_lite as ag

from . import register

CHAIN_BLOCKS = 40  # 5 ops per block: 200 ops


def _op_chain(lib, x, w, b):
    y = x
    for _ in range(CHAIN_BLOCKS):
        y = y * w
        y = y + b
        y = lib.tanh(y)
        y = lib.sigmoid(y)
        y = y - x
    return y.sum()


@register("op_overhead", "200 small ops on 4x4 tensors (mul, add, tanh, sigmoid, sub), fwd+bwd",
          target=0.6)
def op_overhead():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]

    def make(lib):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)

        def step():
            x.grad = w.grad = b.grad = None
            _op_chain(lib, x, w, b).backward()

        return step

    return {"autograd_lite": make(ag), "torch": make(torch)}


@register("matmul_chain", "x @ W1 @ W2 @ W3, 1024x1024 float32, fwd+bwd", target=1.05)
def matmul_chain():
    rng = np.random.default_rng(0)
    n = 1024
    arrays = [(rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32) for _ in range(4)]

    def make(lib):
        x, w1, w2, w3 = (lib.tensor(a, requires_grad=True) for a in arrays)

        def step():
            for t in (x, w1, w2, w3):
                t.grad = None
            (x @ w1 @ w2 @ w3).sum().backward()

        return step

    return {"autograd_lite": make(ag), "torch": make(torch)}
