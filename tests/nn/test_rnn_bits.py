"""A recurrent layer's values and gradients don't depend on which time-loop driver
ran it (kernels/rnn_loop.py): the Python loop, the fused loop on one thread, the
fused loop split over two threads' row blocks give the same bits. The drivers run
the same cell code and the same gemm on every row, so results stay reproducible
whatever `set_num_threads` says, and a program may move from one driver to another
between steps without changing its numbers."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.kernels import blas, rnn_loop

KINDS = ["LSTM", "GRU", "RNN"]


def _fused_on_one_thread(nb, dtype):
    fn = blas.address(dtype) if np.dtype(dtype) == np.float32 else 0
    return rnn_loop.Plan(fn, np.array([0, nb], np.int64)) if fn else rnn_loop._PYTHON_LOOP


def _run(kind, threads, plan, monkeypatch):
    monkeypatch.setattr(rnn_loop, "plan", plan)
    before = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        ag.manual_seed(0)
        layer = getattr(nn, kind)(5, 16, bidirectional=True)
        nb = 2 * rnn_loop.PARALLEL_MIN_ROWS + 3
        x = ag.randn(7, nb, 5, requires_grad=True)
        lengths = sorted(np.random.default_rng(1).integers(1, 8, nb).tolist(), reverse=True)
        out = nn.utils.rnn.pad_packed_sequence(layer(nn.utils.rnn.pack_padded_sequence(x, lengths))[0])[0]
        (out * ag.cos(ag.arange(out.numel()).reshape(out.shape))).sum().backward()
        return [out.detach().numpy()] + [t.grad.numpy() for t in (x, *layer.parameters())]
    finally:
        ag.set_num_threads(before)


@pytest.mark.parametrize("kind", KINDS)
def test_every_driver_gives_the_same_bits(kind, monkeypatch):
    if not blas.address(np.float32):
        pytest.skip("no BLAS the kernels can call: only the Python loop runs")
    python_loop = _run(kind, 1, rnn_loop.plan, monkeypatch)
    fused_one = _run(kind, 1, _fused_on_one_thread, monkeypatch)
    fused_two = _run(kind, 2, rnn_loop.plan, monkeypatch)
    for a, b, c in zip(python_loop, fused_one, fused_two):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
