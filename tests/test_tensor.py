"""The Tensor's own attributes and methods (API.md, "Tensor"), compared with torch."""

import re
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same, numpy_dtype


def _pair(arr, requires_grad=False):
    arr = np.asarray(arr)
    return ag.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad)


# ---- attributes ------------------------------------------------------------------------------
def test_data_is_the_ndarray_and_metadata(rng):
    arr = rng.standard_normal((2, 3, 4)).astype(np.float32)
    a, t = _pair(arr)
    assert isinstance(a._data, np.ndarray)
    np.testing.assert_array_equal(a._data, arr)
    assert a.shape == tuple(t.shape) == (2, 3, 4)
    assert a.dtype == numpy_dtype(t.dtype) == np.float32
    assert a.ndim == t.ndim == a.dim() == t.dim() == 3
    assert a.numel() == t.numel() == 24
    assert a.size() == tuple(t.size())
    for d in (0, 1, 2, -1, -3):
        assert a.size(d) == t.size(d)
    with pytest.raises(IndexError):
        a.size(3)
    with pytest.raises(IndexError):
        t.size(3)


def test_zero_dim_tensor_metadata():
    a, t = _pair(2.5)
    assert a.shape == tuple(t.shape) == ()
    assert a.ndim == t.ndim == 0 and a.numel() == t.numel() == 1
    assert a.size() == ()


def test_grad_requires_grad_is_leaf_grad_fn_defaults():
    a = ag.tensor([1.0, 2.0])
    assert a.grad is None and a.requires_grad is False and a.is_leaf and a.grad_fn is None
    b = ag.tensor([1.0, 2.0], requires_grad=True)
    c = b * 2
    assert c.requires_grad and not c.is_leaf and c.grad_fn is not None
    c.sum().backward()
    assert isinstance(b.grad, ag.Tensor)
    np.testing.assert_array_equal(b.grad._data, [2.0, 2.0])


def test_data_assignment_replaces_values():
    for lib in (ag, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        a.data = lib.tensor([5.0, 6.0, 7.0])  # a new value, of another shape too
        (a * a).sum().backward()
        np.testing.assert_array_equal(np.asarray(a.grad), [10.0, 12.0, 14.0])
    with pytest.raises(TypeError, match="data: expected a Tensor"):
        ag.tensor([1.0]).data = np.array([2.0])


def test_data_is_a_tensor_sharing_memory_outside_the_graph():
    """As PyTorch's `.data`: a Tensor on the same memory that requires no grad, so
    in-place changes through it work on a leaf and are invisible to autograd."""
    results = []
    for lib in (ag, torch):
        lib.manual_seed(0)
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        d = w.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.is_leaf
        assert d.grad_fn is None and d.shape == w.shape and d.dtype == w.dtype
        y = (w * w).sum()          # saves w for backward
        w.data.add_(1.0)           # not recorded; no version bump that backward sees
        w.data.mul_(2.0)
        y.backward()               # uses the changed values, as PyTorch does
        w.data.copy_(lib.tensor([9.0, 8.0, 7.0]))
        results.append((w.detach().numpy().copy(), w.grad.numpy().copy()))
        w.data.normal_()
        w.data.zero_()
        assert not np.any(w.detach().numpy())
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_data_of_a_parameter_in_a_module():
    lin = ag.nn.Linear(3, 2)
    new = ag.ones(2, 3)
    lin.weight.data = new
    assert isinstance(lin.weight, ag.nn.Parameter) and lin.weight.requires_grad
    np.testing.assert_array_equal(lin.weight.detach().numpy(), np.ones((2, 3), np.float32))
    new.add_(1.0)  # shares memory with the tensor it was given, as PyTorch
    assert float(lin.weight.sum()) == 12.0
    lin.weight.data.fill_(0.5)
    assert float(lin(ag.ones(1, 3)).sum() - lin.bias.sum()) == 3.0


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (5,)])
def test_T(rng, shape):
    arr = rng.standard_normal(shape)
    a, t = _pair(arr, requires_grad=True)
    w = rng.standard_normal(shape[::-1])
    # torch deprecates .T on tensors with more than 2 dims (it warns once per process)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tt = t.T
    assert_same(a.T, tt)
    (a.T * ag.tensor(w)).sum().backward()
    (tt * torch.tensor(w)).sum().backward()
    assert_same(a.grad, t.grad)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 1, 3, 5)])
