"""The backward engine: accumulation, graph shapes, errors, grad modes, hooks,
retain_grad, detach, autograd.grad (incl. higher order), long chains, memory."""
import gc
import tracemalloc

import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same


def _pair(arr, requires_grad=True):
    """The same data as an autograd_lite tensor and a torch tensor."""
    arr = np.asarray(arr)
    return (ag.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


# ---- accumulation and graph shapes ----------------------------------------------------
def test_grad_accumulates_across_backward_calls(rng):
    a = rng.standard_normal((3, 4))
    x, xt = _pair(a)
    for lib, t in ((ag, x), (torch, xt)):
        (t * t).sum().backward()
        (lib.sin(t)).sum().backward()
    assert_same(x.grad, xt.grad)
    np.testing.assert_allclose(x.grad._data, 2 * a + np.cos(a), rtol=1e-12)


def test_grad_accumulates_in_float32(rng):
    a = rng.standard_normal(5).astype(np.float32)
    x, xt = _pair(a)
    for t in (x, xt):
        for _ in range(3):
            (t * 2.0).sum().backward()
    assert_same(x.grad, xt.grad)


def test_grad_reset_to_none_starts_fresh():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    x.grad = None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [5.0, 5.0])


def test_leaf_grad_is_not_the_users_gradient_array():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    g = ag.tensor([3.0, 4.0])
    x.backward(g)
    np.testing.assert_array_equal(x.grad._data, [3.0, 4.0])
    g._data[:] = 0
    np.testing.assert_array_equal(x.grad._data, [3.0, 4.0])
    y = x * 1.0
    y.backward(g)  # a second backward must not write into g's memory
    np.testing.assert_array_equal(g._data, [0.0, 0.0])
    np.testing.assert_array_equal(x.grad._data, [3.0, 4.0])


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("shape,keepdim", [((3, 4), False), ((3, 4), True), ((), False),
                                           ((0, 2), False), ((1, 1, 5), True)])
def test_full_reduction_gradient_is_a_private_writable_array(reduce, shape, keepdim):
    """A full reduction sends back a read-only stride-0 view of one element; the leaf
    must get its own writable, contiguous copy, and later steps accumulate into it."""
    x = ag.ones(*shape, requires_grad=True) if shape else ag.tensor(1.0, requires_grad=True)
    n = max(x._data.size, 1)
    scale = 1.0 if reduce == "sum" else 1.0 / n
    for step in (1, 2):
        getattr(x, reduce)(dim=tuple(range(len(shape))) if keepdim else None,
                           keepdim=keepdim).backward()
        g = x.grad._data
        assert g.shape == shape and g.flags.writeable and g.flags.c_contiguous
        assert g.base is None or g.base.size == g.size  # not a view of one element
        np.testing.assert_allclose(g, np.full(shape, step * scale))


def test_two_leaves_do_not_share_a_grad_array():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad._data is not b.grad._data
    (a * 2.0).sum().backward()
    np.testing.assert_array_equal(a.grad._data, [3.0, 3.0])
    np.testing.assert_array_equal(b.grad._data, [1.0, 1.0])


def test_diamond_graph(rng):
    a = rng.standard_normal(4)

    def f(lib, x):
        y = x * 2.0
        p, q = lib.sin(y), y * y  # y feeds two branches that meet again
        return (p * q + y).sum()

    x, xt = _pair(a)
    f(ag, x).backward()
    f(torch, xt).backward()
    assert_same(x.grad, xt.grad)


def test_tensor_used_many_times(rng):
    a = rng.standard_normal(3)

    def f(lib, x):
        y = x
        for _ in range(6):
            y = y * x + x  # x used twice per step
        return (y * x * x).sum()

    x, xt = _pair(a)
    f(ag, x).backward()
    f(torch, xt).backward()
    assert_same(x.grad, xt.grad)


