"""The engine's running order on random graphs, against PyTorch: nodes that get their
gradients from several consumers, in any order, a node that was about to run next
(its gradient held apart from the others') pushed back behind a newer one, and
multi-output nodes among them."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same


def _random_graph(lib, leaves, rng_seed, n_ops):
    """n_ops ops, each on one or two earlier values picked at random (so values are
    reused, skipped and shared), some of them splitting a value in two (multi-output
    nodes); returns the sum of a random subset of values."""
    rng = np.random.default_rng(rng_seed)
    values = list(leaves)
    for _ in range(n_ops):
        kind = rng.integers(0, 6)
        a = values[rng.integers(0, len(values))]
        b = values[rng.integers(0, len(values))]
        if kind == 0:
            values.append(a * b)
        elif kind == 1:
            values.append(a + b)
        elif kind == 2:
            values.append(lib.tanh(a) - b)
        elif kind == 3:
            values.append(lib.sigmoid(a))
        elif kind == 4:
            first, second = a.chunk(2, dim=0)
            values.append(lib.cat([second, first * 0.5]))
        else:
            values.append(a * 0.9)
    picked = rng.choice(len(values), size=min(4, len(values)), replace=False)
    return sum(values[int(i)].sum() for i in picked)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_match_pytorch(seed):
    data = np.random.default_rng(1000 + seed).standard_normal((3, 4, 3))
    ours = [ag.tensor(d, requires_grad=True) for d in data]
    theirs = [torch.tensor(d, requires_grad=True) for d in data]
    n_ops = 5 + seed
    _random_graph(ag, ours, seed, n_ops).backward()
    _random_graph(torch, theirs, seed, n_ops).backward()
    for a, t in zip(ours, theirs):
        if t.grad is None:
            assert a.grad is None
        else:
            assert_same(a.grad, t.grad, dict(rtol=1e-12, atol=1e-12))
