"""A recurrent layer's values and gradients don't depend on which time-loop driver
ran it (kernels/rnn_loop.py): the Python loop, the fused loop on one thread, the
fused loop split over two threads' row blocks give the same bits. The drivers run
the same cell code and the same gemm on every row, so results stay reproducible
whatever `set_num_threads` says, and a program moves from the Python loop to the
fused loop (once its compile on the helper thread is done) without its numbers
changing."""
import numba
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.kernels import blas, rnn_fused, rnn_loop

KINDS = ["LSTM", "GRU", "RNN"]
PLAN = rnn_loop.plan


def _python_loop(mode, nb, dtype, weights=None):
    return rnn_loop._PYTHON_LOOP


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


def _recording_plans(plans):
    def plan(*args, **kwargs):
        p = PLAN(*args, **kwargs)
        plans.append(p)
        return p

    return plan


@pytest.fixture
def fused_ready(monkeypatch):
    """The fused loops compiled; each call to them checked against the types they were
    compiled for ahead of time (rnn_fused.SIGNATURES: a call of other types would
    compile again, in the program's thread)."""
    if not blas.address(np.float32):
        pytest.skip("no BLAS the kernels can call: only the Python loop runs")
    for job in rnn_loop.FUSED.values():
        assert job.wait()
    for name, sig in rnn_fused.SIGNATURES.items():
        driver = getattr(rnn_fused, name)

        def checked(*args, driver=driver, sig=sig, name=name):
            assert tuple(numba.typeof(a) for a in args) == sig, name
            return driver(*args)

        monkeypatch.setattr(rnn_fused, name, checked)


@pytest.mark.parametrize("kind", KINDS)
def test_every_driver_gives_the_same_bits(kind, monkeypatch, fused_ready):
    plans = []
    python_loop = _run(kind, 1, _python_loop, monkeypatch)
    fused_one = _run(kind, 1, _recording_plans(plans), monkeypatch)
    assert plans and all(p.fn and not p.parallel for p in plans)
    plans.clear()
    fused_two = _run(kind, 2, _recording_plans(plans), monkeypatch)
    assert plans and all(p.parallel for p in plans)
    for a, b, c in zip(python_loop, fused_one, fused_two):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
