"""GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm and BatchNorm3d against PyTorch:
outputs, parameter and input gradients, running statistics over several steps, eval
mode, unbatched input, state_dicts loaded both ways, reprs, errors; second derivatives
against PyTorch's; the fused op against its composition."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, randn
from nn_helpers import check_module

X3 = randn(4, 6, 5, seed=1) * 2 + 1
X4 = randn(3, 6, 4, 3, seed=2) * 1.5 - 0.5
X5 = randn(2, 4, 3, 2, 3, seed=3)


def _pair(name, *args, **kw):
    return (lambda: getattr(nn, name)(*args, **kw)), (lambda: getattr(torch.nn, name)(*args, **kw))


def _load_ours_into_torch(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


# ---- GroupNorm -------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,kw", [((3, 6), {}), ((1, 6), {}), ((6, 6), {"eps": 1e-3}),
                                     ((2, 6), {"affine": False}), ((3, 6), {"bias": False})])
@pytest.mark.parametrize("x", [X3, X4, X4[:, :, 0, 0]], ids=["3d", "4d", "2d"])
def test_group_norm_module(args, kw, x):
    # 2-D input: groups of a few elements, whose float32 gradients are all rounding
    dtypes = (np.float64,) if x.ndim == 2 else (np.float64, np.float32)
    check_module(*_pair("GroupNorm", *args, **kw), x, steps=2, dtypes=dtypes)
    ours, theirs = _pair("GroupNorm", *args, **kw)
    assert repr(ours()) == repr(theirs())


def test_group_norm_state_dict_both_ways():
    ours, theirs = nn.GroupNorm(2, 6, dtype=ag.float64), torch.nn.GroupNorm(2, 6).double()
    with ag.no_grad():
        ours.weight.copy_(ag.tensor(np.linspace(0.5, 2, 6)))
        ours.bias.copy_(ag.tensor(np.linspace(-1, 1, 6)))
    _load_ours_into_torch(ours, theirs)
    np.testing.assert_allclose(ours(ag.tensor(X4)).detach().numpy(),
                               theirs(torch.tensor(X4)).detach().numpy(), rtol=1e-12, atol=1e-12)


def test_group_norm_bias_without_weight():
    """PyTorch 2.13's backward fails for this combination ("tensor does not have a
    device"), so the reference is the composition it stands for."""
    x, b = ag.tensor(X4, requires_grad=True), ag.tensor(randn(6, seed=4), requires_grad=True)
    y = F.group_norm(x, 3, None, b)
    xt, bt = torch.tensor(X4, requires_grad=True), torch.tensor(randn(6, seed=4), requires_grad=True)
    yt = torch.nn.functional.group_norm(xt, 3) + bt.reshape(1, 6, 1, 1)
    w = randn(*X4.shape, seed=5)
    (y * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.group_norm(ag.randn(4), 2), RuntimeError, "at least 2 dimensions"),
    (lambda: F.group_norm(ag.randn(2, 4), 3), RuntimeError, "divisible by num_groups"),
    (lambda: F.group_norm(ag.randn(1, 4), 4), ValueError, "more than 1 value per channel"),
    (lambda: F.group_norm(ag.randn(2, 3, 4), 3, ag.ones(2)), RuntimeError, "weight of shape \\[2\\]"),
    (lambda: F.group_norm(ag.randn(2, 4), 0), ValueError, "num_groups"),
    (lambda: nn.GroupNorm(3, 4), ValueError, "divisible by num_groups"),
])
def test_group_norm_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- InstanceNorm ----------------------------------------------------------------------------------
IN_CONFIGS = [dict(), dict(affine=True), dict(track_running_stats=True),
              dict(affine=True, track_running_stats=True, momentum=0.3, eps=1e-3),
              dict(track_running_stats=True, momentum=None), dict(affine=True, bias=False)]


