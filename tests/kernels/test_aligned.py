"""kernels/aligned.py: 64-byte aligned buffers that behave as np.empty's arrays do,
including for the checks that tell an array from a view (Tensor.detach_, the
engine taking a gradient array as .grad without a copy)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.kernels import aligned


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("shape", [(256, 128), (3, 50, 700), (1 << 15,)])
def test_large_arrays_are_aligned_and_own_their_memory(shape, dtype):
    a = aligned.empty(shape, dtype)
    assert a.shape == shape and a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable
    assert a.ctypes.data % aligned.ALIGN == 0
    assert aligned.owns_memory(a)
    a[...] = 7
    assert (a == 7).all() and aligned.empty_like(a).shape == shape
    for view in (a[1:], a.reshape(-1), a.T, a[...]):
        assert not aligned.owns_memory(view) and np.shares_memory(view, a)


def test_small_arrays_are_numpys():
    a = aligned.empty((4, 4), np.float32)
    assert a.base is None and aligned.owns_memory(a)
    assert aligned.owns_memory(np.empty(3)) and not aligned.owns_memory(np.empty(3)[1:])


def test_detach_in_place_on_results_in_aligned_buffers():
    """An LSTM's output sequence lives in an aligned buffer: detach_() takes it (as
    PyTorch does) and still refuses a view of it."""
    lstm = ag.nn.LSTM(32, 128)
    out = lstm(ag.randn(50, 32, 32))[0]
    data = out.data.numpy()
    assert type(data.base) is aligned.AlignedBlock and data.ctypes.data % aligned.ALIGN == 0
    assert out.detach_() is out and out.grad_fn is None and not out.requires_grad
    view = lstm(ag.randn(50, 32, 32))[0][1:]
    with pytest.raises(RuntimeError, match="view"):
        view.detach_()


def test_gradients_in_aligned_buffers_accumulate_as_pytorchs():
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((512, 256)), rng.standard_normal((64, 256))
    ours, theirs = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    for _ in range(2):  # the first backward's array becomes .grad; the second adds into it
        (ag.tensor(x) @ ours.T).tanh().sum().backward()
        (torch.tensor(x) @ theirs.T).tanh().sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(512, 128), (3, 5), (130, 70), (512, 33)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transposed_copies_by_blocks(shape, dtype):
    """a.T (times a per-row scale) as a C-contiguous copy, aligned when large, whatever
    the block size does to the last block."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape).astype(dtype)
    scale = rng.standard_normal(shape[0]).astype(dtype)
    for block in (64, 7):
        plain, scaled = aligned.transposed(a, block=block), aligned.transposed(a, scale, block=block)
        np.testing.assert_array_equal(plain, a.T)
        np.testing.assert_array_equal(scaled, (a * scale[:, None]).T)
        for out in (plain, scaled):
            assert out.flags.c_contiguous and out.dtype == dtype
            assert out.nbytes < aligned.MIN_BYTES or out.ctypes.data % aligned.ALIGN == 0