def test_same_tensor_as_both_operands():
    x, xt = _pair([1.5, -2.0, 3.0])
    (x * x).sum().backward()
    (xt * xt).sum().backward()
    assert_same(x.grad, xt.grad)
    x.grad = None
    xt.grad = None
    (x + x + x).sum().backward()
    (xt + xt + xt).sum().backward()
    assert_same(x.grad, xt.grad)


def test_broadcast_gradients_sum_back(rng):
    a, b = rng.standard_normal((3, 1)), rng.standard_normal(4)
    x, xt = _pair(a)
    y, yt = _pair(b)
    (x * y).sum().backward()
    (xt * yt).sum().backward()
    assert_same(x.grad, xt.grad)
    assert_same(y.grad, yt.grad)


def test_backward_with_gradient_for_non_scalar(rng):
    a, g = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x, xt = _pair(a)
    (x * x).backward(ag.tensor(g))
    (xt * xt).backward(torch.tensor(g))
    assert_same(x.grad, xt.grad)


def test_backward_gradient_as_numpy_array_and_dtype_cast(rng):
    a = rng.standard_normal(3).astype(np.float32)
    x = ag.tensor(a, requires_grad=True)
    (x * 2.0).backward(np.ones(3))  # float64 array for a float32 output
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad._data, [2.0, 2.0, 2.0])


def test_backward_of_single_element_non_scalar_is_allowed():
    x, xt = _pair([[2.0]])
    (x * x).backward()
    (xt * xt).backward()
    assert_same(x.grad, xt.grad)


def test_backward_of_non_scalar_without_gradient_names_the_shape():
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar.*\(2, 3\)|\(2, 3\).*scalar"):
        (x * 2.0).backward()
    with pytest.raises(RuntimeError):
        (torch.ones(2, 3, requires_grad=True) * 2.0).backward()


def test_backward_with_wrong_shaped_gradient_raises():
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape"):
        (x * 2.0).backward(ag.ones(3, 2))


def test_backward_on_tensor_not_requiring_grad_raises():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2.0).sum().backward()
    with pytest.raises(RuntimeError):
        (torch.tensor([1.0, 2.0]) * 2.0).sum().backward()


def test_backward_on_a_leaf_itself():
    x, xt = _pair([1.0, 2.0])
    x.backward(ag.tensor([3.0, 5.0]))
    xt.backward(torch.tensor([3.0, 5.0]))
    assert_same(x.grad, xt.grad)


