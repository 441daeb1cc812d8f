"""autograd.graph's saved tensors hooks (saved_tensors_hooks, save_on_cpu,
disable_saved_tensors_hooks) against torch.autograd.graph's."""
import threading

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd import graph

DTYPES = [(np.float64, torch.float64), (np.float32, torch.float32)]


def _pair(shape, dt, seed=0, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dt[0])
    return (ag.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, dtype=dt[1], requires_grad=requires_grad))


def _model(lib, x, w, b):
    y = (x * w + b).tanh()
    return (y.exp() * x).sigmoid().sum()


def _counting_hooks(lib, log):
    def pack(t):
        log.append(("pack", tuple(t.shape), bool(t.requires_grad), t.grad_fn is None))
        return t.detach().clone() if lib is torch else t.detach().clone()

    def unpack(p):
        log.append(("unpack", tuple(p.shape)))
        return p
    return lib.autograd.graph.saved_tensors_hooks(pack, unpack)


@pytest.mark.parametrize("dt", DTYPES)
def test_pack_unpack_counts_values_and_gradients_match_torch(dt):
    (x, tx), (w, tw), (b, tb) = _pair((4, 4), dt, 0), _pair((4, 4), dt, 1), _pair((4,), dt, 2)
    logs = {}
    for lib, args in ((ag, (x, w, b)), (torch, (tx, tw, tb))):
        log = logs[lib] = []
        with _counting_hooks(lib, log):
            loss = _model(lib, *args)
        n_pack = len(log)
        loss.backward()
        assert sum(1 for e in log[n_pack:] if e[0] == "unpack") == n_pack
    packed = lambda log: sorted(e for e in log if e[0] == "pack")  # noqa: E731
    assert packed(logs[ag]) == packed(logs[torch])
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_hooks_apply_to_ops_recorded_inside_whenever_backward_runs():
    for lib in (ag, torch):
        log = []
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: log.append("p") or t,
                                                    lambda t: log.append("u") or t):
            y = x.exp()
        z = y.sin()  # recorded outside: no hooks
        assert log == ["p"]
        z.sum().backward()  # backward outside the context still unpacks y's saved output
        assert log == ["p", "u"]


def test_nested_contexts_use_the_innermost():
    for lib in (ag, torch):
        log = []
        x = lib.ones(3, requires_grad=True)
        G = lib.autograd.graph
        with G.saved_tensors_hooks(lambda t: log.append("outer") or t, lambda t: log.append("uo") or t):
            with G.saved_tensors_hooks(lambda t: log.append("inner") or t, lambda t: log.append("ui") or t):
                z = x.exp()
            z2 = x.exp()
        z.sum().backward()
        z2.sum().backward()
        assert log == ["inner", "outer", "ui", "uo"], lib


@pytest.mark.parametrize("dt", DTYPES)
def test_double_backward_through_unpacked_copies(dt):
    (x, tx), = [_pair((3,), dt, 3)]
    results = []
    for lib, v in ((ag, x), (torch, tx)):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            w = v * 3
            z = (w.exp() * w * v).sum()
        g, = lib.autograd.grad(z, v, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), v)
        results.append((g.detach().numpy(), g2.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_pack_hook_returning_the_tensor_itself_sees_later_in_place_changes():
    # no version check with hooks (PyTorch's): the gradient uses the changed values
    grads = []
    for lib in (ag, torch):
        b = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            w = b * 1
            z = w * w
        with lib.no_grad():
            w.add_(1)
        z.sum().backward()
        grads.append(b.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(grads[0], [4.0, 4.0, 4.0])


def test_pack_hook_gets_the_saved_tensor_and_runs_without_grad():
    seen = []
    x = ag.ones(3, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: seen.append((t, ag.is_grad_enabled())) or t, lambda t: t):
        y = x.exp()
        y * x  # saves both inputs
    assert seen[0][0] is y and seen[0][1] is False  # exp saves its output
    assert {id(t) for t, _ in seen[1:]} == {id(y), id(x)}


def test_errors_as_torch():
    for lib in (ag, torch):
        G = lib.autograd.graph
        a = lib.ones(3, requires_grad=True)

        def pack_inplace(t):
            with lib.no_grad():
                t.add_(1)
            return t
        with G.saved_tensors_hooks(pack_inplace, lambda t: t):
            with pytest.raises(RuntimeError, match="pack hook is modifying its input in place"):
                (a * 2).tanh()
        with G.saved_tensors_hooks(lambda t: t, lambda t: 3):
            y = a * a
        with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor.*int"):
            y.sum().backward()
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            y = a.exp()
        y.sum().backward()
        with pytest.raises(RuntimeError, match="(?i)backward through the graph a second time"):
            y.sum().backward()


@pytest.mark.parametrize("bad", ["shape", "dtype"])
def test_unpack_of_another_shape_or_dtype_raises(bad):
    # PyTorch computes with whatever comes back (a broadcastable shape gives a silently
    # different gradient); ours names both
    a = ag.ones(3, dtype=ag.float64, requires_grad=True)
    other = ag.ones(1, dtype=ag.float64) if bad == "shape" else ag.ones(3, dtype=ag.float32)
    with graph.saved_tensors_hooks(lambda t: t, lambda t: other):
        y = a * a
    with pytest.raises(RuntimeError, match=r"MulBackward: the saved tensors unpack_hook returned"):
        y.sum().backward()


def test_disable_saved_tensors_hooks():
    for lib in (ag, torch):
        G = lib.autograd.graph
        with G.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
            with pytest.raises(RuntimeError, match="no hooks here"):
                with G.save_on_cpu():
                    pass
            lib.ones(2, requires_grad=True).exp().sum().backward()  # ops run as usual
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with G.disable_saved_tensors_hooks("no hooks here"):
                    pass
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):  # usable again after
            pass


@pytest.mark.parametrize("pin", [False, True])
def test_save_on_cpu_matches_torch(pin):
    # on CPU tensors PyTorch keeps the tensor itself (pin_memory=False) or a copy
    grads = []
    for lib in (ag, torch):
        b = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.save_on_cpu(pin_memory=pin):
            w = b * 1
            z = w * w
        with lib.no_grad():
            w.add_(1)
        z.sum().backward()
        grads.append(b.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_custom_function_saved_tensors_are_packed():
    counts = []
    for lib in (ag, torch):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * x * x
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * 3 * y / x

        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: log.append("p") or t.detach().clone(),
                                                    lambda t: log.append("u") or t):
            y = Cube.apply(x)
        y.sum().backward()
        counts.append((log, x.grad.numpy().tolist()))
    assert counts[0] == counts[1]


def test_plans_come_back_and_hooks_are_per_thread():
    plans = {cls: cls._plan for cls in graph._op_classes()}
    other = []
    x = ag.ones(3, requires_grad=True)

    def worker():
        other.append(x.exp().grad_fn._out[2] is not graph.PACKED)

    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        th = threading.Thread(target=worker)
        th.start()
        th.join()
        assert x.exp().grad_fn._out[2] is graph.PACKED
    assert other == [True]  # the other thread's recording was not packed
    assert {cls: cls._plan for cls in graph._op_classes()} == plans
    assert any(p is not None for p in plans.values())
