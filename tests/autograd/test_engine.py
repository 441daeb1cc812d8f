"""The backward engine: accumulation, graph shapes, errors, freed graphs, detach,
long chains, memory, gradient dtypes, fast_backward (a leaf's summed gradients:
test_leaf_sums.py; autograd.grad: test_autograd_grad.py; grad modes and hooks:
test_hooks_and_modes.py)."""
import gc
import tracemalloc

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd.node import Node, Op
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
        assert not n._saved and n._out is None


def test_backward_calls_a_nodes_own_release():
    """The engine frees plain nodes inline; a class with its own `_release` (which
    frees more: a recurrent layer's activations) still has it called."""
    released = []

    class Twice(Op):
        save_inputs = (0,)

        def forward(ctx, x):
            ctx.extra = np.ones(3)
            return 2 * x

        def backward(ctx, g):
            return 2 * g

        def fast_backward(ctx, g):
            return 2 * g

        def _release(ctx):
            super()._release()
            released.append(ctx.extra)
            ctx.extra = None

    assert not Twice._plain_release and Node._plain_release
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Twice.apply1(x)
    (y * y).sum().backward()
    assert len(released) == 1 and y.grad_fn.extra is None and y.grad_fn._released
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 16.0])


def test_retain_graph_keeps_saved_arrays():
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = x * x
    y.sum().backward(retain_graph=True)
    assert len(y.grad_fn._saved) > 0
    y.sum().backward()
    assert y.grad_fn._saved is None and y.grad_fn._released


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
    assert not node._saved and node._out is None


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
@pytest.mark.parametrize("name,fn,shapes", [  # every table op is the op table's test;
    ("add_scalar", lambda a: 2.5 + a, [(3, 1)]),  # these are the operators' shortcuts
    ("mul_scalar", lambda a: a * -3.0, [(5,)]),
    ("sub_tensor", lambda a, b: a - b, [(3, 4), (4,)]),
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