def test_backward_multiple_roots_through_autograd_backward(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    ag.autograd.backward([(x * x).sum(), x.sin()], [None, ag.ones(3, dtype=ag.float64)])
    torch.autograd.backward([(xt * xt).sum(), xt.sin()], [None, torch.ones(3, dtype=torch.float64)])
    assert_same(x.grad, xt.grad)


# ---- freed graphs ---------------------------------------------------------------------
def test_second_backward_through_freed_graph_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = (xt * xt).sum()
    yt.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        yt.backward()


def test_freed_graph_error_after_autograd_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.exp(x).sum()
    ag.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        ag.autograd.grad(y, x)


def test_retain_graph_allows_second_backward():
    x, xt = _pair([1.0, -2.0, 0.5])
    for lib, t in ((ag, x), (torch, xt)):
        y = (lib.exp(t) * t).sum()
        y.backward(retain_graph=True)
        y.backward()
    assert_same(x.grad, xt.grad)


def test_backward_frees_saved_arrays():
    x = ag.tensor(np.ones((4, 4)), requires_grad=True)
    w = ag.tensor(np.ones((4, 4)), requires_grad=True)
    h = ag.tanh(x @ w)
    y = (h * x).sum()
    nodes = [h.grad_fn, y.grad_fn.next_functions[0][0]]
    assert any(len(n._saved) or n._out is not None for n in nodes)
    y.backward()
    for n in nodes:
        assert len(n._saved) == 0 and n._out is None


def test_retain_graph_keeps_saved_arrays():
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = x * x
    y.sum().backward(retain_graph=True)
    assert len(y.grad_fn._saved) > 0
    y.sum().backward()
    assert len(y.grad_fn._saved) == 0


# ---- grad modes ------------------------------------------------------------------------
def test_no_grad_context():
    x = ag.tensor([1.0], requires_grad=True)
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2.0
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            y = x * 2.0
        assert not ag.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None


def test_set_grad_enabled_context_and_function():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
        assert not (x * 2.0).requires_grad
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(True):
        assert (x * 2.0).requires_grad
    ag.set_grad_enabled(False)  # as a plain function call, like torch
    try:
        assert not ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


def test_grad_mode_decorators():
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def f_no(t):
        return t * 2.0, ag.is_grad_enabled()

    @ag.enable_grad()
    def f_en(t):
        return t * 2.0, ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def f_set(t):
        return t * 2.0, ag.is_grad_enabled()

    assert ag.is_grad_enabled()  # decorating did not switch the mode
    y, mode = f_no(x)
    assert not mode and not y.requires_grad and ag.is_grad_enabled()
    y, mode = f_set(x)
    assert not mode and not y.requires_grad and ag.is_grad_enabled()
    with ag.no_grad():
        y, mode = f_en(x)
        assert mode and y.requires_grad
        assert not ag.is_grad_enabled()
    assert f_no.__name__ == "f_no"


def test_grad_mode_decorators_without_parentheses():
    @ag.no_grad
    def f():
        return ag.is_grad_enabled()

    @torch.no_grad
    def ft():
        return torch.is_grad_enabled()

    assert f() == ft() is False
    assert ag.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError

    @ag.no_grad()
    def boom():
        raise ValueError

    with pytest.raises(ValueError):
        boom()
    assert ag.is_grad_enabled()


# ---- retain_grad and hooks -------------------------------------------------------------
def test_retain_grad_on_non_leaf(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    outs = []
    for lib, t in ((ag, x), (torch, xt)):
        h = t * 3.0
        h.retain_grad()
        z = t * 1.0  # not retained
        (h * h + z).sum().backward()
        outs.append((h, z))
    (h, z), (ht, zt) = outs
    assert h.retains_grad and ht.retains_grad
    assert_same(h.grad, ht.grad)
    assert z.grad is None
    assert_same(x.grad, xt.grad)


def test_retain_grad_accumulates_and_on_leaf_is_noop():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.retain_grad()
    h = x * 2.0
    h.retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(h.grad._data, 2 * (2 * h._data))  # two backward calls
    x.retain_grad()  # on a leaf that requires grad: nothing to do
    with pytest.raises(RuntimeError, match="require grad"):
        ag.tensor([1.0]).retain_grad()


def test_register_hook_on_leaf_modifies_grad():
    x, xt = _pair([1.0, 2.0, 3.0])
    calls = []
    for t in (x, xt):
        t.register_hook(lambda g: calls.append(g.shape) or g * 10)
        (t * t).sum().backward()
    assert_same(x.grad, xt.grad)
    assert len(calls) == 2


def test_register_hook_on_leaf_called_once_with_summed_grad():
    x, xt = _pair([1.0, 2.0])
    seen = {}
    for name, t in (("ag", x), ("torch", xt)):
        seen[name] = []
        t.register_hook(lambda g, n=name: seen[n].append(np.array(g.tolist())))
        (t * 2.0 + t * t + t).sum().backward()
    assert len(seen["ag"]) == len(seen["torch"]) == 1
    np.testing.assert_allclose(seen["ag"][0], seen["torch"][0])


def test_register_hook_on_non_leaf_modifies_flow():
    a = np.array([1.0, -2.0, 0.5])
    x, xt = _pair(a)
    for lib, t in ((ag, x), (torch, xt)):
        h = t * t
        h.register_hook(lambda g: g * 0.5)
        lib.sin(h).sum().backward()
    assert_same(x.grad, xt.grad)


def test_hook_returning_none_keeps_grad_and_sees_it():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x * 4.0
    h.register_hook(lambda g: seen.append(g._data.copy()))
    h.sum().backward()
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
    np.testing.assert_array_equal(x.grad._data, [4.0, 4.0])


def test_hook_handle_remove():
    for make in (lambda x: x, lambda x: x * 1.0):
        x = ag.tensor([1.0, 2.0], requires_grad=True)
        t = make(x)
        handle = t.register_hook(lambda g: g * 100)
        (t * 2.0).sum().backward(retain_graph=True)
        np.testing.assert_array_equal(x.grad._data, [200.0, 200.0])
        handle.remove()
        handle.remove()  # removing twice is harmless
        x.grad = None
        (t * 2.0).sum().backward()
        np.testing.assert_array_equal(x.grad._data, [2.0, 2.0])


def test_several_hooks_run_in_order():
    x, xt = _pair([1.0, 2.0])
    for t in (x, xt):
        h = t * 1.0
        h.register_hook(lambda g: g + 1)
        h.register_hook(lambda g: g * 3)
        h.sum().backward()
    assert_same(x.grad, xt.grad)  # (1 + 1) * 3, not 1 * 3 + 1


@pytest.mark.parametrize("retain_first", [True, False])
def test_retain_grad_sees_hook_modified_grad(retain_first):
    x, xt = _pair([1.0, 2.0])
    res = []
    for t in (x, xt):
        y = t * 2.0
        if retain_first:
            y.retain_grad()
        y.register_hook(lambda g: g * 3)
        if not retain_first:
            y.retain_grad()
        (y * y).sum().backward()
        res.append(y.grad)
    assert_same(res[0], res[1])
    assert_same(x.grad, xt.grad)


def test_register_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError):
        ag.tensor([1.0]).register_hook(lambda g: g)


def test_hooks_run_under_autograd_grad_like_torch():
    res = {}
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 2)
        (gx,) = lib.autograd.grad((x * x).sum(), x)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 3)
        (gx2,) = lib.autograd.grad((h * h).sum(), x, retain_graph=True)
        (gh,) = lib.autograd.grad((h * h).sum(), h)
        res[lib] = [gx.tolist(), gx2.tolist(), gh.tolist(), h.grad.tolist()]
    assert res[ag] == res[torch]


