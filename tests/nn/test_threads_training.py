"""A training step on two threads (the worker pool: convolution chunks, pooling planes,
norm channels, split matrix products and optimizer updates) gives the 1-thread
step's numbers, and PyTorch's."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.kernels import conv_gemm, optim as optim_kernels, workers
from helpers import randn


def _model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1), nn.GroupNorm(2, 4),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 10))


def _step(lib, state, x_np, y_np, threads):
    if lib is ag:
        ag.set_num_threads(threads)
    else:
        torch.set_num_threads(threads)
    model = _model(lib).double()
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    opt = lib.optim.Adam(model.parameters(), lr=1e-2)
    x = lib.tensor(x_np, requires_grad=True)
    loss = lib.nn.functional.cross_entropy(model(x), lib.tensor(y_np))
    opt.zero_grad()
    loss.backward()
    grads = [loss.item(), x.grad.numpy()] + [p.grad.numpy().copy() for p in model.parameters()]
    opt.step()
    return grads, [p.detach().numpy().copy() for p in model.parameters()]


def test_two_threads_give_the_one_thread_step(monkeypatch):
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 1)  # a chunk per sample
    monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    monkeypatch.setattr(workers, "GEMM_SPLIT_MIN", 1)
    monkeypatch.setattr(optim_kernels, "PARALLEL_MIN", 1)
    rng = np.random.default_rng(0)
    x = randn(12, 3, 16, 16, seed=1)
    y = rng.integers(0, 10, 12)
    ag.manual_seed(0)
    state = {k: v.numpy() for k, v in _model(ag).double().state_dict().items()}
    before = ag.get_num_threads()
    try:
        one = _step(ag, state, x, y, 1)
        two = _step(ag, state, x, y, 2)
    finally:
        ag.set_num_threads(before)
    t_before = torch.get_num_threads()
    try:
        ref = _step(torch, state, x, y, 2)
    finally:
        torch.set_num_threads(t_before)
    for a, b, t in zip(one[0], two[0], ref[0]):  # loss and gradients
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)  # the same sums, up to split products
        np.testing.assert_allclose(b, t, rtol=1e-9, atol=1e-12)
    for a, b, t in zip(one[1], two[1], ref[1]):  # after Adam's first step (g / |g| where g ~ 0: looser)
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(b, t, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("threads", [2, 3])
def test_conv_gradients_are_bitwise_equal_on_several_threads(threads, monkeypatch):
    """The convolutions alone: per-task partial sums added in task order, a task count
    fixed up to 4 threads: the same bits on 1, 2 and 3 threads."""
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 1)
    x_np = randn(10, 4, 9, 9, seed=2).astype(np.float32)
    results = []
    before = ag.get_num_threads()
    try:
        for n in (1, threads):
            ag.set_num_threads(n)
            ag.manual_seed(3)
            conv = ag.nn.Conv2d(4, 5, 3, padding=1)
            x = ag.tensor(x_np, requires_grad=True)
            (conv(x) ** 2).sum().backward()
            results.append([x.grad.numpy(), conv.weight.grad.numpy(), conv.bias.grad.numpy()])
    finally:
        ag.set_num_threads(before)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
