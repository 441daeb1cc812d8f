"""Tensor.unfold, as_strided, view(dtype), storage_offset, dim_order, resize_,
empty_strided, frombuffer and DLPack beyond the op table's generic tests: views share
memory (and the version counter), overlapping windows are read-only, the storage
bounds, the errors, and what PyTorch gives for the same calls."""
import numpy as np
import pytest
import torch

import autograd_lite as ag


def test_unfold_is_a_view_and_non_overlapping_windows_write_through():
    x = ag.arange(10.0)
    w = x.unfold(0, 2, 2)
    assert np.shares_memory(w.numpy(), x.numpy()) and w.stride() == (2, 1)
    w[1, 0] = 100.0
    assert x[2].item() == 100.0 and x._version == w._version
    overlapping = ag.arange(10.0).unfold(0, 3, 1)
    with pytest.raises(RuntimeError, match="read-only"):
        overlapping.add_(1)


def test_unfold_matches_pytorch_strides_and_values():
    base = np.arange(60.0).reshape(3, 4, 5)
    for dim, size, step in ((0, 2, 1), (1, 3, 2), (2, 5, 1), (-1, 1, 3), (1, 0, 1)):
        a = ag.tensor(base).unfold(dim, size, step)
        t = torch.tensor(base).unfold(dim, size, step)
        assert tuple(a.shape) == tuple(t.shape) and a.stride() == t.stride()
        np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_unfold_errors():
    x = ag.zeros(3, 4)
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 4 but size is 5"):
        x.unfold(1, 5, 1)
    with pytest.raises(RuntimeError, match="step is 0"):
        x.unfold(1, 2, 0)
    with pytest.raises(IndexError):
        x.unfold(2, 1, 1)


def test_as_strided_reaches_the_storage_beyond_a_view_as_pytorch():
    base = np.arange(12.0).reshape(3, 4)
    a, t = ag.tensor(base)[1:, 1:], torch.tensor(base)[1:, 1:]
    assert a.storage_offset() == t.storage_offset() == 5
    for args in (((2, 2), (1, 2)), ((3,), (3,), 0), ((2, 3), (4, 1)), ((4,), (2,), 4)):
        np.testing.assert_array_equal(a.as_strided(*args).numpy(), t.as_strided(*args).numpy())


def test_as_strided_gradient_of_an_overlapping_input_is_split_as_pytorch():
    v = np.arange(1.0, 4.0)
    a = ag.tensor(v, requires_grad=True)
    t = torch.tensor(v, requires_grad=True)
    ea, et = a.expand(2, 3), t.expand(2, 3)  # each memory location seen twice
    ya, yt = ea.as_strided((2, 2), (1, 1)), et.as_strided((2, 2), (1, 1))
    w = np.arange(4.0).reshape(2, 2)
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())


def test_as_strided_errors():
    x = ag.zeros(3, 4)
    with pytest.raises(RuntimeError, match="storage of 13 elements"):
        x.as_strided((3, 4), (4, 1), 1)
    with pytest.raises(RuntimeError, match="mismatch in length"):
        x.as_strided((3, 4), (4,))
    with pytest.raises(RuntimeError, match="negative"):
        x.as_strided((3,), (-1,))
    with pytest.raises(RuntimeError, match="read-only|storage offset can't be negative"):
        x.as_strided((2,), (1,), -1)
    overlapping = x.as_strided((3, 3), (1, 1))
    with pytest.raises(RuntimeError, match="read-only"):
        overlapping.add_(1)


def test_view_dtype_reinterprets_the_bytes_as_pytorch():
    base = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    for dtype in ("int32", "float32", "int16", "float64", "int8", "bfloat16", "uint8"):
        a = ag.tensor(base).view(ag.dtype(dtype) if dtype != "bfloat16" else ag.bfloat16)
        t = torch.tensor(base).view(getattr(torch, dtype))
        assert tuple(a.shape) == tuple(t.shape) and not a.requires_grad
        np.testing.assert_array_equal(a.numpy().view(np.uint8), t.view(torch.uint8).numpy().reshape(-1)
                                      .view(np.uint8).reshape(a.numpy().view(np.uint8).shape))