def test_hook_on_one_output_of_a_multi_output_node():
    res = []
    for lib in (ag, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        a, b = x.unbind(0)
        b.register_hook(lambda g: g * 10)
        (a * b).sum().backward()
        res.append(x.grad)
    assert_same(*res)


def test_hook_returning_a_wrong_shape_is_an_error():
    for make in (lambda x: x, lambda x: x * 2.0):
        x = ag.tensor([1.0, 2.0], requires_grad=True)
        y = make(x)
        y.register_hook(lambda g: g[:1])
        with pytest.raises(RuntimeError, match="hook"):
            (y * 1.0).sum().backward()


# ---- detach, requires_grad, is_leaf, grad_fn ------------------------------------------
def test_detach_cuts_the_graph_and_shares_data():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d._data, y._data)
    d._data[0] = 100.0
    assert y._data[0] == 100.0
    xd = x.detach()
    xd._data[1] = -1.0
    assert x._data[1] == -1.0
    (y * d).sum().backward()  # d is a constant
    np.testing.assert_array_equal(x.grad._data, 2 * d._data)


def test_detach_shares_version_counter_like_torch():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.sin(x)
    x.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="in-place|inplace"):
        y.sum().backward()
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = torch.sin(xt)
    xt.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="inplace"):
        yt.sum().backward()


def test_requires_grad_flag_and_requires_grad_():
    x = ag.tensor([1.0, 2.0])
    assert not x.requires_grad
    assert x.requires_grad_() is x
    assert x.requires_grad and x.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2.0
    assert y.requires_grad_() is y  # True on a non-leaf is allowed, as torch
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError):
        (torch.ones(2, requires_grad=True) * 2).requires_grad_(False)


