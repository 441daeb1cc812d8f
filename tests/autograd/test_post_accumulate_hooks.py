"""Tensor.register_post_accumulate_grad_hook against PyTorch: when the hooks run, what
they see, and that writing into .grad from a hook never leaks into other gradients."""
import gc

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.tensor import post_accumulate_hooks

LIBS = [ag, torch]


def _leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _spy(lib, log, name):
    """An identity function whose backward writes `name` to `log` (in either library)."""

    class Spy(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone()

        @staticmethod
        def backward(ctx, g):
            log.append(name)
            return g

    return Spy.apply


def _grads_seen(lib, run):
    """Run `run(lib, record)`; `record(name)` makes a hook that logs (name, grad)."""
    log = []

    def record(name):
        return lambda p: log.append((name, None if p.grad is None else p.grad.detach().numpy().copy()))

    run(lib, record)
    return log


def _assert_same_logs(run):
    mine, theirs = _grads_seen(ag, run), _grads_seen(torch, run)
    assert [n for n, _ in mine] == [n for n, _ in theirs]
    for (name, a), (_, b) in zip(mine, theirs):
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_registering_on_a_non_leaf_or_a_tensor_without_grad_raises(lib):
    x = _leaf(lib, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(RuntimeError, match="doesn't require grad"):
        lib.ones(2).register_post_accumulate_grad_hook(lambda p: None)


def test_hook_sees_the_accumulated_grad_once_per_backward():
    def run(lib, record):
        x = _leaf(lib, [1.0, 2.0, 3.0])
        x.register_post_accumulate_grad_hook(record("x"))
        ((x * 3).sum() + x.exp().sum() + (x * x).sum()).backward()  # three uses, one call
        (x * 2).sum().backward()  # accumulates onto the first gradient
    _assert_same_logs(run)


def test_tensor_hooks_run_before_and_post_hooks_in_registration_order():
    def run(lib, record):
        x = _leaf(lib, [1.0, -2.0])
        x.register_hook(lambda g: g * 10)
        x.register_post_accumulate_grad_hook(record("first"))
        h = x.register_post_accumulate_grad_hook(record("second"))
        x.register_post_accumulate_grad_hook(record("third"))
        (x ** 2).sum().backward()
        h.remove()
        (x ** 2).sum().backward()
    _assert_same_logs(run)


def test_hooks_run_during_backward_as_soon_as_the_leaf_is_complete():
    """The order of hooks and of the backward rules in between is PyTorch's: a layer's
    parameters are final before the layers below it run their backward."""
    def run(lib):
        log = []
        params = [_leaf(lib, np.linspace(-1, 1, 4).reshape(2, 2) * (i + 1)) for i in range(3)]
        for i, p in enumerate(params):
            p.register_post_accumulate_grad_hook(lambda p, i=i: log.append(f"p{i}"))
        h = _leaf(lib, [[0.5, -0.25]])
        for i, p in enumerate(params):
            h = _spy(lib, log, f"layer{i}")(lib.tanh(h @ p))
        h.sum().backward()
        return log
    assert run(ag) == run(torch)


def test_not_called_by_autograd_grad_and_only_for_backward_inputs():
    def run(lib, record):
        x = _leaf(lib, [1.0, 2.0])
        z = _leaf(lib, [3.0, 4.0])
        x.register_post_accumulate_grad_hook(record("x"))
        z.register_post_accumulate_grad_hook(record("z"))
        lib.autograd.grad((x * z).sum(), [x, z])
        (x * z).sum().backward(inputs=[z])
        (x * z).sum().backward(inputs=[x])
    _assert_same_logs(run)


def test_backward_on_the_leaf_itself_and_retain_graph():
    def run(lib, record):
        w = _leaf(lib, [1.0, 2.0])
        w.register_post_accumulate_grad_hook(record("w"))
        w.backward(lib.tensor([0.5, 0.25], dtype=lib.float64))
        y = (w * 3).sum()
        y.backward(retain_graph=True)
        y.backward()
    _assert_same_logs(run)


def test_hook_runs_when_the_leaf_is_in_the_graph_but_gets_no_gradient():
    def run(lib, record):
        class HalfGrad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * 2 + b

            @staticmethod
            def backward(ctx, g):
                return g, None

        a = _leaf(lib, [1.0, 2.0])
        b = _leaf(lib, [3.0, 4.0])
        b.register_post_accumulate_grad_hook(record("b"))
        HalfGrad.apply(a, b).sum().backward()
    _assert_same_logs(run)


def test_unreachable_leaf_hook_does_not_run():
    def run(lib, record):
        x = _leaf(lib, [1.0])
        u = _leaf(lib, [2.0])
        u.register_post_accumulate_grad_hook(record("u"))
        (x * 2).sum().backward()
    _assert_same_logs(run)


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_writing_into_grad_from_a_hook_leaves_other_gradients_alone(lib):
    """`b` and the sum `h + b` share one gradient array in the engine; zeroing b.grad
    in its hook (which runs before `h`'s backward) must not change a.grad."""
    a = _leaf(lib, [1.0, 2.0, 3.0])
    b = _leaf(lib, [4.0, 5.0, 6.0])

    def zero(p):
        with lib.no_grad():
            p.grad.mul_(0)

    b.register_post_accumulate_grad_hook(zero)
    h = a * 2
    (h + b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_a_hook_that_returns_a_value_raises(lib):
    x = _leaf(lib, [1.0, 2.0])
    h = x.register_post_accumulate_grad_hook(lambda p: lib.zeros(2, dtype=lib.float64))
    with pytest.raises(RuntimeError, match="return None"):
        (x * 3).sum().backward()
    h.remove()
    x.register_post_accumulate_grad_hook(lambda p: 5)
    with pytest.raises(TypeError, match="int"):
        (x * 3).sum().backward()


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_create_graph_hooks_see_a_differentiable_grad():
    for lib in LIBS:
        seen = []
        c = _leaf(lib, [1.0, 2.0])
        c.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.requires_grad))
        (c ** 2).sum().backward(create_graph=True)
        assert seen == [True], lib.__name__
        c.grad = None


def test_the_registry_forgets_removed_hooks_and_dead_tensors():
    x = _leaf(ag, [1.0])
    h1 = x.register_post_accumulate_grad_hook(lambda p: None)
    h2 = x.register_post_accumulate_grad_hook(lambda p: None)
    assert id(x) in post_accumulate_hooks
    h1.remove()
    assert id(x) in post_accumulate_hooks
    h2.remove()
    assert id(x) not in post_accumulate_hooks
    y = _leaf(ag, [1.0])
    key = id(y)
    y.register_post_accumulate_grad_hook(lambda p: None)
    del y
    gc.collect()
    assert key not in post_accumulate_hooks