def test_mT(rng, shape):
    arr = rng.standard_normal(shape)
    a, t = _pair(arr, requires_grad=True)
    assert_same(a.mT, t.mT)
    w = rng.standard_normal(tuple(t.mT.shape))
    (a.mT * ag.tensor(w)).sum().backward()
    (t.mT * torch.tensor(w)).sum().backward()
    assert_same(a.grad, t.grad)


def test_mT_of_1d_is_an_error():
    with pytest.raises(RuntimeError):
        ag.zeros(3).mT
    with pytest.raises(RuntimeError):
        torch.zeros(3).mT


# ---- conversions to Python / NumPy ----------------------------------------------------------------
@pytest.mark.parametrize("value", [2.5, 3, True, [7.0], [[4]]])
def test_item(value):
    a, t = ag.tensor(value), torch.tensor(value)
    assert a.item() == t.item()
    assert type(a.item()) is type(t.item())


def test_item_of_many_elements_is_an_error():
    with pytest.raises(RuntimeError, match="2 elements"):
        ag.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, 2.0]).item()


def test_float_int_of_tensors():
    for lib in (ag, torch):
        assert float(lib.tensor([2.5])) == 2.5
        assert int(lib.tensor(2.7)) == 2
        assert int(lib.tensor(-2.7)) == -2
        with pytest.raises(ValueError):
            float(lib.tensor([1.0, 2.0]))
    assert "{:.2f}".format(ag.tensor(1.23456)) == "{:.2f}".format(torch.tensor(1.23456))


def test_index_protocol():
    lst = [10, 20, 30]
    assert lst[ag.tensor(1)] == lst[torch.tensor(1)] == 20
    with pytest.raises(TypeError):
        lst[ag.tensor(1.0)]


def test_numpy_shares_memory_and_refuses_requires_grad():
    a = ag.tensor([1.0, 2.0])
    n = a.numpy()
    assert isinstance(n, np.ndarray)
    n[0] = 9.0
    assert a._data[0] == 9.0
    t = torch.tensor([1.0, 2.0])
    t.numpy()[0] = 9.0
    assert t[0].item() == 9.0
    r = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        r.numpy()
    with pytest.raises(RuntimeError, match="detach"):
        torch.tensor([1.0], requires_grad=True).numpy()
    np.testing.assert_array_equal(r.detach().numpy(), [1.0, 2.0])


@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0, 4.0]], [1, 2, 3], 2.5, 4, [True, False], [[]]])
def test_tolist(value):
    a, t = ag.tensor(value), torch.tensor(value)
    assert a.tolist() == t.tolist()
    assert type(a.tolist()) is type(t.tolist())


def test_tolist_gives_python_scalars():
    out = ag.tensor([1.5, 2.5]).tolist()
    assert all(type(v) is float for v in out)
    out = ag.tensor([1, 2]).tolist()
    assert all(type(v) is int for v in out)


def test_np_asarray_gives_the_data():
    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    n = np.asarray(a)
    assert n.dtype == np.float32 and n.shape == (2, 2)
    assert np.shares_memory(n, a._data)
    np.testing.assert_array_equal(np.asarray(a, dtype=np.float64), a._data)
    assert np.asarray(a, dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(np.array(a), torch.tensor([[1.0, 2.0], [3.0, 4.0]]).numpy())


def test_ndarray_op_tensor_gives_tensor():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0], dtype=np.float32) * a
    assert isinstance(out, ag.Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(a.grad._data, [3.0, 4.0])


# ---- clone, detach, casts ------------------------------------------------------------------------
def test_clone_copies_and_keeps_the_graph(rng):
    arr = rng.standard_normal((2, 3))
    a, t = _pair(arr, requires_grad=True)
    ca, ct = a.clone(), t.clone()
    assert_same(ca, ct)
    assert (ca.is_leaf, ca.requires_grad) == (ct.is_leaf, ct.requires_grad) == (False, True)
    assert ca.grad_fn is not None
    assert not np.shares_memory(ca._data, a._data)
    w = rng.standard_normal((2, 3))
    (ca * ca * ag.tensor(w)).sum().backward()
    (ct * ct * torch.tensor(w)).sum().backward()
    assert_same(a.grad, t.grad)


def test_clone_without_grad_and_of_integers():
    for value in ([1.0, 2.0], [1, 2], [True, False]):
        a, t = _pair(value)
        c = a.clone()
        assert_same(c, t.clone())
        assert c.is_leaf and not c.requires_grad and c.grad_fn is None
        c._data[0] = c._data[1]
        np.testing.assert_array_equal(a._data, np.asarray(value))


def test_clone_supports_double_backward():
    a, t = _pair([0.5, -1.5], requires_grad=True)
    res = []
    for lib, x in ((ag, a), (torch, t)):
        y = (x.clone() ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g.clone().sum(), x)
        res.append(g2)
    assert_same(*res)


def test_clone_is_also_a_function():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.clone(a)
    assert not c.is_leaf and not np.shares_memory(c._data, a._data)


def test_detach_shares_data_and_is_leaf():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    d = a.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d._data, a._data)
    d._data[0] = 3.0
    assert a._data[0] == 3.0