@pytest.mark.parametrize("dtype", [ag.int64, ag.int32, ag.bool])
def test_integer_tensors_cannot_require_grad(dtype):
    t = ag.zeros(3, dtype=dtype)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], dtype=dtype, requires_grad=True)
    assert not t.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        torch.zeros(3, dtype=torch.int64).requires_grad_()


def test_is_leaf_and_grad_fn_as_torch():
    cases = []
    for lib in (ag, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([1.0, 2.0])
        c = a * 2
        d = b * 2
        e = c.detach()
        with lib.no_grad():
            f = a * 2
        g = a.sum()
        cases.append([(t.is_leaf, t.grad_fn is None, t.requires_grad) for t in (a, b, c, d, e, f, g)])
    assert cases[0] == cases[1]


def test_grad_fn_next_functions_point_at_inputs():
    x = ag.tensor([1.0], requires_grad=True)
    y = ag.tensor([2.0])
    z = x * y
    assert z.grad_fn.next_functions[1] is None  # y does not require grad
    w = z + x
    fns = [e[0] for e in w.grad_fn.next_functions]
    assert fns[0] is z.grad_fn and fns[1] is x
    assert "Mul" in z.grad_fn.name()


def test_non_leaf_grad_is_none_without_retain_grad():
    x = ag.tensor([1.0], requires_grad=True)
    h = x * 2.0
    (h * 3.0).sum().backward()
    assert h.grad is None and x.grad is not None


# ---- autograd.grad -------------------------------------------------------------------------
def test_grad_returns_gradients_and_leaves_dot_grad_alone(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    x, xt = _pair(a)
    y, yt = _pair(b)
    gx, gy = ag.autograd.grad((x * y * y).sum(), [x, y])
    gxt, gyt = torch.autograd.grad((xt * yt * yt).sum(), [xt, yt])
    assert_same(gx, gxt)
    assert_same(gy, gyt)
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad


def test_grad_single_tensor_input_gives_tuple():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    out = ag.autograd.grad((x * x).sum(), x)
    assert isinstance(out, tuple) and len(out) == 1
    np.testing.assert_array_equal(out[0]._data, [2.0, 4.0])


def test_grad_with_grad_outputs(rng):
    a, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x, xt = _pair(a)
    (g,) = ag.autograd.grad(ag.tanh(x) * x, x, grad_outputs=ag.tensor(v))
    (gt,) = torch.autograd.grad(torch.tanh(xt) * xt, xt, grad_outputs=torch.tensor(v))
    assert_same(g, gt)


def test_grad_with_respect_to_non_leaf(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        h = lib.exp(t)
        res.append(lib.autograd.grad((h * h).sum(), h)[0])
    assert_same(*res)


def test_grad_of_a_tensor_with_respect_to_itself():
    res = {}
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        res[lib] = (lib.autograd.grad(y, y, lib.tensor([1.0, 5.0]))[0].tolist(),
                    lib.autograd.grad(x, x, lib.tensor([2.0, 5.0]))[0].tolist())
    assert res[ag] == res[torch] == ([1.0, 5.0], [2.0, 5.0])


def test_several_roots_from_one_multi_output_node():
    res = []
    for lib in (ag, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        a, b = x.unbind(0)
        lib.autograd.backward([a, b], [lib.tensor([1.0, 1.0]), lib.tensor([2.0, 3.0])])
        res.append(x.grad)
    assert_same(*res)
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x.unbind(0)[1].sum().backward()  # the unused output gets zeros
    np.testing.assert_array_equal(x.grad._data, [[0.0, 0.0], [1.0, 1.0]])


def test_grad_allow_unused():
    x = ag.tensor([1.0], requires_grad=True)
    u = ag.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.autograd.grad((x * 2.0).sum(), [x, u])
    gx, gu = ag.autograd.grad((x * 2.0).sum(), [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx._data, [2.0])
    xt = torch.tensor([1.0], requires_grad=True)
    ut = torch.tensor([2.0], requires_grad=True)
    assert torch.autograd.grad((xt * 2.0).sum(), [xt, ut], allow_unused=True)[1] is None
    _, gu = ag.autograd.grad((x * 2.0).sum(), [x, u], materialize_grads=True)
    np.testing.assert_array_equal(gu._data, [0.0])


def test_grad_input_not_requiring_grad_raises():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        ag.autograd.grad((x * 2.0).sum(), ag.tensor([1.0]))


def test_grad_of_non_scalar_without_grad_outputs_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(2,\)"):
        ag.autograd.grad(x * 2.0, x)


def test_hessian_vector_product(rng):
    a, v = rng.standard_normal(4), rng.standard_normal(4)
    x, xt = _pair(a)
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        y = (lib.sin(t) * t * t).sum() + (t.sum()) ** 3
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        assert g.requires_grad
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), t)
        res.append(hv)
    assert_same(*res)


def test_full_hessian_matches_torch(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    hs = []
    for lib, t in ((ag, x), (torch, xt)):
        (g,) = lib.autograd.grad((lib.exp(t) * t.sum()).sum(), t, create_graph=True)
        rows = [lib.autograd.grad(g[i], t, retain_graph=True)[0] for i in range(3)]
        hs.append(lib.stack(rows))
    assert_same(*hs)


def test_gradient_penalty(rng):
    xa, wa, ba = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        b = lib.tensor(ba, requires_grad=True)
        out = lib.tanh(x @ w + b).sum(1) ** 2
        (gx,) = lib.autograd.grad(out.sum(), x, create_graph=True)
        penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
        loss = out.mean() + 10 * penalty
        loss.backward()
        res.append((loss, x.grad, w.grad, b.grad))
    for a, t in zip(*res):
        assert_same(a, t)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_then_grad_of_grad():
    x, xt = _pair([0.3, -1.2])
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        (t ** 3).sum().backward(create_graph=True)
        g = t.grad
        assert g.requires_grad
        (g2,) = lib.autograd.grad(g.sum(), t)
        res.append(g2)
    assert_same(*res)
    np.testing.assert_allclose(res[0]._data, 6 * x._data)


@pytest.mark.parametrize("fn, d3", [
    (lambda lib, t: t ** 4, lambda a: 24 * a),
    (lambda lib, t: lib.sin(t), lambda a: -np.cos(a)),
    (lambda lib, t: lib.exp(t * 2.0), lambda a: 8 * np.exp(2 * a)),
])
def test_third_derivative(fn, d3):
    a = np.array([0.7, -1.3, 2.0])
    res = []
    for lib in (ag, torch):
        t = lib.tensor(a, requires_grad=True)
        y = fn(lib, t).sum()
        (g1,) = lib.autograd.grad(y, t, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), t, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), t)
        res.append(g3)
    assert_same(*res)
    np.testing.assert_allclose(res[0]._data, d3(a), rtol=1e-10)


def test_first_order_grad_without_create_graph_is_constant():
    x = ag.tensor([1.0], requires_grad=True)
    (g,) = ag.autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


# ---- backward(inputs=...) ------------------------------------------------------------------------
def test_backward_inputs_accumulates_only_into_given(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    x, xt = _pair(a)
    y, yt = _pair(b)
    (x * y).sum().backward(inputs=[x])
    (xt * yt).sum().backward(inputs=[xt])
    assert_same(x.grad, xt.grad)
    assert y.grad is None and yt.grad is None
    ag.autograd.backward((x * y).sum(), inputs=y)
    np.testing.assert_array_equal(y.grad._data, a)


def test_backward_inputs_non_leaf():
    x, xt = _pair([1.0, 2.0])
    res = []
    for t in (x, xt):
        h = t * 2.0
        (h * h).sum().backward(inputs=[h])
        res.append(h.grad)
        assert t.grad is None
    assert res[0] is not None
    assert_same(*res)


def test_backward_empty_inputs_raises():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2.0).sum().backward(inputs=[])


# ---- long chains and memory -------------------------------------------------------------
def test_100k_op_chain_backward_without_recursion():
    n = 100_000
    x = ag.tensor(np.array([1.0]), requires_grad=True)  # float64
    y = x
    for _ in range(n):
        y = y * 1.0000001
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [1.0000001 ** n], rtol=1e-9)
    del y
    gc.collect()  # freeing the chain must not recurse either


def test_long_chain_with_leaf_reused_at_every_step():
    n = 30_000
    x = ag.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(n):
        y = y + x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [n + 1.0])


