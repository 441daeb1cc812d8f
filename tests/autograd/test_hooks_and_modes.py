"""Grad modes (no_grad, enable_grad, set_grad_enabled as context managers and
decorators), retain_grad and tensor hooks, against PyTorch where it has an answer."""
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
def _inference_states(lib):
    """What a program sees of inference_mode: flags and requires_grad, in every form."""
    x = lib.ones(2, requires_grad=True)
    seen = []
    with lib.inference_mode():
        seen.append(((x * 2).requires_grad, lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
        with lib.inference_mode(False):
            seen.append(((x * 2).requires_grad, lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
        seen.append(lib.is_inference_mode_enabled())
    with lib.no_grad():
        with lib.inference_mode(mode=False):
            seen.append(((x * 2).requires_grad, lib.is_grad_enabled()))

    @lib.inference_mode
    def bare(t):
        return t * 2, lib.is_inference_mode_enabled()

    @lib.inference_mode()
    def called(t):
        return t * 2

    out, flag = bare(x)
    seen += [out.requires_grad, flag, bare.__name__, called(x).requires_grad]
    with pytest.raises(ZeroDivisionError):
        with lib.inference_mode():
            1 / 0
    seen.append((lib.is_inference_mode_enabled(), lib.is_grad_enabled(), (x * 2).requires_grad))
    return seen


def test_inference_mode_as_torch():
    assert _inference_states(ag) == _inference_states(torch)


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