@pytest.mark.parametrize("method, dtype", [("float", np.float32), ("double", np.float64),
                                           ("long", np.int64), ("int", np.int32), ("bool", np.bool_),
                                           ("half", np.float16)])
def test_cast_methods(method, dtype):
    arr = np.array([[1.7, -2.2], [0.0, 3.5]], np.float32)
    a, t = _pair(arr)
    ca, ct = getattr(a, method)(), getattr(t, method)()
    assert_same(ca, ct, tol=dict(rtol=1e-3, atol=1e-3))
    assert ca.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_])
def test_to_dtype(dtype):
    arr = np.array([1.5, -2.0, 0.0])
    a, t = _pair(arr)
    out_t = t.to(torch.tensor(np.zeros(1, dtype)).dtype)
    assert_same(a.to(dtype), out_t)
    assert_same(a.to(dtype=dtype), out_t)
    assert a.to(np.float64) is a  # same dtype: no copy, as torch
    assert a.to("cpu") is a


def test_to_another_float_dtype_carries_the_gradient(rng):
    arr = rng.standard_normal(4).astype(np.float32)
    a, t = _pair(arr, requires_grad=True)
    res = []
    for x in (a, t):
        y = x.double()
        assert y.requires_grad and y.dtype in (np.float64, torch.float64)
        (y * y).sum().backward()
        res.append(x.grad)
    assert_same(*res)
    assert a.grad.dtype == np.float32


def test_casting_a_grad_tensor_to_int_cuts_the_graph():
    for lib in (ag, torch):
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        for y in (x.long(), x.int(), x.bool()):
            assert not y.requires_grad and y.grad_fn is None
        assert x.float() is x


# ---- Python protocols ----------------------------------------------------------------------------
def test_repr():
    assert repr(ag.tensor([1.0, 2.0])) == repr(torch.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1, 2])) == repr(torch.tensor([1, 2]))
    r = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(r) == repr(torch.tensor([1.0, 2.0], requires_grad=True))
    assert "grad_fn=<" in repr(r * 2) and "Mul" in repr(r * 2)
    assert "float64" in repr(ag.tensor(np.array([1.0, 2.0])))
    assert repr(ag.tensor(3)) == repr(torch.tensor(3)) == "tensor(3)"
    assert str(ag.tensor([1, 2])) == repr(ag.tensor([1, 2]))


@pytest.mark.parametrize("value", [[1.5, 2.0], [0.123456, 100.0], 2.5, 3.0, [1e-8, 1.0],
                                   [[1.25, 2.0], [3.0, 4.0]], [float("inf"), 1.5], [True, False]])
def test_repr_formats_numbers_like_torch(value):
    assert repr(ag.tensor(value)) == repr(torch.tensor(value))


def test_len():
    for lib in (ag, torch):
        assert len(lib.zeros(4, 2)) == 4
        assert len(lib.zeros(0, 3)) == 0
        with pytest.raises(TypeError):
            len(lib.tensor(1.0))


def test_iteration(rng):
    arr = rng.standard_normal((3, 2))
    a, t = _pair(arr, requires_grad=True)
    rows_a, rows_t = list(a), list(t)
    assert len(rows_a) == len(rows_t) == 3
    for ra, rt in zip(rows_a, rows_t):
        assert_same(ra, rt)
    (rows_a[0] * 2 + rows_a[2]).sum().backward()
    (rows_t[0] * 2 + rows_t[2]).sum().backward()
    assert_same(a.grad, t.grad)
    assert [v.item() for v in ag.tensor([1, 2, 3])] == [1, 2, 3]
    for lib in (ag, torch):
        with pytest.raises(TypeError):
            iter(lib.tensor(1.0))


