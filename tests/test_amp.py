"""ag.amp against torch.amp on the CPU: GradScaler's scale trajectory, skipped steps and
parameters on a model whose float16 part overflows now and then; its API and errors;
the cuda/cpu spellings; autocast's honest behaviour."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn, optim

LIBS = {"ag": (ag, nn, optim, F), "torch": (torch, torch.nn, torch.optim, torch.nn.functional)}


def _data(steps=30, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((16, 8)).astype(np.float32) * 0.5, np.zeros(16, np.float32),
               rng.standard_normal((1, 16)).astype(np.float32) * 0.5]
    # every fifth batch is larger, so its scaled float16 gradients overflow
    batches = [(rng.standard_normal((32, 8)).astype(np.float32) * (3 if i % 5 == 0 else 1),
                rng.standard_normal((32, 1)).astype(np.float32)) for i in range(steps)]
    return weights, batches


def _train(name, scaler_args, scaler_kwargs, unscale_and_clip=False, optimizer="SGD"):
    """Train a layer run in float16 (inputs and weights cast with .half(), as autocast
    would) followed by a float32 layer; returns the scale after each step, which steps
    were skipped, and the final parameters."""
    lib, nnmod, optmod, functional = LIBS[name]
    weights, batches = _data()
    params = [nnmod.Parameter(lib.tensor(w.copy())) for w in weights]
    opt = getattr(optmod, optimizer)(params, lr=0.01)
    scaler = lib.amp.GradScaler(*scaler_args, **scaler_kwargs)
    scales, skipped, returns = [], [], []
    for x, y in batches:
        x, y = lib.tensor(x), lib.tensor(y)
        hidden = functional.linear(x.half(), params[0].half(), params[1].half()).float().tanh()
        loss = ((functional.linear(hidden, params[2]) - y) ** 2).mean()
        opt.zero_grad()
        before = params[0].detach().clone()
        scaler.scale(loss).backward()
        if unscale_and_clip:
            scaler.unscale_(opt)
            nnmod.utils.clip_grad_norm_(params, 1.0)
        returns.append(scaler.step(opt))
        scaler.update()
        skipped.append(bool((params[0].detach() == before).all()))
        scales.append(scaler.get_scale())
    return scales, skipped, [p.detach().numpy() for p in params], scaler


# the float16 layer overflows on purpose: NumPy warns where PyTorch is silent
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("kwargs", [dict(init_scale=2.0**17, growth_interval=3),
                                    dict(init_scale=2.0**16, growth_interval=2, growth_factor=4.0,
                                         backoff_factor=0.25),
                                    dict(init_scale=2.0**20, growth_interval=5)])
@pytest.mark.parametrize("clip", [False, True])
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_grad_scaler_matches_torch(kwargs, clip, optimizer):
    ours = _train("ag", ("cpu",), kwargs, clip, optimizer)
    theirs = _train("torch", ("cpu",), kwargs, clip, optimizer)
    assert ours[0] == theirs[0]  # the scale after every step, exactly
    assert ours[1] == theirs[1]  # the same steps skipped
    assert any(ours[1]) and not all(ours[1])  # the model does overflow, sometimes
    # the float16 layer's gradients differ in their last bits; Adam's normalised steps
    # carry that further than SGD's
    for a, t in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, t, rtol=1e-3, atol=1e-4 if optimizer == "SGD" else 1e-3)
    assert ours[3].state_dict() == theirs[3].state_dict()


def test_step_returns_what_the_optimizer_returns_or_none_when_skipped():
    results = []
    for lib, nnmod, optmod, _ in LIBS.values():
        p = nnmod.Parameter(lib.tensor([1.0, 2.0]))
        opt = optmod.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale((p * p).sum()).backward()
        # a positional closure passes through to optimizer.step, as in torch
        returned = scaler.step(opt, lambda: lib.tensor(7.0))
        scaler.update()
        p.grad = lib.full((2,), float("inf"))
        scaler.scale((p * p).sum())
        skipped = scaler.step(opt, lambda: lib.tensor(7.0))
        results.append((float(returned), skipped, p.detach().numpy().tolist()))
    assert results[0] == results[1]
    assert results[0][0] == 7.0 and results[0][1] is None


def _scaler_pair(**kwargs):
    return ag.amp.GradScaler("cpu", **kwargs), torch.amp.GradScaler("cpu", **kwargs)


def test_defaults_and_accessors_match_torch():
    ours, theirs = _scaler_pair()
    for name in ("get_scale", "get_growth_factor", "get_backoff_factor", "get_growth_interval",
                 "is_enabled", "state_dict", "_get_growth_tracker"):
        assert getattr(ours, name)() == getattr(theirs, name)(), name
    for scaler in (ours, theirs):
        scaler.set_growth_factor(3.0)
        scaler.set_backoff_factor(0.25)
        scaler.set_growth_interval(7)
    assert ours.state_dict() == theirs.state_dict()


@pytest.mark.parametrize("value", ["tensor", "float16", "float64", "list", "tuple", "nested"])
def test_scale_outputs_match_torch(value):
    def make(lib):
        return {"tensor": lib.tensor(1.5), "float16": lib.tensor([1.5, 2.0], dtype=lib.float16),
                "float64": lib.tensor(2.0, dtype=lib.float64),
                "list": [lib.tensor(1.0), lib.tensor([2.0, 3.0])],
                "tuple": (lib.tensor(1.0), lib.tensor(2.0)),
                "nested": [lib.tensor(1.0), (lib.tensor(2.0), [lib.tensor(3.0)])]}[value]

    ours, theirs = _scaler_pair(init_scale=1024.0)

    def flat(out):
        if isinstance(out, (list, tuple)):
            return [type(out)] + [x for o in out for x in flat(o)]
        return [out]

    a, t = flat(ours.scale(make(ag))), flat(theirs.scale(make(torch)))
    assert len(a) == len(t)
    for x, y in zip(a, t):
        if isinstance(y, type):
            assert x is y
        else:
            assert x.dtype == y.numpy().dtype and x.shape == y.shape
            np.testing.assert_array_equal(x.numpy(), y.numpy())
    with pytest.raises(ValueError, match="Tensor"):
        ours.scale(3.0)


def test_scaled_backward_gives_scaled_gradients_and_unscale_restores_them():
    x = nn.Parameter(ag.tensor([1.0, -2.0]))
    opt = optim.SGD([x], lr=0.1)
    scaler = ag.amp.GradScaler("cpu", init_scale=256.0)
    scaler.scale((x * x).sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [512.0, -1024.0])
    scaler.unscale_(opt)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0])


def test_stage_errors_match_torch():
    for lib, nnmod, optmod, _ in LIBS.values():
        p = nnmod.Parameter(lib.ones(2))
        opt = optmod.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError):
            scaler.step(opt)  # before any scale()
        with pytest.raises(AssertionError):
            scaler.unscale_(opt)
        scaler.scale((p * 2).sum()).backward()
        with pytest.raises(AssertionError, match="No inf checks"):
            scaler.update()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match="after step"):
            scaler.unscale_(opt)
        scaler.update()
        with pytest.raises(RuntimeError, match="Closure"):
            scaler.step(opt, closure=lambda: 0.0)
        q = nnmod.Parameter(lib.ones(2, dtype=lib.float16))
        q.grad = lib.ones(2, dtype=lib.float16)
        opt16 = optmod.SGD([q], lr=0.1)
        with pytest.raises(ValueError, match="FP16"):
            scaler.unscale_(opt16)
        with pytest.raises(AssertionError, match="growth factor"):
            lib.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(AssertionError, match="backoff factor"):
            lib.amp.GradScaler("cpu", backoff_factor=1.0)


def test_two_optimizers_skip_independently_and_back_off_once():
    results = []
    for lib, nnmod, optmod, _ in LIBS.values():
        a, b = nnmod.Parameter(lib.ones(2)), nnmod.Parameter(lib.ones(2))
        opt_a, opt_b = optmod.SGD([a], lr=0.1), optmod.SGD([b], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=1)
        trace = []
        for step in range(4):
            opt_a.zero_grad()
            opt_b.zero_grad()
            scale_b = float("inf") if step == 1 else 1.0
            scaler.scale((a * 3).sum() + (b * scale_b).sum()).backward()
            scaler.step(opt_a)
            scaler.step(opt_b)
            scaler.update()
            trace.append((scaler.get_scale(), a.detach().numpy().tolist(),
                          b.detach().numpy().tolist()))
        results.append(trace)
    assert results[0] == results[1]


def test_update_with_new_scale_matches_torch():
    ours, theirs = _scaler_pair()
    for lib, scaler in ((ag, ours), (torch, theirs)):
        scaler.scale(lib.tensor(1.0))
        scaler.update(100.0)
        assert scaler.get_scale() == 100.0
        scaler.update(lib.tensor(3.0))
        assert scaler.get_scale() == 3.0
        with pytest.raises(AssertionError):
            scaler.update(lib.tensor([1.0, 2.0]))
    assert ours.state_dict() == theirs.state_dict()


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_state_dict_round_trip_and_pickle():
    _, _, _, trained = _train("ag", ("cpu",), dict(init_scale=2.0**17, growth_interval=3))
    state = trained.state_dict()
    assert set(state) == {"scale", "growth_factor", "backoff_factor", "growth_interval",
                          "_growth_tracker"}
    fresh = ag.amp.GradScaler("cpu")
    fresh.load_state_dict(state)
    assert fresh.state_dict() == state
    torch_scaler = torch.amp.GradScaler("cpu")
    torch_scaler.load_state_dict(state)  # our state loads into PyTorch's and back
    assert torch_scaler.state_dict() == state
    restored = pickle.loads(pickle.dumps(trained))
    assert restored.state_dict() == state
    assert copy.deepcopy(trained).get_scale() == trained.get_scale()
    with pytest.raises(RuntimeError, match="empty"):
        fresh.load_state_dict({})


def test_disabled_scaler_is_a_pass_through():
    weights_seen = []
    for lib, nnmod, optmod, _ in LIBS.values():
        p = nnmod.Parameter(lib.tensor([1.0, 2.0]))
        opt = optmod.SGD([p], lr=0.5)
        scaler = lib.amp.GradScaler("cpu", enabled=False)
        loss = (p * p).sum()
        assert scaler.scale(loss) is loss
        loss.backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        assert scaler.get_scale() == 1.0 and scaler.state_dict() == {}
        assert not scaler.is_enabled()
        scaler.load_state_dict({})  # a no-op when disabled
        weights_seen.append(p.detach().numpy().tolist())
    assert weights_seen[0] == weights_seen[1] == [0.0, 0.0]


def test_cuda_scalers_warn_and_disable_as_torch_without_cuda():
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = lib.amp.GradScaler()
        assert not scaler.is_enabled()
        with pytest.warns(UserWarning, match="CUDA is not available"):
            assert not lib.amp.GradScaler("cuda").is_enabled()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not lib.cuda.amp.GradScaler().is_enabled()
        kinds = {w.category for w in caught}
        assert kinds == {FutureWarning, UserWarning}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert lib.cuda.amp.GradScaler(enabled=False).is_enabled() is False
        assert {w.category for w in caught} == {FutureWarning}
        with pytest.warns(FutureWarning, match="deprecated"):
            assert lib.cpu.amp.GradScaler(init_scale=8.0).get_scale() == 8.0
    with pytest.raises(ValueError, match="device"):
        ag.amp.GradScaler("gpu")


# ---- autocast ---------------------------------------------------------------------------------
def test_disabled_autocast_is_a_no_op_context_and_decorator():
    x = ag.ones(2, 2)
    for make in (lambda: ag.autocast("cpu", enabled=False),
                 lambda: ag.amp.autocast("cpu", dtype=ag.float16, enabled=False),
                 lambda: ag.autocast(device_type="cuda", enabled=False)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with make():
                assert (x @ x).dtype == np.float32

            @make()
            def double(t):
                return t * 2

            assert double.__name__ == "double"
            np.testing.assert_array_equal(double(x).numpy(), 2 * np.ones((2, 2)))


def test_autocast_on_a_missing_device_warns_and_does_nothing_as_torch():
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="not available"):
            with lib.autocast("cuda"):
                assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype == lib.float32
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.cuda.amp.autocast():
                pass
        assert {w.category for w in caught} == {FutureWarning, UserWarning}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cpu_autocast_to_an_unsupported_dtype_warns_and_does_nothing_as_torch(dtype):
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="not supported"):
            with lib.autocast("cpu", dtype=getattr(lib, dtype)):
                assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype == lib.float32


def test_cpu_autocast_to_lower_precision_is_a_clear_error():
    # PyTorch would compute matmuls in bfloat16 (the default) or float16 here; we don't
    for make in (lambda: ag.autocast("cpu"), lambda: ag.autocast("cpu", dtype=ag.float16),
                 lambda: ag.amp.autocast(device_type="cpu", dtype=ag.half),
                 lambda: ag.autocast("cpu", dtype=ag.bfloat16)):  # was a warning and float32
        with pytest.raises(NotImplementedError, match="float32"):
            make()
    with pytest.warns(FutureWarning), pytest.raises(NotImplementedError, match="bfloat16"):
        ag.cpu.amp.autocast()


def test_autocast_bad_device_type():
    with pytest.raises(RuntimeError, match="device type"):
        ag.autocast("gpu")
    with pytest.raises(RuntimeError):
        torch.autocast("gpu")
    assert ag.amp.is_autocast_available("cpu") is False
    assert ag.is_autocast_enabled() is torch.is_autocast_enabled() is False


def test_custom_fwd_and_bwd_pass_through():
    class Square(ag.autograd.Function):
        @staticmethod
        @ag.amp.custom_fwd(device_type="cpu", cast_inputs=ag.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ag.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ag.tensor([3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0])
    with pytest.raises(TypeError):
        ag.amp.custom_fwd(lambda x: x)  # device_type is required, as torch
    with pytest.raises(TypeError):
        torch.amp.custom_fwd(lambda x: x)
