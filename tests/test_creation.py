"""Tensor factories beyond the op table (autograd_lite/ops/table/creation.py, which
compares every factory's values, shapes and dtypes with PyTorch, ag.tensor's dtype
inference among them): leaves and requires_grad, errors, memory sharing, the default
dtype, random ranges and seeding, threads, and the call forms and options (size=,
out=, device=, layout=, generator=)."""
import warnings

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


# ---- PyTorch's call forms and keyword names, every factory ------------------------------------
DETERMINISTIC_FORMS = [
    "L.zeros(2, 3)", "L.zeros((2, 3))", "L.zeros([2, 3])", "L.zeros(size=(2, 3))",
    "L.zeros(size=[2, 3])", "L.zeros(L.Size([2, 3]))", "L.zeros([])", "L.zeros(())",
    "L.zeros(L.tensor(3))", "L.zeros((2, L.tensor(3)))", "L.zeros(2, dtype=None)",
    "L.ones(size=(2,), dtype=L.int32)", "L.ones(2, 3, layout=L.strided)",
    "L.ones(2, pin_memory=False)", "L.ones(2, device='cpu', requires_grad=True)",
    "L.empty(size=(2,))", "L.empty(2, memory_format=L.contiguous_format)",
    "L.empty(1, 2, 3, 4, memory_format=L.channels_last)",
    "L.zeros_like(L.ones(1, 2, 3, 4, 5), memory_format=L.channels_last_3d)",
    "L.ones(1, 2, 2, 2).to(memory_format=L.channels_last)",
    "L.full(size=(2,), fill_value=3.0)", "L.full((2,), 3.0, layout=L.strided)",
    "L.full([2, 3], 3)", "L.full((2,), True)", "L.full((2, 2), 1.5, dtype=L.int64)",
    "L.full((2,), L.tensor(2.5))", "L.full((2,), 1.0, device=L.device('cpu'))",
    "L.arange(start=1, end=5)", "L.arange(end=5)", "L.arange(1, 5, step=2)", "L.arange(0, 1, 0.1)",
    "L.arange(L.tensor(3))", "L.arange(5.0)", "L.arange(5, dtype=L.float64, device='cpu')",
    "L.linspace(0, 1, steps=5)", "L.linspace(start=0, end=1, steps=5)",
    "L.linspace(0, 1, 5, dtype=L.int64)", "L.linspace(L.tensor(0.0), L.tensor(1.0), 5)",
    "L.logspace(0, 1, steps=5, base=2)", "L.logspace(0, 1, 5, device='cpu')",
    "L.logspace(0, 3, 4, dtype=L.int64)", "L.logspace(start=-1, end=1, steps=3, base=10.0)",
    "L.eye(n=3, m=2)", "L.eye(3, dtype=L.int64)", "L.eye(3, 2)", "L.eye(0)",
    "L.eye(2, layout=L.strided, requires_grad=True)",
    "L.zeros_like(input=L.zeros(2))", "L.zeros_like(L.zeros(2), memory_format=L.preserve_format)",
    "L.full_like(L.zeros(2), fill_value=3)", "L.full_like(L.zeros(2, dtype=L.int64), 3.7)",
    "L.empty_like(L.zeros(2), dtype=L.int32)", "L.ones_like(L.zeros(2), layout=L.strided)",
    "L.tensor([1.0], pin_memory=False)", "L.tensor([1, 2], dtype=L.float64, device='cpu')",
    "L.as_tensor([1.0], device='cpu')", "L.as_tensor([1, 2], dtype=L.float32)",
    "L.zeros(2).new_zeros(2, 3)", "L.zeros(2).new_zeros((2, 3))", "L.zeros(2).new_zeros(size=(2,))",
    "L.zeros(2).new_ones([2, 3], dtype=L.int64, device='cpu', requires_grad=False)",
    "L.zeros(2).new_full((2,), 3, device='cpu')", "L.zeros(2).new_tensor([1, 2], device='cpu')",
    "L.zeros(2).new_empty(size=(2,))",
]


def _run(form, lib):
    return eval(form, {"L": lib, "np": np})