def test_memory_does_not_grow_over_training_iterations(rng):
    w = ag.tensor(rng.standard_normal((8, 4)), requires_grad=True)
    b = ag.tensor(np.zeros(4), requires_grad=True)
    xs = ag.tensor(rng.standard_normal((16, 8)))
    h_node_ref = []

    def step(i):
        h = ag.tanh(xs @ w + b)
        loss = (h * h).mean() + (w ** 2).sum() * 1e-3
        if i == 0:
            h_node_ref.append(h.grad_fn)
        loss.backward()
        with ag.no_grad():
            w.sub_(w.grad * 0.01)
            b.sub_(b.grad * 0.01)
        w.grad = None
        b.grad = None

    gc.collect()
    tracemalloc.start()
    try:
        for i in range(1000):
            step(i)
            if i == 99:
                gc.collect()
                cur_100, _ = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
        gc.collect()
        cur_1000, peak_1000 = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cur_1000 - cur_100 < 16 * 1024, (cur_100, cur_1000)  # < ~18 bytes per iteration
    assert peak_1000 < cur_100 + 256 * 1024, (cur_100, peak_1000)
    node = h_node_ref[0]
    assert len(node._saved) == 0 and node._out is None


def test_graph_is_released_when_dropped():
    import weakref

    x = ag.tensor(np.ones(3), requires_grad=True)
    y = ag.exp(x * 2.0)
    ref = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    assert ref() is None  # no reference cycles keep the graph alive


