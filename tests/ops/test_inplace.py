"""In-place ops and setitem compared with PyTorch: values, version counters, the
leaf-requires-grad rule, gradients through in-place changes of non-leaves, and the
errors for read-only (expanded) memory (saved tensors changed in place:
test_inplace_saved.py)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same, compare, gradcheck, randn

SHAPE_ERRORS = (RuntimeError, ValueError)


def r(*shape, seed=0):
    return randn(*shape, seed=seed)


def run_both(fn, *arrays, grad=True):
    """fn(lib, *tensors) for ag and torch (float64 leaves); compare outputs and grads."""
    results = []
    for lib in (ag, torch):
        ins = [lib.tensor(a, requires_grad=grad) for a in arrays]
        out = fn(lib, *ins)
        results.append((out, ins))
    (out_a, ins_a), (out_t, ins_t) = results
    assert_same(out_a, out_t)
    if grad:
        w = r(*tuple(out_t.shape), seed=9)
        (out_a * ag.tensor(w)).sum().backward()
        (out_t * torch.tensor(w)).sum().backward()
        for k, (a, t) in enumerate(zip(ins_a, ins_t)):
            if t.grad is None:
                assert a.grad is None or not np.any(a.grad._data), f"input {k}: torch has no grad"
            else:
                assert a.grad is not None, f"input {k}: no grad, torch has one"
                assert_same(a.grad, t.grad, what=f"grad of input {k}")
    return out_a, out_t


# ---- plain in-place ops: values and versions ----------------------------------------------
INPLACE_CASES = {  # add_, mul_, ...: the op table's test (with each entry's samples)
    "add_scalar": lambda lib, t: t.add_(2.5),
    "zero_": lambda lib, t: t.zero_(),
    "fill_scalar": lambda lib, t: t.fill_(1.25),
    "fill_0d_tensor": lambda lib, t: t.fill_(lib.tensor(-0.5)),
    "copy_same": lambda lib, t: t.copy_(lib.tensor(r(2, 3, seed=1))),
    "copy_broadcast": lambda lib, t: t.copy_(lib.tensor(r(3, seed=1))),
    "copy_other_dtype": lambda lib, t: t.copy_(lib.tensor(np.array([[1, 2, 3], [4, 5, 6]]))),
    "iadd": lambda lib, t: t.__iadd__(1),
    "isub": lambda lib, t: t.__isub__(lib.tensor(r(3, seed=1))),
    "imul": lambda lib, t: t.__imul__(2),
    "itruediv": lambda lib, t: t.__itruediv__(2),
}


@pytest.mark.parametrize("name", list(INPLACE_CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inplace_values_and_version(name, dtype):
    fn = INPLACE_CASES[name]
    outs = []
    for lib in (ag, torch):
        t = lib.tensor(r(2, 3).astype(dtype))
        alias = t.view(6)  # a view sees the change and shares the version counter
        assert t._version == 0
        result = fn(lib, t)
        assert result is t, f"{name} must return the tensor itself"
        assert t._version == 1 and alias._version == 1
        outs.append((t, alias))
    assert_same(outs[0][0], outs[1][0])
    assert_same(outs[0][1], outs[1][1])


def test_inplace_integer_tensors():
    compare(lambda lib, t: t.add_(3), np.arange(6).reshape(2, 3))
    compare(lambda lib, t: t.mul_(t), np.arange(6).reshape(2, 3))
    compare(lambda lib, t: t.fill_(2.7), np.arange(3))  # truncated to the int dtype
    compare(lambda lib, t: t.copy_(lib.tensor(np.array([1.9, -1.9, 0.5]))), np.arange(3))
    for fn in (lambda t: t.add_(1.5), lambda t: t.div_(2), lambda t: t.mul_(0.5)):
        with pytest.raises(RuntimeError):
            fn(torch.arange(3))
        with pytest.raises(RuntimeError):
            fn(ag.arange(3))


def test_inplace_broadcast_to_bigger_shape_raises():
    with pytest.raises(RuntimeError):
        torch.zeros(3).add_(torch.zeros(2, 3))
    with pytest.raises(SHAPE_ERRORS, match="add_"):
        ag.zeros(3).add_(ag.zeros(2, 3))
    with pytest.raises(SHAPE_ERRORS, match="mul_"):
        (ag.tensor(r(3), requires_grad=True) * 1).mul_(ag.zeros(2, 3))
    with pytest.raises(SHAPE_ERRORS, match="copy_"):
        ag.zeros(3).copy_(ag.zeros(2))


def test_inplace_on_a_detached_tensor_changes_the_original():
    for lib in (ag, torch):
        x = lib.tensor(r(3), requires_grad=True)
        y = x * 1
        d = y.detach()
        d.add_(1)
        assert y._version == 1
        np.testing.assert_allclose(y.detach().numpy(), r(3) + 1)


# ---- normal_ / uniform_ -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_and_uniform(dtype):
    ag.manual_seed(0)
    t = ag.zeros(200, 50, dtype=dtype)  # 10,000 samples: standard error of the mean ~0.01
    alias = t[0]
    assert t.normal_(2.0, 0.5) is t
    assert t._version == 1 and alias._version == 1 and t.dtype == dtype and t.shape == (200, 50)
    assert abs(t._data.mean() - 2.0) < 0.03 and abs(t._data.std() - 0.5) < 0.03
    assert alias._data[0] == t._data[0, 0]
    t.uniform_(-3, -1)
    assert t._version == 2 and t.dtype == dtype
    assert t._data.min() >= -3 and t._data.max() <= -1 and abs(t._data.mean() + 2) < 0.03
    assert np.unique(t._data).size > 9000
    t.normal_()
    assert abs(t._data.mean()) < 0.05 and abs(t._data.std() - 1) < 0.05
    t.uniform_()
    assert t._data.min() >= 0 and t._data.max() <= 1 and abs(t._data.mean() - 0.5) < 0.03


def test_normal_uniform_follow_the_seed():
    a, b = ag.zeros(5), ag.zeros(5)
    ag.manual_seed(3)
    a.normal_()
    a2 = ag.zeros(4).uniform_()
    ag.manual_seed(3)
    b.normal_()
    b2 = ag.zeros(4).uniform_()
    np.testing.assert_array_equal(a._data, b._data)
    np.testing.assert_array_equal(a2._data, b2._data)
    assert not np.array_equal(a._data[:4], a2._data)


# ---- leaves that require grad ---------------------------------------------------------------
LEAF_OPS = {
    "add_": lambda t: t.add_(1),
    "sub_": lambda t: t.sub_(1),
    "mul_": lambda t: t.mul_(2),
    "div_": lambda t: t.div_(2),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(3.0),
    "copy_": lambda t: t.copy_(ag.tensor(r(3, seed=1)) if isinstance(t, ag.Tensor) else torch.tensor(r(3, seed=1))),
    "normal_": lambda t: t.normal_(),
    "uniform_": lambda t: t.uniform_(),
    "setitem": lambda t: t.__setitem__(0, 5.0),
    "iadd": lambda t: t.__iadd__(1),
}


@pytest.mark.parametrize("name", list(LEAF_OPS))
def test_inplace_on_leaf_requiring_grad(name):
    fn = LEAF_OPS[name]
    with pytest.raises(RuntimeError):
        fn(torch.tensor(r(3), requires_grad=True))
    x = ag.tensor(r(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        fn(x)
    np.testing.assert_array_equal(x._data, r(3))  # nothing was written
    assert x._version == 0
    with ag.no_grad():
        fn(x)
    assert x._version == 1
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    # the leaf still works in a graph afterwards
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.full(3, 2.0))


def test_optimizer_style_update_under_no_grad():
    xs = {}
    for lib in (ag, torch):
        w = lib.tensor(r(3), requires_grad=True)
        for _ in range(2):
            loss = (w * w * lib.tensor(r(3, seed=1))).sum()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        xs[lib] = w.detach().numpy().copy()
    np.testing.assert_allclose(xs[ag], xs[torch], rtol=1e-12)


# ---- non-leaves in grad mode: gradients as torch -------------------------------------------------
def test_inplace_chain_on_non_leaf_gradients():
    def f(lib, x, w, b):
        y = x * 2
        y.add_(1)
        y.mul_(w)
        y.sub_(b, alpha=3)
        y.div_(w * w + 1)
        y += x
        y *= b
        return y

    run_both(f, r(2, 3), r(2, 3, seed=1), r(3, seed=2))


def test_inplace_unary_and_masked_on_non_leaf_gradients():
    m = r(2, 3, seed=5) > 0
    idx = np.array([[0, 2], [1, 1]])

    def f(lib, x, v, s):
        y = x * 1.5
        y.tanh_()
        y = y * 1
        y.masked_fill_(lib.tensor(m), 0.25)
        y = y + 0
        y.scatter_(1, lib.tensor(np.array([[2], [0]])), s[:, :1])
        z = x * 1
        z.scatter_add_(1, lib.tensor(idx), v)
        z = z * 1
        z.clamp_(-0.5, 0.5)
        return y + z

    run_both(f, r(2, 3), r(2, 2, seed=1), r(2, 2, seed=2))


def test_zero_fill_copy_on_non_leaf_gradients():
    def f(lib, x, v, src):
        a = x * 2
        a.zero_()
        b = x * 3
        b.fill_(v.sum())
        c = x * 4
        c.copy_(src)  # broadcast (3,) into (2, 3): src's grad is summed
        return a + b + c + x

    run_both(f, r(2, 3), r(2, seed=1), r(3, seed=2))


def test_zero_fill_copy_overwrite_inf_and_nan_on_non_leaf():
    # the old values must not leak into the result (0 * inf is nan)
    m_inf = np.array([True, False, False])
    m_nan = np.array([False, False, True])

    def f(lib, x, v):
        y = (x * 1).masked_fill(lib.tensor(m_inf), float("inf")).masked_fill(lib.tensor(m_nan), float("nan"))
        a = y * 1
        a.zero_()
        b = y * 1
        b.fill_(v * 2)
        c = y * 1
        c.copy_(v.expand(3) * x)
        return a + b + c

    out, _ = run_both(f, r(3), r(seed=1))
    assert np.isfinite(out._data).all()


@pytest.mark.parametrize("op", ["normal_", "uniform_"])
def test_random_fill_of_non_leaf_cuts_the_gradient(op):
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(r(3), requires_grad=True)
        y = x * 2
        getattr(y, op)()
        assert y.requires_grad and y._version == 1
        (y * 3 + x).sum().backward()
        grads.append(x.grad)
    assert_same(grads[0], grads[1])


def test_inplace_on_plain_tensor_with_grad_operand_records():
    # a tensor that doesn't require grad becomes a non-leaf when it takes in a grad-requiring one
    for lib in (ag, torch):
        acc = lib.zeros(3, dtype=lib.float64)
        w = lib.tensor(r(3), requires_grad=True)
        acc.add_(w * w)
        acc.mul_(w)
        assert acc.requires_grad and not acc.is_leaf
    run_both(lambda lib, w: lib.zeros(3, dtype=lib.float64).add_(w * w).mul_(w), r(3))


def test_inplace_higher_order():
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(3), requires_grad=True)
        y = x * x
        y.mul_(x)
        y.add_(x.sin())
        (g,) = lib.autograd.grad(y.sum(), [x], create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), [x])
        outs.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-10)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-10)


def test_inplace_gradcheck():
    def arith(x, w):
        y = x * 1
        y.mul_(w)
        y.add_(w, alpha=2)
        y.div_(w * w + 1)
        y.sub_(x)
        y *= w
        return y

    def others(x, v):
        y = x * 1
        y.masked_fill_(ag.tensor(r(2, 3, seed=7) > 0), v)
        z = x * 2
        z.copy_(v * x[0])
        w = x * 3
        w.fill_(v * v)
        return y + z + w

    def setitem(x, v):
        y = x * 1
        y[0] = v * v
        y[:, 1] = x[:, 0]
        y[[1, 0], [2, 2]] = v[:2]
        return y * x

    gradcheck(arith, r(2, 3), r(3, seed=1), second_order=True)
    gradcheck(others, r(2, 3), r(seed=1), second_order=True)
    gradcheck(setitem, r(2, 3), r(3, seed=1), second_order=True)


# ---- setitem --------------------------------------------------------------------------------------
SET_KEYS = {
    "int": (0, lambda lib: 7.0),
    "0d_tensor_as_int": (lambda lib: lib.tensor(np.array(2)), lambda lib: lib.tensor(r(3, seed=1))),
    "neg_int_row": (-1, lambda lib: lib.tensor(r(3, seed=1))),
    "slice_step": ((slice(None), slice(None, None, 2)), lambda lib: -1.0),
    "broadcast_row": (slice(0, 2), lambda lib: lib.tensor(r(3, seed=1))),
    "list": ([0, 2], lambda lib: lib.tensor(r(2, 3, seed=1))),
    "tensor_index": (lambda lib: lib.tensor(np.array([2, 0])), lambda lib: 0.0),
    "bool_mask": (lambda lib: lib.tensor(r(3, 3, seed=4) > 0), lambda lib: 9.0),
    "bool_rows": (lambda lib: lib.tensor(np.array([True, False, True])), lambda lib: lib.tensor(r(3, seed=1))),
    "ellipsis_none": ((Ellipsis, 1), lambda lib: lib.tensor(r(3, seed=2))),
    "pairs": (([0, 1], [2, 0]), lambda lib: lib.tensor(np.array([5.0, 6.0]))),
    "0d_tensor_value": ((1, 1), lambda lib: lib.tensor(3.5)),
    "value_with_leading_ones": (0, lambda lib: lib.tensor(r(1, 3, seed=1))),
}


def _key(k, lib):
    if isinstance(k, tuple):
        return tuple(_key(c, lib) for c in k)
    return k(lib) if callable(k) else k


@pytest.mark.parametrize("name", list(SET_KEYS))
def test_setitem_under_no_grad(name):
    key, value = SET_KEYS[name]
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(3, 3), requires_grad=True)
        view = x[1:]
        with lib.no_grad():
            x[_key(key, lib)] = value(lib)
        assert x._version == 1 and view._version == 1 and x.is_leaf
        outs.append((x.detach(), view.detach()))
    assert_same(outs[0][0], outs[1][0])
    assert_same(outs[0][1], outs[1][1])


def test_setitem_plain_tensor_int_dtype_and_list_value():
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(np.arange(6).reshape(2, 3))
        x[0] = 2.7  # truncated
        x[1, 1:] = lib.tensor(np.array([-1, -2]))
        x[:, 0] = lib.tensor(np.array([True, False]))
        outs.append(x)
    assert_same(outs[0], outs[1])


@pytest.mark.parametrize("name", [n for n in SET_KEYS if n not in ("bool_mask",)])
def test_setitem_on_non_leaf_gradients(name):
    key, value = SET_KEYS[name]

    def f(lib, x, v):
        y = x * 2
        val = value(lib)
        if isinstance(val, (ag.Tensor, torch.Tensor)):
            val = val * v.sum()  # make the value depend on a grad-requiring input
        y[_key(key, lib)] = val
        return y * x

    run_both(f, r(3, 3), r(2, seed=3))


SPLIT_KEYS = {  # an int applies first, as in PyTorch: the targets have shape (3, 2), not (2, 3)
    "int_slice_list": lambda lib: (1, slice(None), [2, 0]),
    "int_slice_mask": lambda lib: (1, slice(None), lib.tensor(np.array([True, False, False, True]))),
    "0d_int_none_list": lambda lib: (lib.tensor(np.array(0)), slice(None), lib.tensor(np.array([3, 1]))),
}


@pytest.mark.parametrize("name", list(SPLIT_KEYS))
def test_setitem_int_then_advanced_like_torch(name):
    key = SPLIT_KEYS[name]
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3, 4))
        x[key(lib)] = lib.tensor(r(3, 2, seed=1))
        outs.append(x)
    assert_same(outs[0], outs[1])
    with pytest.raises(SHAPE_ERRORS):
        ag.tensor(r(2, 3, 4))[key(ag)] = ag.tensor(r(2, 3, seed=1))

    def f(lib, x, v):
        y = x * 2
        y[key(lib)] = v * v
        return y * x

    run_both(f, r(2, 3, 4), r(3, 2, seed=1))


def test_setitem_bool_mask_non_leaf_gradients():
    def f(lib, x, v):
        y = x * 1
        y[y > 0] = 0.0  # relu by hand
        z = x * 3
        z[x < 0] = v * 2  # 0-d value broadcast into the masked places
        return y + z

    run_both(f, r(3, 3), r())


def test_setitem_into_plain_buffer_records_the_value():
    def f(lib, x):
        out = lib.zeros(3, 2, dtype=lib.float64)
        out[0] = x * 2
        out[2] = x.exp()
        out[1, 1] = x[0] * x[1]
        return out

    run_both(f, r(2))


def test_setitem_errors():
    x = ag.tensor(r(2, 3))
    with pytest.raises(IndexError, match="setitem"):
        x[2] = 1.0
    with pytest.raises(SHAPE_ERRORS, match="setitem"):
        x[0] = ag.tensor(r(2))
    with pytest.raises(RuntimeError):
        torch.tensor(r(2, 3))[0] = torch.tensor(r(2))
    y = ag.tensor(r(2, 3), requires_grad=True) * 1
    with pytest.raises(SHAPE_ERRORS, match=r"(setitem|index_put).*\(2, 3\)"):
        y[0] = ag.tensor(r(2), requires_grad=True)
    with pytest.raises(IndexError, match=r"(setitem|index_put).*\(2, 3\)"):
        y[:, 5] = ag.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError):
        y[::-1] = 0.0


def test_inplace_on_view_of_leaf_requiring_grad_raises():
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3), requires_grad=True)
        with pytest.raises(RuntimeError):
            x[0].add_(1)
        with pytest.raises(RuntimeError):
            x.view(6).mul_(2)
        np.testing.assert_array_equal(x.detach().numpy(), r(2, 3))


def test_inplace_on_a_live_view_in_grad_mode():
    """Was refused (a known limitation): the view's and the base's histories are rebased
    as PyTorch's are (more cases: test_inplace_views.py)."""
    def f(lib, x):
        y = x * 2
        y[0] += 1  # a view's add_, then setitem
        return y * x

    run_both(f, r(2, 3))