@pytest.mark.parametrize("form", DETERMINISTIC_FORMS)
def test_call_forms_match_torch(form):
    a, t = _run(form, ag), _run(form, torch)
    _same_meta(a, t)
    assert a.requires_grad == t.requires_grad
    if "empty" not in form:
        np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())


RANDOM_FORMS = [
    "L.rand(size=(2, 3))", "L.rand(2, 3, generator=G)", "L.rand((2,), dtype=L.float64)",
    "L.randn(2, dtype=L.float16)", "L.randn([2, 3], requires_grad=True, pin_memory=False)",
    "L.randn(L.Size([2]), layout=L.strided, device='cpu')", "L.randint(10, (3,))",
    "L.randint(3, 10, (3,))", "L.randint(low=3, high=10, size=(3,))",
    "L.randint(high=10, size=(3,))", "L.randint(10, size=(3,))",
    "L.randint(10, (3,), dtype=L.float32)", "L.randint(10, (3,), generator=G)",
    "L.randint(3, 10, size=[2, 2])", "L.randint(0, 2, (3,), dtype=L.bool)",
    "L.randperm(5, dtype=L.float32)", "L.randperm(n=5)", "L.randperm(5, generator=G)",
    "L.randn_like(L.zeros(2), dtype=L.float64)", "L.randint_like(L.zeros(2), 10)",
    "L.randint_like(L.zeros(2), 3, 10)", "L.randint_like(L.zeros(2), low=3, high=10)",
    "L.randint_like(L.zeros(2), high=10)", "L.rand_like(L.zeros(2, 2), device='cpu')",
    "L.normal(0.0, 1.0, size=(2, 3))", "L.normal(0.0, 1.0, (2, 3))",
    "L.normal(mean=0.0, std=1.0, size=(2, 3))", "L.normal(L.zeros(3), 1.0)",
    "L.normal(0.0, L.ones(3))", "L.normal(L.zeros(3), L.ones(3))",
    "L.normal(L.zeros(3, dtype=L.float64), L.ones(3))",
    "L.normal(0.0, 1.0, size=(2, 3), dtype=L.float64)", "L.normal(0.0, 1.0, size=(2,), generator=G)",
    "L.normal(0, 1, (2,))", "L.normal(L.zeros(3, 1), L.ones(1, 2))",
    "L.normal(2.0, 3.0, (2,), dtype=L.float64, requires_grad=True)",
    "L.randint(3, (2,), dtype=L.float32, requires_grad=True)",
]


@pytest.mark.parametrize("form", RANDOM_FORMS)
def test_random_call_forms_match_torch_in_shape_and_dtype(form):
    a = eval(form, {"L": ag, "G": ag.Generator().manual_seed(0)})
    t = eval(form, {"L": torch, "G": torch.Generator().manual_seed(0)})
    _same_meta(a, t)
    assert a.requires_grad == t.requires_grad


def test_random_values_are_in_range_and_follow_the_generator():
    g = ag.Generator().manual_seed(5)
    r = ag.randint(3, 10, (1000,), generator=g)
    assert r.min().item() == 3 and r.max().item() == 9
    assert sorted(ag.randperm(6, generator=g).tolist()) == list(range(6))
    n = ag.normal(ag.full((20000,), 2.0), ag.full((20000,), 0.5), generator=g)
    assert abs(n.mean().item() - 2.0) < 0.02 and abs(n.std().item() - 0.5) < 0.02
    a = ag.normal(1.0, 2.0, (3,), generator=ag.Generator().manual_seed(1))
    b = ag.normal(1.0, 2.0, (3,), generator=ag.Generator().manual_seed(1))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_normal_with_tensor_arguments_is_differentiable_with_zero_gradient_as_torch():
    for lib in (ag, torch):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        lib.normal(mean, std).sum().backward()
        assert mean.grad.tolist() == [0.0, 0.0, 0.0] and std.grad.tolist() == [0.0, 0.0, 0.0]