# ---- dtypes of gradients ---------------------------------------------------------------------------
def test_float32_leaves_get_float32_grads(rng):
    a = rng.standard_normal((3, 2)).astype(np.float32)
    x, xt = _pair(a)
    (ag.exp(x) @ ag.ones(2, 2)).sum().backward()
    (torch.exp(xt) @ torch.ones(2, 2)).sum().backward()
    assert_same(x.grad, xt.grad)
    assert x.grad.dtype == np.float32


def test_grad_dtype_follows_leaf_when_mixed_with_float64(rng):
    a, b = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        out = (x * y).sum()
        assert out.dtype == lib.float64
        (gx,) = lib.autograd.grad(out, x, retain_graph=True)
        out.backward()
        res.append((gx, x.grad, y.grad))
    for a_, t_ in zip(*res):
        assert_same(a_, t_)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_grad_dtype_follows_leaf_with_create_graph(rng):
    a, b = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b)
        (x * y).sum().backward(create_graph=True)
        (g,) = lib.autograd.grad((x * y * x).sum(), x, create_graph=True)
        res.append((x.grad, g))
    for a_, t_ in zip(*res):
        assert_same(a_, t_)


# ---- first-order rules on arrays (fast_backward) agree with the Tensor rules -------------
def _fast_and_tensor_grads(fn, arrays):
    """Gradients of sum(fn(*inputs) * weights) through `fast_backward` (create_graph=False)
    and through the Tensor rules (create_graph=True)."""
    results = []
    for create_graph in (False, True):
        xs = [ag.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*xs)
        w = ag.tensor(np.linspace(-1.5, 2.0, out._data.size).reshape(out.shape).astype(out.dtype))
        grads = ag.autograd.grad((out * w).sum(), xs, create_graph=create_graph)
        results.append([g._data for g in grads])
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,shapes", [  # arithmetic, sums, means: the op table's test
    ("add_scalar", lambda a: 2.5 + a, [(3, 1)]),  # the operators' shortcut
    ("mul_scalar", lambda a: a * -3.0, [(5,)]),
    ("exp", lambda a: ag.exp(a), [(2, 3)]),
    ("tanh", lambda a: ag.tanh(a), [(4, 4)]),
    ("tanh_strided", lambda a: ag.tanh(a.t()), [(3, 5)]),
    ("sigmoid", lambda a: ag.sigmoid(a), [(4, 4)]),
    ("sigmoid_0d", lambda a: ag.sigmoid(a), [()]),
    ("relu", lambda a: ag.relu(a), [(6,)]),
])
def test_fast_backward_matches_the_tensor_rule(rng, dtype, name, fn, shapes):
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    fast, slow = _fast_and_tensor_grads(fn, arrays)
    for f, s, a in zip(fast, slow, arrays):
        assert f.shape == a.shape and f.dtype == a.dtype
        np.testing.assert_array_equal(f, s)


