"""Tensor.apply_, map_, share_memory_ and is_shared against PyTorch's."""
import os

import numpy as np
import pytest
import torch

import autograd_lite as ag

DTYPES = [(np.float64, torch.float64), (np.float32, torch.float32), (np.int64, torch.int64)]


@pytest.mark.parametrize("dt", DTYPES)
def test_apply_matches_torch(dt):
    a = np.array([[1, -2, 3], [4, 5, -6]], dtype=dt[0])
    for fn in (lambda v: v * 2.7 + 1, lambda v: v > 2, lambda v: ag.tensor(3.5).item() * v):
        x, tx = ag.tensor(a.copy()), torch.tensor(a.copy())
        assert x.apply_(fn) is x
        tx.apply_(fn)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        assert x.dtype == a.dtype


@pytest.mark.parametrize("dt", DTYPES)
def test_map_matches_torch_with_broadcasting(dt):
    a = np.array([[1, -2, 3], [4, 5, -6]], dtype=dt[0])
    b = np.array([2, 3, -1], dtype=dt[0])
    x, tx = ag.tensor(a.copy()), torch.tensor(a.copy())
    fn = lambda u, v: u * v - 1  # noqa: E731
    assert x.map_(ag.tensor(b), fn) is x
    tx.map_(torch.tensor(b), fn)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())
    x.T.map_(ag.tensor(a.T.copy()), lambda u, v: u + v)  # a non-contiguous self writes through
    tx.T.map_(torch.tensor(a.T.copy()), lambda u, v: u + v)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


def test_errors_as_torch():
    for lib in (ag, torch):
        y = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="Can't call apply_"):
            y.apply_(lambda v: v)
        with lib.no_grad(), pytest.raises(RuntimeError, match="Can't call map_"):
            y.map_(lib.ones(2), lambda u, v: u)
        with pytest.raises(RuntimeError, match="Can't call apply_"):
            (y * 1).apply_(lambda v: v)
        with pytest.raises(TypeError, match="real number"):
            lib.ones(2).apply_(lambda v: "s")
        with pytest.raises(TypeError):
            lib.ones(2).map_(lib.ones(2, dtype=lib.float64), lambda u, v: u)
        with pytest.raises(RuntimeError):
            lib.ones(3).map_(lib.ones(2, 3), lambda u, v: u)
        with pytest.raises(RuntimeError, match="Can't call map_"):  # nor for the other tensor
            lib.ones(2).map_(lib.ones(2, requires_grad=True), lambda u, v: u)


def test_apply_moves_the_version_on():
    # PyTorch's doesn't (a silent wrong gradient); ours is caught
    w = ag.ones(2, requires_grad=True)
    x = ag.tensor([1.0, 2.0])
    y = w * x
    x.apply_(lambda v: v + 1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_share_memory_as_torch_and_seen_by_a_forked_process():
    for lib in (ag, torch):
        t = lib.arange(6.0).reshape(2, 3)
        assert not t.is_shared()
        assert t.share_memory_() is t and t.is_shared() and t[1:].is_shared()
        assert t.share_memory_() is t
        np.testing.assert_array_equal(t.numpy(), np.arange(6.0).reshape(2, 3))
    t = ag.zeros(4).share_memory_()
    plain = ag.zeros(4)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        t[1] = 5.0
        plain[1] = 5.0
        os._exit(0)
    os.waitpid(pid, 0)
    np.testing.assert_array_equal(t.numpy(), [0.0, 5.0, 0.0, 0.0])
    np.testing.assert_array_equal(plain.numpy(), [0.0, 0.0, 0.0, 0.0])
    empty = ag.zeros(0).share_memory_()
    assert empty.is_shared() and empty.shape == (0,)


def test_share_memory_refuses_a_tensor_with_live_views():
    t = ag.zeros(4)
    v = t[1:]
    with pytest.raises(RuntimeError, match="share_memory_: .*live views"):
        t.share_memory_()
    del v