ERROR_FORMS = [
    ("L.zeros(2, size=(2, 3))", TypeError), ("L.zeros((2, 3), 4)", TypeError),
    ("L.zeros()", TypeError), ("L.zeros(2.0)", TypeError), ("L.zeros(-1)", RuntimeError),
    ("L.zeros(2, pin_memory=True)", RuntimeError), ("L.empty(2, pin_memory=True)", RuntimeError),
    ("L.ones(2, dtype=L.float64, out=L.empty(2))", RuntimeError),
    ("L.ones(2, out=L.empty(2, requires_grad=True))", RuntimeError),
    ("L.zeros(2, out=[1])", TypeError), ("L.rand(2, dtype=L.int64)", NotImplementedError),
    ("L.rand_like(L.zeros(2, dtype=L.int64))", NotImplementedError),
    ("L.randint(10, 3)", TypeError), ("L.randint(5, 5, (2,))", RuntimeError),
    ("L.eye(-1)", RuntimeError), ("L.normal(L.zeros(2), L.ones(3))", RuntimeError),
    ("L.normal(0.0, -1.0, (2,))", RuntimeError), ("L.normal(L.zeros(2), -1.0)", RuntimeError),
    ("L.normal(L.zeros(2, dtype=L.int64), 1.0)", NotImplementedError),
    ("L.normal(L.zeros(2), 1.0, size=(2,))", TypeError), ("L.arange(0, 5, 0)", RuntimeError),
    ("L.linspace(0, 1, -1)", RuntimeError), ("L.zeros(2, device='cuda')", AssertionError),
    ("L.tensor([1.0], pin_memory=True)", RuntimeError),
    ("L.empty(2, 3, memory_format=L.channels_last)", RuntimeError),
    ("L.empty(2, memory_format=L.preserve_format)", RuntimeError),
    ("L.zeros_like(L.zeros(1, 2, 3, 4), memory_format=L.channels_last_3d)", RuntimeError),
    ("L.zeros(2, 3).to(memory_format=L.channels_last)", RuntimeError),
]


@pytest.mark.parametrize("form, error", ERROR_FORMS)
def test_bad_call_forms_raise_as_torch(form, error):
    with pytest.raises(error):
        _run(form, torch)
    with pytest.raises(error):
        _run(form, ag)


def test_sparse_layouts_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="dense"):
        ag.zeros(2, layout=ag.sparse_coo)
    with pytest.raises(TypeError, match="memory_format"):
        ag.empty(2, memory_format="channels_last")


OUT_FORMS = ["L.zeros(2, 3, out=O)", "L.ones(2, 3, out=O)", "L.full((2, 3), 7.0, out=O)",
             "L.arange(6, out=O)", "L.linspace(0, 1, 6, out=O)", "L.logspace(0, 1, 6, out=O)",
             "L.eye(2, 3, out=O)", "L.empty(2, 3, out=O)", "L.rand(2, 3, out=O)",
             "L.randn(6, out=O)", "L.randint(0, 5, (2, 3), out=O)", "L.randperm(6, out=O)",
             "L.normal(0.0, 1.0, (2, 3), out=O)", "L.normal(L.zeros(6), 1.0, out=O)"]


@pytest.mark.parametrize("form", OUT_FORMS)
@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("out_shape", [(2, 3), (6,), (0,), (4,)])
def test_out_argument_matches_torch(form, out_dtype, out_shape):
    if out_dtype == "int64" and any(n in form for n in ("rand(", "randn", "normal", "linspace",
                                                         "logspace")):
        return  # torch refuses these too (random floats, or inexact int ranges)
    if "L.zeros(6)" in form and out_shape != (6,):
        for lib in (ag, torch):  # the shape of out must be that of mean and std
            with pytest.raises(RuntimeError):
                eval(form, {"L": lib, "O": lib.zeros(out_shape, dtype=getattr(lib, out_dtype))})
        return
    results = []
    for lib in (ag, torch):
        out = lib.zeros(out_shape, dtype=getattr(lib, out_dtype))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = eval(form, {"L": lib, "O": out})
        assert result is out
        results.append((out, [w.category for w in caught if "resized" in str(w.message)]))
    (a, a_warn), (t, t_warn) = results
    _same_meta(a, t)
    assert a_warn == t_warn
    if not any(n in form for n in ("rand", "normal", "empty")):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-6)
