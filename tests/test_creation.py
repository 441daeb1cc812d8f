"""Tensor factories beyond the op table (autograd_lite/ops/table/creation.py, which
compares every factory's values, shapes and dtypes with PyTorch, ag.tensor's dtype
inference among them): leaves and requires_grad, errors, memory sharing, the default
dtype, random ranges and seeding, threads."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import numpy_dtype


def _same_meta(a, t):
    assert isinstance(a, ag.Tensor)
    assert tuple(a.shape) == tuple(t.shape), (a.shape, t.shape)
    assert a.dtype == numpy_dtype(t.dtype), (a.dtype, t.dtype)


def _same(a, t, **tol):
    _same_meta(a, t)
    np.testing.assert_allclose(a._data, t.numpy(), **(tol or dict(rtol=0, atol=0)))


# ---- constant factories ---------------------------------------------------------------------
def test_factories_accept_ag_dtype_objects():
    assert ag.zeros(2, dtype=ag.float64).dtype == np.float64
    assert ag.ones(2, dtype=ag.int32).dtype == np.int32
    assert ag.zeros(2, dtype=ag.bool).dtype == np.bool_
    assert ag.float32 == np.float32 and ag.int64 == np.int64


def test_factory_requires_grad():
    for make in (lambda: ag.zeros(2, requires_grad=True), lambda: ag.ones(2, 2, requires_grad=True),
                 lambda: ag.full((2,), 1.5, requires_grad=True), lambda: ag.rand(3, requires_grad=True),
                 lambda: ag.randn(3, requires_grad=True), lambda: ag.linspace(0, 1, 3, requires_grad=True),
                 lambda: ag.eye(2, requires_grad=True), lambda: ag.arange(3.0, requires_grad=True)):
        t = make()
        assert t.requires_grad and t.is_leaf and t.grad_fn is None
    with pytest.raises(RuntimeError, match="floating point"):
        ag.zeros(2, dtype=ag.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.arange(3, requires_grad=True)


def test_negative_size_is_an_error():
    with pytest.raises(RuntimeError, match="negative"):
        ag.zeros(-1)
    with pytest.raises(RuntimeError):
        torch.zeros(-1)


def test_linspace_dtype():
    _same(ag.linspace(0, 1, 11, dtype=ag.float64), torch.linspace(0, 1, 11, dtype=torch.float64),
          rtol=1e-15, atol=1e-15)


# ---- arange ---------------------------------------------------------------------------
def test_arange_bad_arguments():
    with pytest.raises(RuntimeError):
        ag.arange(0, 5, 0)
    with pytest.raises(ValueError, match="step must be nonzero"):  # int64 truncates the step
        ag.arange(0, 3, 0.5, dtype=ag.int64)
    with pytest.raises(ValueError):
        torch.arange(0, 3, 0.5, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="step sign"):
        ag.arange(0, 5, -1)
    with pytest.raises(RuntimeError):
        torch.arange(0, 5, -1)


# ---- *_like ---------------------------------------------------------------------------------
def test_like_factories_with_dtype_and_requires_grad():
    a = ag.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    t = torch.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    for name in ("zeros_like", "ones_like", "rand_like", "randn_like"):
        out = getattr(ag, name)(a)
        assert not out.requires_grad and out.is_leaf
        _same_meta(getattr(ag, name)(a, dtype=ag.float64), getattr(torch, name)(t, dtype=torch.float64))
    assert ag.zeros_like(a, requires_grad=True).requires_grad
    _same(ag.ones_like(a, dtype=ag.int64), torch.ones_like(t, dtype=torch.int64))


# ---- random factories -------------------------------------------------------------------------
def test_rand_range_and_randn_moments():
    ag.manual_seed(0)
    u = ag.rand(20000)._data
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01
    n = ag.randn(20000, dtype=ag.float64)._data
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03


@pytest.mark.parametrize("args, kwargs", [
    ((10, (3,)), {}), ((3, 10, (2, 4)), {}), ((5,), dict(size=(6,))), ((-3, 3, (100,)), {}),
    ((0, 2, (2,)), dict(dtype=torch.int32)),
])
def test_randint(args, kwargs):
    t = torch.randint(*args, **kwargs)
    kw = dict(kwargs)
    if "dtype" in kw:
        kw["dtype"] = numpy_dtype(kw["dtype"])
    a = ag.randint(*args, **kw)
    _same_meta(a, t)
    low, high = (0, args[0]) if len(args) < 2 or isinstance(args[1], tuple) else args[:2]
    assert a._data.min() >= low and a._data.max() < high


def test_randint_covers_its_range():
    ag.manual_seed(1)
    vals = set(ag.randint(2, 6, (400,)).tolist())
    assert vals == {2, 3, 4, 5}


def test_manual_seed_makes_draws_repeatable():
    def draw():
        return [ag.rand(3, 2)._data.copy(), ag.randn(4)._data.copy(), ag.randint(0, 100, (5,))._data.copy(),
                ag.rand_like(ag.zeros(2))._data.copy(), ag.randperm(7)._data.copy()]

    ag.manual_seed(123)
    first = draw()
    ag.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    ag.manual_seed(124)
    third = draw()
    assert not np.array_equal(first[0], third[0])
    assert not np.array_equal(first[1], third[1])
    # without re-seeding, the stream moves on
    ag.manual_seed(123)
    a1 = ag.randn(4)._data.copy()
    a2 = ag.randn(4)._data.copy()
    assert not np.array_equal(a1, a2)


def test_rng_state_round_trip():
    ag.manual_seed(7)
    state = ag.get_rng_state()
    a = ag.randn(5)._data.copy()
    ag.set_rng_state(state)
    np.testing.assert_array_equal(ag.randn(5)._data, a)


# ---- threads ---------------------------------------------------------------------------------
def test_set_and_get_num_threads():
    before = ag.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1
        ag.set_num_threads(3)
        assert ag.get_num_threads() == 3
        with pytest.raises((ValueError, RuntimeError)):
            ag.set_num_threads(0)
        assert ag.get_num_threads() == 3
    finally:
        ag.set_num_threads(before)
    assert ag.get_num_threads() == before


def test_set_num_threads_reaches_numba():
    numba = pytest.importorskip("numba")
    import autograd_lite.kernels._numba  # noqa: F401  (the kernels' Numba entry point)

    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert numba.get_num_threads() == 1
        ag.set_num_threads(2)
        assert numba.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    finally:
        ag.set_num_threads(before)


# ---- ag.tensor: dtype inference, copies ------------------------------------------------------------
def test_default_dtype_follows_set_default_dtype():
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.tensor([1.0]).dtype == np.float64
        assert ag.zeros(2).dtype == np.float64
        assert ag.rand(2).dtype == np.float64
        assert ag.arange(0, 1, 0.5).dtype == np.float64
        assert ag.tensor([1]).dtype == np.int64
    finally:
        ag.set_default_dtype(ag.float32)
    assert ag.tensor([1.0]).dtype == np.float32 and ag.get_default_dtype() == np.float32


def test_tensor_copies_but_from_numpy_shares():
    arr = np.array([1.0, 2.0, 3.0])
    t = ag.tensor(arr)
    s = ag.from_numpy(arr)
    arr[0] = 100.0
    assert t._data[0] == 1.0
    assert s._data[0] == 100.0
    s._data[1] = -5.0
    assert arr[1] == -5.0
    assert not np.shares_memory(t._data, arr) and np.shares_memory(s._data, arr)
    # and torch does the same
    arr_t = np.array([1.0, 2.0])
    tt, st = torch.tensor(arr_t), torch.from_numpy(arr_t)
    arr_t[0] = 9.0
    assert tt[0].item() == 1.0 and st[0].item() == 9.0


def test_tensor_of_a_tensor_copies():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor(a.detach())
    b._data[0] = 7.0
    assert a._data[0] == 1.0
    assert not b.requires_grad and b.is_leaf


def test_tensor_requires_grad_argument():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)


def test_tensor_bad_data():
    with pytest.raises(ValueError):
        ag.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        ag.tensor("abc")
    with pytest.raises(TypeError):
        ag.from_numpy([1, 2])


def test_as_tensor_shares_when_it_can():
    arr = np.array([1.0, 2.0])
    t = ag.as_tensor(arr)
    assert np.shares_memory(t._data, arr)
    assert ag.as_tensor(t) is t
    assert ag.as_tensor(arr, dtype=ag.float32).dtype == np.float32


def test_factories_accept_the_cpu_device_only():
    x = ag.ones(2)
    made = [ag.zeros(2, device="cpu"), ag.tensor([1.0], device="cpu"), ag.arange(3, device="cpu"),
            ag.zeros_like(x, device=x.device), ag.ones_like(x, device="cpu"),
            ag.full_like(x, 2.0, device="cpu"), ag.rand_like(x, device="cpu"),
            ag.randn_like(x, device="cpu"), ag.randint(3, (2,), device="cpu")]
    assert all(isinstance(t, ag.Tensor) for t in made)
    for make in (lambda: ag.zeros(2, device="cuda"), lambda: ag.zeros_like(x, device="cuda:0"),
                 lambda: ag.randn_like(x, device="cuda")):
        with pytest.raises(RuntimeError, match="cuda"):
            make()