@pytest.mark.parametrize("kw", IN_CONFIGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
@pytest.mark.parametrize("name,x", [("InstanceNorm1d", X3), ("InstanceNorm1d", X3[0]), ("InstanceNorm2d", X4),
                                    ("InstanceNorm2d", X4[1]), ("InstanceNorm3d", X5), ("InstanceNorm3d", X5[0])],
                         ids=["1d", "1d-unbatched", "2d", "2d-unbatched", "3d", "3d-unbatched"])
def test_instance_norm_module(name, x, kw):
    batched = x.ndim == {"InstanceNorm1d": 3, "InstanceNorm2d": 4, "InstanceNorm3d": 5}[name]
    c = x.shape[1 if batched else 0]
    ours, theirs = check_module(*_pair(name, c, **kw), lambda s: x + 0.5 * s, steps=3)
    assert repr(ours) == repr(theirs)
    ours.eval()
    theirs.eval()  # the running statistics, when tracked
    check_module(lambda: ours, lambda: theirs, x * 0.7, dtypes=(np.float32,), train=False)


def test_instance_norm_running_stats_loaded_both_ways():
    ours = nn.InstanceNorm2d(6, affine=True, track_running_stats=True, dtype=ag.float64)
    for s in range(3):
        ours(ag.tensor(X4 + s))
    theirs = torch.nn.InstanceNorm2d(6, affine=True, track_running_stats=True).double()
    _load_ours_into_torch(ours, theirs)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(ag.tensor(X4)).detach().numpy(), theirs(torch.tensor(X4)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    assert int(ours.num_batches_tracked.numpy()) == 0  # PyTorch's instance norm doesn't count


def test_instance_norm_functional_running_stats():
    for use_input_stats, momentum in ((True, 0.1), (True, 0.6), (False, 0.1)):
        rm_a, rv_a = ag.zeros(6, dtype=ag.float64) + 0.2, ag.ones(6, dtype=ag.float64) * 1.3
        rm_t, rv_t = torch.full((6,), 0.2, dtype=torch.float64), torch.full((6,), 1.3, dtype=torch.float64)
        ya = F.instance_norm(ag.tensor(X4), rm_a, rv_a, use_input_stats=use_input_stats, momentum=momentum)
        yt = torch.nn.functional.instance_norm(torch.tensor(X4), rm_t, rv_t, use_input_stats=use_input_stats,
                                               momentum=momentum)
        np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(rm_a.numpy(), rm_t.numpy(), rtol=1e-12)
        np.testing.assert_allclose(rv_a.numpy(), rv_t.numpy(), rtol=1e-12)


def test_instance_norm_channel_mismatch():
    with pytest.raises(ValueError, match="to match num_features \\(4\\), but got: 6"):
        nn.InstanceNorm2d(4, affine=True)(ag.tensor(X4))
    with pytest.warns(UserWarning, match="does not match num_features"):
        y = nn.InstanceNorm2d(4)(ag.tensor(X4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.nn.InstanceNorm2d(4)(torch.tensor(X4)).numpy()
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.InstanceNorm1d(6)(ag.randn(2, 6, 3, 3)), ValueError, "expected 2D or 3D input"),
    (lambda: nn.InstanceNorm2d(6)(ag.randn(6, 3)), ValueError, "expected 3D or 4D input"),
    (lambda: nn.InstanceNorm3d(6)(ag.randn(2, 6, 3)), ValueError, "expected 4D or 5D input"),
    (lambda: F.instance_norm(ag.randn(2, 3, 1)), ValueError, "more than 1 spatial element"),
    (lambda: F.instance_norm(ag.randn(2, 3, 4), use_input_stats=False), RuntimeError, "running_mean"),
    (lambda: F.instance_norm(ag.randn(2, 3, 4), ag.zeros(2), ag.ones(2)), RuntimeError, "running_mean"),
])
def test_instance_norm_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- second derivatives ---------------------------------------------------------------------------
@pytest.mark.parametrize("name,args", [("group_norm", (3,)), ("instance_norm", ())])
def test_second_derivative_matches_torch(name, args):
    res = []
    for lib in (ag, torch):
        fn = getattr(F if lib is ag else torch.nn.functional, name)
        x = lib.tensor(X4, requires_grad=True)
        w = lib.tensor(randn(6, seed=6), requires_grad=True)
        b = lib.tensor(randn(6, seed=7), requires_grad=True)
        y = fn(x, *args, weight=w, bias=b)
        (gx,) = lib.autograd.grad((y * y * y).sum(), x, create_graph=True)
        gx2, gw2, gb2 = lib.autograd.grad((gx * gx).sum(), (x, w, b), allow_unused=True)
        res.append([t.detach().numpy() for t in (gx, gx2, gw2)] + [gb2])
    for a, t in zip(res[0][:3], res[1][:3]):
        np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-9)


# ---- LocalResponseNorm, BatchNorm3d -------------------------------------------------------------------
@pytest.mark.parametrize("args", [(3,), (2, 1e-2, 0.5, 2.0), (5,), (1,)])
@pytest.mark.parametrize("x", [X3, X4, X5], ids=["3d", "4d", "5d"])
def test_local_response_norm(args, x):
    check_module(*_pair("LocalResponseNorm", *args), x * 3)
    assert repr(nn.LocalResponseNorm(*args)) == repr(torch.nn.LocalResponseNorm(*args))


def test_local_response_norm_errors_and_empty():
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(ag.randn(2, 3), 2)
    x = ag.randn(0, 3, 4)
    assert F.local_response_norm(x, 2) is x


@pytest.mark.parametrize("kw", [dict(), dict(momentum=None), dict(affine=False), dict(track_running_stats=False)])
def test_batch_norm_3d(kw):
    check_module(*_pair("BatchNorm3d", 4, **kw), lambda s: X5 + s, steps=3)
    assert repr(nn.BatchNorm3d(4, **kw)) == repr(torch.nn.BatchNorm3d(4, **kw))
    with pytest.raises(ValueError, match="expected 5D input"):
        nn.BatchNorm3d(4)(ag.tensor(X4))


# ---- other dtypes, the fused op against its composition (the kernels: tests/kernels/test_norm_ctc_kernels.py)
def test_half_precision_runs_the_numpy_path():
    x = X4.astype(np.float16)
    for fn in (lambda lib, t: (F if lib is ag else torch.nn.functional).group_norm(t, 2),
               lambda lib, t: (F if lib is ag else torch.nn.functional).instance_norm(t)):
        a = ag.tensor(x, requires_grad=True)
        y = fn(ag, a)
        assert y.dtype == np.float16
        y.sum().backward()
        assert a.grad.dtype == np.float16
        want = fn(torch, torch.tensor(X4.astype(np.float32))).numpy()
        np.testing.assert_allclose(y.detach().numpy().astype(np.float32), want, atol=2e-2)


def test_fused_group_norm_equals_its_composition():
    """The kernel's gradients and the composed ones (create_graph) agree to rounding."""
    def run(create_graph):
        x = ag.tensor(X4, requires_grad=True)
        w = ag.tensor(randn(6, seed=8), requires_grad=True)
        y = F.group_norm(x, 2, w)
        return [g.detach().numpy() for g in ag.autograd.grad((y * y).sum(), (x, w), create_graph=create_graph)]
    for a, b in zip(run(False), run(True)):
        np.testing.assert_array_equal(a, b)
    compare(lambda lib, t: (F if lib is ag else torch.nn.functional).group_norm(t, 3), X4,
            dtypes=(np.float64,))