def test_bool_of_tensors():
    for lib in (ag, torch):
        assert bool(lib.tensor([3.0])) is True
        assert bool(lib.tensor(0.0)) is False
        assert bool(lib.tensor([[1]])) is True
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(lib.tensor([1.0, 2.0]))
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(lib.zeros(0))
        with pytest.raises(RuntimeError, match="ambiguous"):
            if lib.tensor([1, 0]) > 0:
                pass


def test_tensors_are_hashable_by_identity():
    a = ag.tensor([1.0, 2.0])
    b = ag.tensor([1.0, 2.0])  # equal values, a different tensor
    d = {a: "a", b: "b"}
    assert len(d) == 2 and d[a] == "a" and d[b] == "b"
    s = {a, b, a}
    assert len(s) == 2 and a in s and b in s
    assert ag.tensor([1.0, 2.0]) not in {a: 1}
    p = ag.tensor([1.0], requires_grad=True)
    y = p * 2
    assert len({p, y, p}) == 2
    assert hash(a) == hash(a) and hash(a) != hash(b)


@pytest.mark.parametrize("element", [
    3, 5, 3.0, 2.5, True, lambda lib: lib.tensor(3), lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.tensor([9, 2]), lambda lib: lib.tensor([[1], [9]])])
def test_in_finds_an_element_as_torch(element):
    """`element in t` for a 2-D t (was: "Boolean value of Tensor ... is ambiguous")."""
    results = []
    for lib in (ag, torch):
        t = lib.tensor([[1, 2], [3, 4]])
        results.append((element(lib) if callable(element) else element) in t)
    assert results[0] is results[1]


def test_in_refuses_other_types_as_torch():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
            "a" in lib.tensor([1, 2])  # noqa: B015


def test_equality_operator_is_elementwise():
    a, b = ag.tensor([1.0, 2.0]), ag.tensor([1.0, 3.0])
    eq = a == b
    assert isinstance(eq, ag.Tensor) and eq.dtype == np.bool_
    assert eq.tolist() == (torch.tensor([1.0, 2.0]) == torch.tensor([1.0, 3.0])).tolist()


# ---- requires_grad_ / retain_grad / register_hook are methods ---------------------------------------
def test_requires_grad_method_returns_self():
    a = ag.tensor([1.0])
    assert a.requires_grad_() is a and a.requires_grad
    assert a.requires_grad_(False) is a and not a.requires_grad


def test_backward_method_signature():
    a, t = _pair([1.0, 2.0], requires_grad=True)
    for x, lib in ((a, ag), (t, torch)):
        y = x * x
        y.backward(gradient=lib.tensor([1.0, 0.5]), retain_graph=True)
        y.backward(lib.tensor([1.0, 0.5]), None, False)
    assert_same(a.grad, t.grad)


def test_misc_metadata_methods():
    a = ag.tensor(np.zeros((2, 3), np.float32))
    assert a.is_floating_point() and not ag.tensor([1]).is_floating_point()
    assert a.element_size() == 4
    assert a.is_contiguous() and not a.T.is_contiguous()
    assert a.device == "cpu" or str(a.device) == "cpu"
    assert ag.is_tensor(a) and not ag.is_tensor(a._data)
    assert ag.numel(a) == 6


def test_tensor_class_constructor_like_torch():
    for args in ((2, 3), (4,), ()):
        a, t = ag.Tensor(*args), torch.Tensor(*args)
        assert a.shape == tuple(t.shape) and a.dtype == numpy_dtype(t.dtype)
        assert a.is_leaf and not a.requires_grad
    for data in ([1, 2], [[1.5], [2.5]], [True, False]):
        assert_same(ag.Tensor(data), torch.Tensor(data))
    arr = np.array([1.0, 2.0])
    a = ag.Tensor(arr)
    arr[0] = 5.0
    assert a._data[0] == 1.0  # a copy
    assert ag.Tensor([1.0], requires_grad=True).requires_grad
    with pytest.raises(TypeError):
        ag.Tensor([1.0], [2.0])