def test_view_dtype_shares_memory_and_refuses_what_pytorch_refuses():
    x = ag.zeros(2, 4, requires_grad=True)
    y = x.detach().view(ag.int32)
    y[0, 0] = 1065353216  # the bits of 1.0f
    assert x[0, 0].item() == 1.0
    assert not x.view(ag.int32).requires_grad
    with pytest.raises(RuntimeError, match="stride"):
        ag.zeros(2, 4).t().view(ag.int16)
    with pytest.raises(RuntimeError, match="storage_offset"):
        ag.zeros(2, 4)[:, 1:3].view(ag.float64)
    with pytest.raises(RuntimeError, match="cannot be 0"):
        ag.zeros(2, 4)[0, 0].view(ag.int16)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        ag.zeros(2, 3).view(ag.float64)


def test_dim_order_and_storage_offset_match_pytorch():
    base = np.zeros((2, 3, 4))
    for f in (lambda x: x, lambda x: x.permute(2, 0, 1), lambda x: x[:, 1:, ::2],
              lambda x: x.transpose(0, 1)[1], lambda x: x[1, 2:, None], lambda x: x.transpose(1, 2),
              lambda x: x[:, :1].permute(2, 1, 0), lambda x: x.reshape(2, 3, 2, 2).permute(0, 2, 3, 1),
              lambda x: x.expand(3, 2, 3, 4).permute(1, 0, 3, 2)):
        a, t = f(ag.tensor(base)), f(torch.tensor(base))
        assert a.dim_order() == t.dim_order()
        assert a.storage_offset() == t.storage_offset()
    with pytest.raises(RuntimeError, match="unique dim order"):
        ag.zeros(2, 1, 3).dim_order(ambiguity_check=True)


def test_resize_keeps_the_storage_and_grows_into_new_memory():
    x = ag.arange(6.0)
    y = x[2:]
    y.resize_(2, 2)
    np.testing.assert_array_equal(y.numpy(), [[2.0, 3.0], [4.0, 5.0]])
    assert y.storage_offset() == 2 and np.shares_memory(y.numpy(), x.numpy())
    x.resize_(8)
    assert x.shape == (8,)
    np.testing.assert_array_equal(x.numpy()[:6], np.arange(6.0))
    with pytest.raises(RuntimeError, match="require grad"):
        ag.zeros(3, requires_grad=True).resize_(2)
    with pytest.raises(RuntimeError, match="negative"):
        ag.zeros(3).resize_(-1)


def test_empty_strided_has_pytorch_strides():
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4, 2), (0, 1)), ((0, 2), (2, 1))):
        a, t = ag.empty_strided(size, stride), torch.empty_strided(size, stride)
        assert a.stride() == t.stride() and tuple(a.shape) == tuple(t.shape)
    with pytest.raises(RuntimeError, match="mismatch in length"):
        ag.empty_strided((2, 3), (1,))


def test_frombuffer_shares_memory_and_checks_the_length():
    buf = bytearray(np.arange(4, dtype=np.int32).tobytes())
    t = ag.frombuffer(buf, dtype=ag.int32)
    t[0] = 7
    assert np.frombuffer(buf, np.int32)[0] == 7
    ro = ag.frombuffer(bytes(8), dtype=ag.float32)
    with pytest.raises(RuntimeError, match="read-only"):
        ro.add_(1)
    with pytest.raises(ValueError, match="multiple of the element size"):
        ag.frombuffer(bytearray(6), dtype=ag.float32)
    with pytest.raises(ValueError, match="must not be greater"):
        ag.frombuffer(bytearray(8), dtype=ag.float32, count=3)
    with pytest.raises(ValueError, match="offset"):
        ag.frombuffer(bytearray(8), dtype=ag.float32, offset=8)
    with pytest.raises(TypeError, match="buffer protocol"):
        ag.frombuffer([1, 2], dtype=ag.float32)


def test_dlpack_round_trips_with_numpy_and_pytorch_sharing_memory():
    x = ag.arange(6.0).reshape(2, 3)
    assert x.__dlpack_device__() == (1, 0)
    t = torch.from_dlpack(x)
    t[0, 0] = 5.0
    assert x[0, 0].item() == 5.0
    n = np.from_dlpack(x)
    assert np.shares_memory(n, x.numpy())
    back = ag.from_dlpack(t)
    back[1, 1] = -1.0
    assert t[1, 1].item() == -1.0
    with pytest.raises(BufferError, match="require gradient"):
        torch.from_dlpack(ag.zeros(2, requires_grad=True))
    with pytest.raises(TypeError, match="__dlpack__"):
        ag.from_dlpack([1.0])