def test_fast_backward_checks_saved_versions():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = ag.tanh(y)
    with ag.no_grad():
        z.mul_(2)  # tanh saved its output
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    a = x * 1.0
    b = a * a  # mul saved its inputs
    with ag.no_grad():
        a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        b.sum().backward()


@pytest.mark.parametrize("create_graph", [False, True])
def test_second_backward_through_recorded_rules(rng, create_graph):
    """A first backward with create_graph=True records SumTo, Neg, Mul... nodes; a second
    backward through them (fast rules, or Tensor rules) matches PyTorch."""
    a, b = rng.standard_normal((3, 1)), rng.standard_normal((3, 4))
    res = []
    for lib in (ag, torch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = (lib.tanh(x * y) - lib.sigmoid(y + x) * y).sum()
        gx, gy = lib.autograd.grad(out, (x, y), create_graph=True)
        res.append(lib.autograd.grad((gx * gx).sum() + (gy ** 2).sum(), (x, y),
                                     create_graph=create_graph))
    for g, gt in zip(*res):
        np.testing.assert_allclose(g._data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)


# ---- a leaf's gradients are summed when backward ends ------------------------------------
@pytest.mark.parametrize("shape,uses", [((4, 4), 60), ((), 30), ((1,), 30), ((300, 250), 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leaf_used_many_times_sums_all_its_gradients(rng, shape, uses, dtype):
    """Many small gradients into one leaf (summed in one call), and large ones (summed as
    they come, in place): both equal the in-order sum and match PyTorch."""
    a = rng.standard_normal(shape).astype(dtype)
    cs = [rng.standard_normal(shape).astype(dtype) for _ in range(uses)]
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        out = x * 0.0
        for c in cs:
            out = out + x * lib.tensor(c)
        out.sum().backward()
        grads.append(x.grad)
    assert_same(grads[0], grads[1])
    expected = cs[-1].copy()  # arrival order: the newest op's gradient first
    for c in cs[-2::-1]:
        expected = expected + c
    np.testing.assert_allclose(grads[0]._data, expected + 0.0, rtol=1e-6 if dtype == np.float32 else 1e-13)


def test_leaf_gradients_summed_late_still_reach_hooks_and_autograd_grad(rng):
    a = rng.standard_normal((3, 2))
    x = ag.tensor(a, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g._data.copy()))
    y = (x * 2 + x * 3 + ag.tanh(x)).sum()
    (g,) = ag.autograd.grad(y, [x], retain_graph=True)
    np.testing.assert_allclose(g._data, 5 + (1 - np.tanh(a) ** 2), rtol=1e-12)
    y.backward()
    np.testing.assert_allclose(x.grad._data, g._data, rtol=0)
    assert len(seen) == 2 and np.array_equal(seen[0], seen[1])
    assert x.grad._data is not g._data
