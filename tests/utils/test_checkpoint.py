"""utils.checkpoint against torch.utils.checkpoint: values and gradients (float64 and
float32, both `use_reentrant` variants), PyTorch's warnings and errors, the RNG state
restored for the recomputation, and that the activations are not kept."""
import gc
import warnings
import weakref

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import autograd_lite as ag
from autograd_lite.as_torch import aliased
from autograd_lite.utils import checkpoint as cp
from tests.helpers import FLOAT_DTYPES, TOL, assert_same, compare

RNG = np.random.default_rng(0)
X, W1, W2, B = (RNG.standard_normal(s) for s in [(5, 4), (4, 6), (6, 3), (3,)])


def block(lib, x, w1, w2, b, scale=1.0):
    h = (x @ w1).tanh()
    return lib.sigmoid(h @ w2 + b) * scale


@pytest.mark.parametrize("reentrant", [True, False])
def test_values_and_gradients_match_torch(reentrant):
    def fn(lib, x, w1, w2, b):
        out = lib.utils.checkpoint.checkpoint(block, lib, x, w1, w2, b, 2.0, use_reentrant=reentrant)
        return out.exp()
    compare(fn, X, W1, W2, B)


@pytest.mark.parametrize("reentrant", [True, False])
def test_gradients_equal_those_without_checkpoint(reentrant):
    for dtype in FLOAT_DTYPES:
        ts = [ag.tensor(a.astype(dtype), requires_grad=True) for a in (X, W1, W2, B)]
        plain = block(ag, *ts).square().sum()
        want = ag.autograd.grad(plain, ts)
        out = cp.checkpoint(block, ag, *ts, use_reentrant=reentrant).square().sum()
        out.backward()
        assert_same(out, torch.tensor(plain.item(), dtype=torch.float64 if dtype == np.float64 else torch.float32))
        for t, g in zip(ts, want):
            np.testing.assert_array_equal(t.grad.numpy(), g.numpy())


def test_multiple_outputs_non_tensor_args_and_kwargs_match_torch():
    def f(lib, x, w, *, shift, tag):
        assert tag == "t"
        h = x @ w
        return {"h": h.tanh(), "pair": (h.sum(1) + shift, 7)}

    def fn(lib, x, w):
        out = lib.utils.checkpoint.checkpoint(f, lib, x, w, shift=1.5, tag="t", use_reentrant=False)
        assert out["pair"][1] == 7
        return out["h"] * 3, out["pair"][0]  # the second output is used by the loss too
    compare(fn, X, W1)


def test_an_output_left_out_of_the_loss_gets_no_gradient():
    for lib in (ag, torch):
        x = lib.tensor(X, requires_grad=True)
        a, b = lib.utils.checkpoint.checkpoint(lambda x: (x.sin(), x.cos()), x, use_reentrant=False)
        a.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), np.cos(X), rtol=1e-12)


def test_inputs_that_need_no_grad_non_reentrant():
    """Parameters used inside get their gradients though the input needs none."""
    def fn(lib, w1, w2, b):
        x = lib.tensor(X.astype(w1.detach().numpy().dtype))
        return lib.utils.checkpoint.checkpoint(block, lib, x, w1, w2, b, use_reentrant=False)
    compare(fn, W1, W2, B)


def test_inputs_that_need_no_grad_reentrant_warn_and_give_no_gradient_as_torch():
    for lib in (ag, torch):
        w = lib.tensor(W1, requires_grad=True)
        x = lib.tensor(X)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True. Gradients will be None"):
            y = lib.utils.checkpoint.checkpoint(lambda x: x @ w, x, use_reentrant=True)
        assert not y.requires_grad and y.grad_fn is None


