"""A convolution's values and gradients don't depend on which driver ran it
(kernels/conv_gemm.py): chunks driven from Python, or each task's chunks in one
kernel call (kernels/conv_fused.py) on one or two threads. The same kernels and the
same gemm calls (a weight gradient's chunks added by the gemm itself, beta 1) give
the same bits, so a program may move from one driver to the other between steps."""
import threading

import numba
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.kernels import background, blas, conv_fused, conv_gemm


def _models():
    yield nn.LeNet5(), (64, 1, 28, 28)
    yield nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(),
                        nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1)), (16, 3, 20, 20)
    yield nn.Sequential(nn.Conv2d(2, 4, (3, 2), padding=(2, 1), dilation=(1, 2)), nn.Tanh(),
                        nn.Conv2d(4, 6, 3, stride=(2, 1))), (9, 2, 11, 13)


def _run(threads, fused_on_one_thread, monkeypatch, dtype):
    monkeypatch.setattr(conv_gemm, "FUSED_ON_ONE_THREAD", [fused_on_one_thread])
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 16 * 1024)  # several chunks and tasks
    before = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        ag.manual_seed(0)
        outs = []
        for model, shape in _models():
            model = model.to(dtype)
            x = ag.randn(*shape, dtype=dtype, requires_grad=True)
            y = model(x)
            (y * ag.cos(ag.arange(y.numel(), dtype=dtype).reshape(y.shape))).sum().backward()
            outs += [y.detach().numpy()] + [t.grad.numpy() for t in (x, *model.parameters())]
        return outs
    finally:
        ag.set_num_threads(before)


def _checked_driver(monkeypatch, calls):
    """conv_fused.chunks, each call's argument types checked against the signature
    it was compiled for ahead of time (a call of other types would compile again)."""
    driver = conv_fused.chunks

    def checked(*args):
        sig = conv_fused.SIGNATURES[args[6].dtype if args[6].size else args[7].dtype]
        assert tuple(numba.typeof(a) for a in args) == sig
        calls.append(1)
        return driver(*args)

    monkeypatch.setattr(conv_fused, "chunks", checked)


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_every_conv_driver_gives_the_same_bits(dtype, monkeypatch):
    if not blas.address(np.float32):
        pytest.skip("no BLAS the kernels can call: only the Python-driven chunks run")
    calls = []
    assert conv_gemm.FUSED[np.dtype(ag.tensor([], dtype=dtype).numpy().dtype)].wait()
    _checked_driver(monkeypatch, calls)
    from_python = _run(1, False, monkeypatch, dtype)
    assert not calls
    fused_one = _run(1, True, monkeypatch, dtype)
    fused_two = _run(2, False, monkeypatch, dtype)
    assert calls
    for a, b, c in zip(from_python, fused_one, fused_two):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_a_layers_second_forward_asks_for_the_fused_driver(monkeypatch):
    """On two threads, until the fused driver is compiled, convolutions run their
    chunks from Python on one thread; a layer's second forward queues the compile;
    once it is done the driver runs."""
    if not blas.address(np.float64):
        pytest.skip("no BLAS the kernels can call: only the Python-driven chunks run")
    gate = threading.Event()
    job = background.Job("a test driver", lambda: gate.wait(5))
    monkeypatch.setitem(conv_gemm.FUSED, np.dtype(np.float64), job)
    threads, calls = [], []
    real_run = conv_gemm.run
    monkeypatch.setattr(conv_gemm, "run", lambda *a, **k: (threads.append(k.get("threads")), real_run(*a, **k)))
    _checked_driver(monkeypatch, calls)
    before = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        conv = nn.Conv2d(2, 3, 3).double()
        x = ag.randn(4, 2, 8, 8, dtype=ag.float64)
        conv(x)
        assert not job.requested and threads == [1]
        conv(x).sum().backward()
        assert job.requested and not calls and set(threads) == {1}
        gate.set()
        assert job.wait()
        conv(x)
        assert calls
    finally:
        ag.set_num_threads(before)