# ---- assigning .grad, refusing what a tensor can't hold (issue 15, item 8) ----------------
@pytest.mark.parametrize("make_grad,error,message", [
    (lambda lib: lib.zeros(3), RuntimeError, "attempting to assign a gradient of size '\\[3\\]' to a tensor of size "
                                            "'\\[2, 3\\]'"),
    (lambda lib: lib.zeros(1, 3), RuntimeError, "gradient of size '\\[1, 3\\]'"),
    (lambda lib: lib.zeros(3, 2), RuntimeError, "gradient of size '\\[3, 2\\]'"),
    (lambda lib: lib.zeros(2, 3, dtype=lib.float64), RuntimeError, "attempting to assign a gradient with dtype"),
    (lambda lib: lib.zeros(2, 3, dtype=lib.int64), RuntimeError, "attempting to assign a gradient with dtype"),
    (lambda lib: np.zeros((2, 3), np.float32), TypeError, "assigned grad expected to be a Tensor or None"),
], ids=["fewer dims", "broadcastable", "transposed", "float64", "int64", "ndarray"])
def test_assigning_a_wrong_grad_raises_as_pytorch(make_grad, error, message):
    for lib in (ag, torch):
        for x in (lib.zeros(2, 3, requires_grad=True), lib.nn.Parameter(lib.zeros(2, 3))):
            with pytest.raises(error, match=message):
                x.grad = make_grad(lib)
            assert x.grad is None


def test_assigned_grads_accumulate_and_can_be_cleared():
    """A grad of the right shape and dtype is kept and backward adds into it (never
    broadcasts into another shape); None and `del` clear it; a tensor can't be its own."""
    results = []
    for lib in (ag, torch):
        x = lib.zeros(2, 3, requires_grad=True)
        x.grad = lib.ones(2, 3)
        (x * 2).sum().backward()
        results.append(x.grad.numpy().copy())
        x.grad = None
        assert x.grad is None
        x.grad = lib.ones(2, 3)
        del x.grad
        assert x.grad is None
        with pytest.raises(RuntimeError, match="own grad"):
            x.grad = x
        y = lib.zeros(3, dtype=lib.int64)
        y.grad = lib.ones(3, dtype=lib.int64)  # any dtype, as long as it is the tensor's
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("array", [np.array([1, "a"], dtype=object), np.array([1.0, 2.0], dtype=object),
                                   np.array(["ab"]), np.array([1 + 2j]), np.array(["2024-01-01"], "datetime64[D]"),
                                   np.complex64(1j)],
                         ids=["object", "object of floats", "str", "complex", "datetime", "complex scalar"])
def test_tensor_refuses_arrays_of_other_dtypes(array):
    """PyTorch refuses object arrays (TypeError); so does every constructor here."""
    if array.dtype == object:
        with pytest.raises(TypeError):
            torch.tensor(array)
    for make in (ag.tensor, ag.as_tensor, ag.Tensor):
        with pytest.raises(TypeError, match=f"can't convert a NumPy .* of dtype {re.escape(str(array.dtype))}"):
            make(array)


@pytest.mark.parametrize("view", [
    lambda t: t, lambda t: t.t(), lambda t: t[:, 1:], lambda t: t[::2], lambda t: t.unsqueeze(1).expand(2, 4, 3),
    lambda t: t.reshape(3, 2), lambda t: t[0], lambda t: t.permute(1, 0).unsqueeze(0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "bfloat16"])
def test_memory_and_kind_queries_as_torch(view, dtype):
    """stride(), nbytes, itemsize, is_signed(), is_complex() (stride was missing)."""
    got = []
    for lib in (ag, torch):
        t = view(lib.ones(2, 3, dtype=getattr(lib, dtype)))
        got.append((t.stride(), t.stride(-1) if t.dim() else None, t.nbytes, t.itemsize, t.is_signed(),
                    t.is_complex(), isinstance(t.data_ptr(), int)))
    assert got[0] == got[1]


def test_constants_as_torch():
    assert (ag.pi, ag.e, ag.inf, ag.newaxis) == (torch.pi, torch.e, torch.inf, torch.newaxis)
    assert ag.nan != ag.nan and type(ag.nan) is type(torch.nan) is float
    assert ag.ones(2, 3)[:, ag.newaxis].shape == (2, 1, 3)
