"""nn.utils.prune, nn.utils.fusion and nn.utils.stateless against PyTorch: the same
masks from the same weights (magnitude methods; the random ones by their counts and
autograd_lite's seed), the names weight_orig / weight_mask, state_dict keys both ways,
outputs and gradients through the forward pre-hook, iterative and global pruning,
remove; fused conv/linear + batch norm layers against the two layers run in turn."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as tprune
from torch.nn.utils import fusion as tfusion

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.utils import fusion, prune, stateless
from helpers import torch_dtype
from nn_helpers import assert_state_dict_like, close, load_from_torch

DTYPES = (np.float64, np.float32)


def _pair(make_ours, make_theirs, dtype, seed=0):
    torch.manual_seed(seed)
    theirs = make_theirs().to(torch_dtype(dtype))
    ours = make_ours().to(dtype)
    load_from_torch(ours, theirs)
    return ours, theirs


def _run_and_compare(ours, theirs, x, dtype, names=("weight_orig",)):
    out_a, out_t = ours(ag.tensor(x.astype(dtype))), theirs(torch.tensor(x.astype(dtype)))
    close(out_a, out_t, dtype, "output")
    w = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
    (out_a * ag.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, params_t[name].grad, dtype, f"grad of {name}")
    assert_state_dict_like(ours, theirs)
    sd_t = theirs.state_dict()
    for k, v in ours.state_dict().items():
        close(v, sd_t[k], dtype, f"state_dict[{k}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("how", [
    lambda p, m: p.l1_unstructured(m, "weight", amount=0.3),
    lambda p, m: p.l1_unstructured(m, "weight", amount=5),
    lambda p, m: p.ln_structured(m, "weight", amount=0.5, n=2, dim=0),
    lambda p, m: p.ln_structured(m, "weight", amount=1, n=1, dim=1),
    lambda p, m: p.ln_structured(m, "weight", amount=2, n=float("inf"), dim=-1),
    lambda p, m: p.identity(m, "bias"),
    lambda p, m: p.l1_unstructured(m, "bias", amount=0.0),
    lambda p, m: (p.l1_unstructured(m, "weight", amount=0.2), p.ln_structured(m, "weight", 0.4, 2, 0),
                  p.l1_unstructured(m, "weight", amount=3), p.l1_unstructured(m, "bias", 2)),
])
def test_magnitude_pruning_matches_torch(how, dtype):
    ours, theirs = _pair(lambda: nn.Linear(6, 5), lambda: torch.nn.Linear(6, 5), dtype)
    how(prune, ours)
    how(tprune, theirs)
    x = np.random.default_rng(0).standard_normal((4, 6))
    _run_and_compare(ours, theirs, x, dtype)
    assert prune.is_pruned(ours)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_pruning_with_importance_scores_and_custom_mask(dtype):
    ours, theirs = _pair(lambda: nn.Conv2d(3, 4, 3), lambda: torch.nn.Conv2d(3, 4, 3), dtype)
    rng = np.random.default_rng(2)
    scores = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    mask = (rng.random((4,)) > 0.4).astype(dtype)
    prune.ln_structured(ours, "weight", 0.5, 1, 0, importance_scores=ag.tensor(scores))
    tprune.ln_structured(theirs, "weight", 0.5, 1, 0, importance_scores=torch.tensor(scores))
    prune.custom_from_mask(ours, "bias", ag.tensor(mask))
    tprune.custom_from_mask(theirs, "bias", torch.tensor(mask))
    prune.l1_unstructured(ours, "weight", 0.3, importance_scores=ag.tensor(scores))
    tprune.l1_unstructured(theirs, "weight", 0.3, importance_scores=torch.tensor(scores))
    _run_and_compare(ours, theirs, rng.standard_normal((2, 3, 6, 6)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_unstructured_matches_torch(dtype):
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.ReLU(), lib.nn.Linear(4, 3))
    ours, theirs = _pair(lambda: make(ag), lambda: make(torch), dtype)
    prune.l1_unstructured(ours[2], "weight", 0.25)
    tprune.l1_unstructured(theirs[2], "weight", 0.25)
    for p, m in ((prune, ours), (tprune, theirs)):
        p.global_unstructured([(m[0], "weight"), (m[2], "weight"), (m[0], "bias")],
                              pruning_method=p.L1Unstructured, amount=0.4)
    _run_and_compare(ours, theirs, np.random.default_rng(3).standard_normal((2, 5)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_remove_makes_the_pruning_permanent(dtype):
    ours, theirs = _pair(lambda: nn.Linear(6, 5), lambda: torch.nn.Linear(6, 5), dtype)
    for p, m in ((prune, ours), (tprune, theirs)):
        p.l1_unstructured(m, "weight", 0.5)
        p.l1_unstructured(m, "bias", 2)
        p.remove(m, "weight")
    assert isinstance(ours.weight, nn.Parameter)
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    assert prune.is_pruned(ours)
    prune.remove(ours, "bias")
    assert not prune.is_pruned(ours)
    with pytest.raises(ValueError, match="has to be pruned before"):
        prune.remove(ours, "weight")


def test_pruned_state_dict_loads_both_ways():
    theirs = torch.nn.Linear(4, 3)
    tprune.l1_unstructured(theirs, "weight", 0.5)
    ours = nn.Linear(4, 3)
    prune.identity(ours, "weight")
    load_from_torch(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    close(ours(ag.tensor(x)), theirs(torch.tensor(x)), np.float32, "output after loading torch's")
    back = torch.nn.Linear(4, 3)
    tprune.identity(back, "weight")
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    close(ours(ag.tensor(x)), back(torch.tensor(x)), np.float32, "output after loading ours")


@pytest.mark.parametrize("amount,expected", [(0.3, 9), (7, 7), (0.0, 0), (1.0, 30)])
def test_random_unstructured_prunes_the_count_and_follows_the_seed(amount, expected):
    masks = []
    for _ in range(2):
        ag.manual_seed(5)
        m = nn.Linear(6, 5)
        prune.random_unstructured(m, "weight", amount)
        masks.append(m.weight_mask.numpy())
        assert int((m.weight_mask.numpy() == 0).sum()) == expected
        np.testing.assert_array_equal(m.weight.detach().numpy(),
                                      m.weight_orig.detach().numpy() * m.weight_mask.numpy())
    np.testing.assert_array_equal(masks[0], masks[1])


def test_random_structured_prunes_whole_channels_on_top_of_earlier_masks():
    ag.manual_seed(0)
    m = nn.Conv2d(2, 6, 3)
    prune.random_structured(m, "weight", amount=2, dim=0)
    kept = m.weight_mask.numpy().reshape(6, -1)
    assert sorted(set(kept.min(1))) == [0.0, 1.0] and (kept.min(1) == kept.max(1)).all()
    assert int((kept.max(1) == 0).sum()) == 2
    prune.random_structured(m, "weight", amount=0.5, dim=0)  # half of the 4 left
    kept = m.weight_mask.numpy().reshape(6, -1)
    assert int((kept.max(1) == 0).sum()) == 4
    assert isinstance(m._forward_pre_hooks[list(m._forward_pre_hooks)[0]], prune.PruningContainer)


@pytest.mark.parametrize("call,error", [
    (lambda m: prune.l1_unstructured(m, "weight", amount=1.5), ValueError),
    (lambda m: prune.l1_unstructured(m, "weight", amount=-1), ValueError),
    (lambda m: prune.l1_unstructured(m, "weight", amount="a"), TypeError),
    (lambda m: prune.l1_unstructured(m, "weight", amount=100), ValueError),
    (lambda m: prune.ln_structured(m, "bias", amount=1, n=2, dim=0), ValueError),
    (lambda m: prune.ln_structured(m, "weight", amount=1, n=2, dim=2), IndexError),
    (lambda m: prune.global_unstructured([(m, "weight")], prune.LnStructured, amount=1, n=2), TypeError),
])
def test_bad_arguments_raise_as_torch(call, error):
    m = nn.Linear(4, 3)
    with pytest.raises(error):
        call(m)
    assert "weight" in dict(m.named_parameters())  # rolled back: still a plain parameter


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make,transpose", [
    (lambda lib: (lib.nn.Conv2d(3, 4, 3, bias=False), lib.nn.BatchNorm2d(4)), False),
    (lambda lib: (lib.nn.Conv1d(3, 4, 2), lib.nn.BatchNorm1d(4)), False),
    (lambda lib: (lib.nn.ConvTranspose2d(3, 4, 2), lib.nn.BatchNorm2d(4)), True),
])
def test_fuse_conv_bn_eval_matches_torch_and_the_two_layers(make, transpose, dtype):
    conv_t, bn_t = (m.to(torch_dtype(dtype)) for m in make(torch))
    with torch.no_grad():
        bn_t.running_mean.normal_()
        bn_t.running_var.uniform_(0.5, 2)
        bn_t.weight.normal_()
        bn_t.bias.normal_()
    conv_a, bn_a = (m.to(dtype) for m in make(ag))
    load_from_torch(conv_a, conv_t)
    load_from_torch(bn_a, bn_t)
    for m in (conv_t, bn_t, conv_a, bn_a):
        m.eval()
    fused_a = fusion.fuse_conv_bn_eval(conv_a, bn_a, transpose=transpose)
    fused_t = tfusion.fuse_conv_bn_eval(conv_t, bn_t, transpose=transpose)
    assert_state_dict_like(fused_a, fused_t)
    for k, v in fused_t.state_dict().items():
        close(fused_a.state_dict()[k], v, dtype, k)
    nd = conv_a.weight.ndim - 2
    x = np.random.default_rng(0).standard_normal((2, 3) + (5,) * nd).astype(dtype)
    close(fused_a(ag.tensor(x)), bn_t(conv_t(torch.tensor(x))), dtype, "fused output")
    assert fused_a.weight.requires_grad and conv_a.weight is not fused_a.weight


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("features", [4, 1])
def test_fuse_linear_bn_eval_matches_torch(features, dtype):
    lin_t, bn_t = torch.nn.Linear(3, 4).to(torch_dtype(dtype)), torch.nn.BatchNorm1d(features).to(torch_dtype(dtype))
    with torch.no_grad():
        bn_t.running_mean.normal_()
        bn_t.running_var.uniform_(0.5, 2)
    lin_a, bn_a = nn.Linear(3, 4).to(dtype), nn.BatchNorm1d(features).to(dtype)
    load_from_torch(lin_a, lin_t)
    load_from_torch(bn_a, bn_t)
    for m in (lin_t, bn_t, lin_a, bn_a):
        m.eval()
    fused_a, fused_t = fusion.fuse_linear_bn_eval(lin_a, bn_a), tfusion.fuse_linear_bn_eval(lin_t, bn_t)
    for k, v in fused_t.state_dict().items():
        close(fused_a.state_dict()[k], v, dtype, k)


def test_fusion_refuses_training_mode_and_mismatched_sizes():
    with pytest.raises(RuntimeError, match="Fusion only for eval"):
        fusion.fuse_conv_bn_eval(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))
    with pytest.raises(RuntimeError, match="out_features"):
        fusion.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(2).eval())


def test_stateless_functional_call_warns_and_calls_func():
    m = nn.Linear(3, 2)
    w = ag.ones(2, 3)
    x = ag.ones(1, 3)
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = stateless.functional_call(m, {"weight": w}, (x,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(out.detach().numpy(), (x @ w.T + m.bias).detach().numpy())