def test_inplace_after_a_transient_view_in_grad_mode():
    """A view that is gone no longer blocks in-place changes of its base."""
    def f(lib, x):
        y = x * 2
        y[0].sum()
        y.add_(1)
        return y * x

    run_both(f, r(2, 3))


def test_inplace_with_a_live_view_in_grad_mode():
    """The live view follows its base's change, in values and history."""
    def f(lib, x):
        y = x * 2
        v = y[0]
        y.add_(x)
        return y * v

    run_both(f, r(2, 3))


# ---- read-only memory (expanded tensors) --------------------------------------------------------
@pytest.mark.parametrize("fn", [lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.zero_(),
                                lambda t: t.fill_(1.0), lambda t: t.copy_(ag.ones(3, 4)),
                                lambda t: t.normal_(), lambda t: t.__setitem__(0, 1.0)],
                         ids=["add_", "mul_", "zero_", "fill_", "copy_", "normal_", "setitem"])
def test_inplace_on_expanded_tensor_is_a_clear_error(fn):
    x = ag.tensor(r(3, 1))
    y = x.expand(3, 4)
    with pytest.raises(RuntimeError, match="read-only|expand") as e:
        fn(y)
    assert "clone" in str(e.value)
    np.testing.assert_array_equal(x._data, r(3, 1))
    with pytest.raises(RuntimeError):
        torch.tensor(r(3, 1)).expand(3, 4).add_(1)
    with ag.no_grad():
        with pytest.raises(RuntimeError, match="read-only|expand"):
            fn(y)