def test_use_reentrant_not_given_warns_as_torch_and_means_true():
    for lib in (ag, torch):
        x = lib.tensor(X, requires_grad=True)
        with pytest.warns(UserWarning) as record:
            y = lib.utils.checkpoint.checkpoint(lambda x: x * 2, x)
        y.sum().backward()
        messages = [str(r.message) for r in record]
        assert any("the use_reentrant parameter should be passed explicitly" in m for m in messages)
        with pytest.raises(ValueError, match="Unexpected keyword arguments: a,b"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.utils.checkpoint.checkpoint(lambda x, a, b: x, x, a=1, b=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # passing it explicitly is silent
        cp.checkpoint(lambda x: x * 2, ag.tensor(X, requires_grad=True), use_reentrant=False)


def test_argument_errors_match_torch():
    cases = [dict(use_reentrant=True, debug=True), dict(use_reentrant=True, context_fn=lambda: (None, None)),
             dict(use_reentrant=False, determinism_check="sometimes")]
    for kwargs in cases:
        errors = []
        for lib in (ag, torch):
            with pytest.raises(ValueError) as info:
                lib.utils.checkpoint.checkpoint(lambda x: x, lib.ones(2, requires_grad=True), **kwargs)
            errors.append(str(info.value))
        assert errors[0] == errors[1]
    with pytest.raises(TypeError, match="function must be callable"):
        cp.checkpoint(3, ag.ones(2), use_reentrant=False)


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_inside_gets_the_same_mask_on_recomputation(reentrant):
    F = ag.nn.functional

    def f(x, w):
        return F.dropout(x @ w, p=0.5, training=True).tanh()

    x = ag.tensor(X, requires_grad=True)
    w = ag.tensor(W1, requires_grad=True)
    ag.manual_seed(4)
    plain = f(x, w)
    after_plain = ag.rand(3).numpy()
    want = ag.autograd.grad(plain.sum(), [x, w])
    ag.manual_seed(4)
    out = cp.checkpoint(f, x, w, use_reentrant=reentrant)
    np.testing.assert_array_equal(out.detach().numpy(), plain.detach().numpy())
    got = ag.autograd.grad(out.sum(), [x, w])
    np.testing.assert_array_equal(ag.rand(3).numpy(), after_plain)  # the outer stream goes on unchanged
    for g, h in zip(got, want):
        np.testing.assert_array_equal(g.numpy(), h.numpy())


def test_without_preserve_rng_state_the_recomputation_draws_anew():
    F = ag.nn.functional
    x = ag.tensor(np.ones((50, 40)), requires_grad=True)
    ag.manual_seed(4)
    out = cp.checkpoint(lambda x: F.dropout(x, 0.5, True), x, use_reentrant=False, preserve_rng_state=False)
    out.sum().backward()
    kept = out.detach().numpy() != 0
    assert not np.array_equal(x.grad.numpy() != 0, kept)  # a different mask in backward


def test_autograd_grad_and_backward_inputs_non_reentrant_match_torch():
    for dtype in FLOAT_DTYPES:
        got = []
        for lib in (ag, torch):
            ts = [lib.tensor(a.astype(dtype), requires_grad=True) for a in (X, W1, W2, B)]
            y = lib.utils.checkpoint.checkpoint(block, lib, *ts, use_reentrant=False)
            got.append(lib.autograd.grad((y * y).sum(), [ts[0], ts[2]]))
            y = lib.utils.checkpoint.checkpoint(block, lib, *ts, use_reentrant=False)
            y.sum().backward(inputs=[ts[1]])
            got[-1] += (ts[1].grad, ts[0].grad)
        for a, t in zip(*got):
            if t is None:
                assert a is None
            else:
                assert_same(a, t, TOL[np.dtype(dtype)])


def test_autograd_grad_works_with_the_reentrant_variant_where_torch_raises():
    x = torch.tensor(X, requires_grad=True)
    y = tcp.checkpoint(lambda x: x.sin(), x, use_reentrant=True)
    with pytest.raises(RuntimeError, match="use_reentrant=True, torch.utils.checkpoint is incompatible"):
        torch.autograd.grad(y.sum(), x)
    x = ag.tensor(X, requires_grad=True)
    y = cp.checkpoint(lambda x: x.sin(), x, use_reentrant=True)
    np.testing.assert_allclose(ag.autograd.grad(y.sum(), x)[0].numpy(), np.cos(X), rtol=1e-12)


def test_second_order_gradients_match_torch():
    for dtype in FLOAT_DTYPES:
        got = []
        for lib in (ag, torch):
            ts = [lib.tensor(a.astype(dtype), requires_grad=True) for a in (X, W1, W2, B)]
            y = lib.utils.checkpoint.checkpoint(block, lib, *ts, use_reentrant=False)
            gx, gw = lib.autograd.grad((y ** 3).sum(), [ts[0], ts[1]], create_graph=True)
            got.append(lib.autograd.grad((gx * gx).sum() + gw.sum(), [ts[1], ts[2]]))
        for a, t in zip(*got):
            assert_same(a, t, TOL[np.dtype(dtype)])


def test_tensors_from_outside_and_shared_weights_match_torch():
    """A weight used before the checkpoint and inside it, and a tensor computed outside
    that the function reads from its closure (not an argument)."""
    def fn(lib, x, w1, w2):
        outside = (w2 * 2).sum(0)  # a non-leaf the function captures
        h = x @ w1  # w1 is used before and inside
        y = lib.utils.checkpoint.checkpoint(lambda h: (h @ w1.T).tanh() @ w1 + outside[:6].sum(), h,
                                            use_reentrant=False)
        return y * h
    compare(fn, RNG.standard_normal((4, 6)), RNG.standard_normal((6, 6)), RNG.standard_normal((6, 6)))


def test_nested_checkpoints_match_torch():
    def fn(lib, x, w):
        c = lib.utils.checkpoint.checkpoint

        def outer(x):
            return c(lambda x: (x @ w).sin(), x, use_reentrant=False).cos() @ w
        return c(outer, x, use_reentrant=False)
    compare(fn, RNG.standard_normal((3, 5)), RNG.standard_normal((5, 5)))


def test_activations_are_not_kept_after_forward():
    kept = []

    def f(x, w):
        h = (x @ w).tanh()
        kept.append(weakref.ref(h))
        return h * h  # Mul saves h for backward

    x = ag.tensor(X, requires_grad=True)
    w = ag.tensor(W1, requires_grad=True)
    y = f(x, w)
    assert kept[-1]() is not None  # without checkpointing the graph keeps it
    y = cp.checkpoint(f, x, w, use_reentrant=False)
    assert kept[-1]() is None  # freed as the call returned, no garbage collection needed
    y.sum().backward()  # recomputed: a new h was made and is gone after backward
    assert len(kept) == 3
    gc.collect()
    assert kept[-1]() is None
    assert x.grad is not None


def test_backward_twice_needs_retain_graph():
    x = ag.tensor(X, requires_grad=True)
    y = cp.checkpoint(lambda x: x.exp(), x, use_reentrant=False).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(X), rtol=1e-12)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_a_recomputation_that_differs_raises_checkpoint_error():
    calls = []

    def f(x):
        calls.append(1)
        return x[: len(calls)] * 2

    y = cp.checkpoint(f, ag.tensor(X, requires_grad=True), use_reentrant=False)
    with pytest.raises(cp.CheckpointError, match="different metadata than during the forward pass"):
        y.sum().backward()
    calls.clear()
    y = cp.checkpoint(f, ag.tensor(X, requires_grad=True), use_reentrant=False, determinism_check="none")
    y.sum().backward()  # unchecked: the rows of the first run get their gradients


def test_context_fn_wraps_the_forward_and_the_recomputation():
    seen = []

    class Note:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            seen.append(self.name)

        def __exit__(self, *exc):
            return False

    x = ag.tensor(X, requires_grad=True)
    y = cp.checkpoint(lambda x: x.sin(), x, use_reentrant=False, context_fn=lambda: (Note("fwd"), Note("re")))
    assert seen == ["fwd"]
    y.sum().backward()
    assert seen == ["fwd", "re"]


def test_under_no_grad_it_just_runs():
    with ag.no_grad():
        y = cp.checkpoint(lambda x: x * 2, ag.tensor(X, requires_grad=True), use_reentrant=False)
    assert not y.requires_grad


@pytest.mark.parametrize("segments", [1, 2, 3, 5])
@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_checkpoint_sequential_matches_torch(segments, reentrant, input_grad, dtype):
    sizes = [4, 7, 7, 5, 5, 3]
    weights = [RNG.standard_normal((o, i)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    x_data = RNG.standard_normal((3, 4)).astype(dtype)
    results = []
    for lib in (ag, torch):
        layers = []
        for w in weights:
            lin = lib.nn.Linear(w.shape[1], w.shape[0], bias=False)
            with lib.no_grad():
                lin.weight.copy_(lib.tensor(w))
            layers += [lin.to(lib.float64 if dtype == np.float64 else lib.float32), lib.nn.Tanh()]
        model = lib.nn.Sequential(*layers)
        x = lib.tensor(x_data, requires_grad=input_grad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reentrant without an input needing grad warns, in both
            y = lib.utils.checkpoint.checkpoint_sequential(model, segments, x, use_reentrant=reentrant)
        (y * y).sum().backward()
        results.append([y, x.grad] + [m.weight.grad for m in model if isinstance(m, lib.nn.Linear)])
    for i, (a, t) in enumerate(zip(*results)):
        if t is None:
            assert a is None, i
        else:
            assert_same(a, t, TOL[np.dtype(dtype)], what=f"result {i}")


def test_checkpoint_sequential_takes_a_list_and_checks_its_arguments():
    fs = [lambda x: x * 2, lambda x: x.sin(), lambda x: x + 1]
    x = ag.tensor(X, requires_grad=True)
    y = cp.checkpoint_sequential(fs, 2, x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos(2 * X), rtol=1e-12)
    for bad in (0, 4, 1.5, True):
        with pytest.raises(ValueError, match="segments must be an int from 1 to the number of functions"):
            cp.checkpoint_sequential(fs, bad, x, use_reentrant=False)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        cp.checkpoint_sequential(fs, 1, x, use_reentrant=False, foo=1)
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant parameter should be passed"):
        cp.checkpoint_sequential(fs, 1, x)


def test_under_the_torch_alias():
    with aliased():
        import torch as t
        from torch.utils.checkpoint import checkpoint, checkpoint_sequential
        assert checkpoint is cp.checkpoint and checkpoint_sequential is cp.checkpoint_sequential
        assert t.utils.checkpoint.checkpoint is cp.checkpoint


def test_in_place_changes_inside_the_function_match_torch():
    def fn(lib, x):
        def f(x):
            h = x * 2
            h[0] += x[1]
            h[:, :2].mul_(3)
            return h.sin()
        return lib.utils.checkpoint.checkpoint(f, x, use_reentrant=False)
    compare(fn, RNG.standard_normal((3, 4)))
