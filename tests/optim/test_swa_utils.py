"""optim.swa_utils against PyTorch: AveragedModel's averages (SWA, EMA, per-tensor and
multi-tensor functions, with and without buffers), its n_averaged buffer and state_dict
keys, forward and gradients through it; SWALR's rates alone and after another
scheduler, its state_dict; update_bn's running statistics; the argument errors."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.optim import swa_utils

DTYPES = [(ag.float64, torch.float64, 1e-12), (ag.float32, torch.float32, 1e-6)]


def _models(ag_dtype, torch_dtype):
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2))

    torch.manual_seed(0)
    theirs = make(torch).to(torch_dtype)
    ours = make(ag).to(ag_dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _perturb(ours, theirs, seed):
    """Give both models the same new parameters and buffers (as training would)."""
    rng = np.random.default_rng(seed)
    new = {}
    for k, v in theirs.state_dict().items():
        if v.is_floating_point():
            values = rng.standard_normal(tuple(v.shape))
            new[k] = torch.tensor(np.abs(values) + 0.5 if k.endswith("running_var") else values).to(v.dtype)
        else:
            new[k] = v + int(rng.integers(1, 5))
    theirs.load_state_dict(new)
    ours.load_state_dict({k: v.numpy() for k, v in new.items()})


def _same_state(ours, theirs, tol):
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for k in b:
        assert a[k].dtype == getattr(ag, str(b[k].dtype).split(".")[1]), k
        assert tuple(a[k].shape) == tuple(b[k].shape), k
        np.testing.assert_allclose(a[k].numpy(), b[k].numpy(), rtol=tol, atol=tol, err_msg=k)


AVERAGES = {
    "swa": lambda lib: {},
    "swa_avg_fn": lambda lib: dict(avg_fn=lib.optim.swa_utils.get_swa_avg_fn()),
    "ema_avg_fn": lambda lib: dict(avg_fn=lib.optim.swa_utils.get_ema_avg_fn(0.9)),
    "ema_multi": lambda lib: dict(multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.8)),
    "swa_multi": lambda lib: dict(multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn()),
    "custom": lambda lib: dict(avg_fn=lambda a, p, n: 0.25 * a + 0.75 * p + 0.01 * n),
}


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("average", list(AVERAGES))
@pytest.mark.parametrize("ag_dtype, torch_dtype, tol", DTYPES)
def test_averaged_model_matches_torch(average, use_buffers, ag_dtype, torch_dtype, tol):
    ours, theirs = _models(ag_dtype, torch_dtype)
    avg_ours = swa_utils.AveragedModel(ours, use_buffers=use_buffers, **AVERAGES[average](ag))
    avg_theirs = torch.optim.swa_utils.AveragedModel(theirs, use_buffers=use_buffers, **AVERAGES[average](torch))
    _same_state(avg_ours, avg_theirs, 0)
    assert "n_averaged" in avg_ours.state_dict() and "module.0.weight" in avg_ours.state_dict()
    if average == "swa_multi" and use_buffers:
        # the SWA multi fn refuses the integer buffer num_batches_tracked (addcdiv on integers)
        for model, averaged in ((ours, avg_ours), (theirs, avg_theirs)):
            averaged.update_parameters(model)
            with pytest.raises(RuntimeError, match="addcdiv"):
                averaged.update_parameters(model)
        return
    for step in range(5):
        _perturb(ours, theirs, step)
        avg_ours.update_parameters(ours)
        avg_theirs.update_parameters(theirs)
        _same_state(avg_ours, avg_theirs, 0 if average in ("swa", "swa_avg_fn") else tol)
    assert avg_ours.n_averaged.item() == 5 and avg_ours.n_averaged.dtype == ag.int64
    # forward and gradients through the averaged copy (training mode, then eval)
    x = np.random.default_rng(9).standard_normal((6, 3))
    for train in (True, False):
        avg_ours.train(train)
        avg_theirs.train(train)
        xo = ag.tensor(x, dtype=ag_dtype, requires_grad=True)
        xt = torch.tensor(x, dtype=torch_dtype, requires_grad=True)
        yo, yt = avg_ours(xo), avg_theirs(xt)
        assert yo.dtype == ag_dtype
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=tol * 100, atol=tol * 100)
        yo.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=tol * 100, atol=tol * 100)
        for (n, po), pt in zip(avg_ours.named_parameters(), avg_theirs.parameters()):
            # (the bias before BatchNorm has a gradient of ~0 in training mode: rounding noise)
            scale = tol * 100 * max(1.0, np.abs(pt.grad.numpy()).max())
            np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=tol * 100, atol=scale, err_msg=n)


def test_averaged_model_copies_and_loads_state():
    ours, theirs = _models(ag.float64, torch.float64)
    avg = swa_utils.AveragedModel(ours)
    assert avg.module is not ours and avg.module[0].weight is not ours[0].weight
    assert [k for k in avg.state_dict()] == [k for k in torch.optim.swa_utils.AveragedModel(theirs).state_dict()]
    avg.update_parameters(ours)
    other = swa_utils.AveragedModel(ours)
    other.load_state_dict(avg.state_dict())
    assert other.n_averaged.item() == 1
    # parameters of the averaged copy require grad as the model's, and updating records nothing
    assert all(p.requires_grad and p.grad_fn is None for p in avg.parameters())
    # device="cpu" (the only device) is accepted, by update_bn too
    on_cpu = swa_utils.AveragedModel(ours, device="cpu")
    assert on_cpu.n_averaged.device == ag.device("cpu")
    swa_utils.update_bn([ag.randn(4, 3, dtype=ag.float64)], on_cpu, device="cpu")


def test_averaged_model_errors():
    ours, theirs = _models(ag.float64, torch.float64)
    f = swa_utils.get_swa_avg_fn()
    g = swa_utils.get_swa_multi_avg_fn()
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(ours, avg_fn=f, multi_avg_fn=g)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        torch.optim.swa_utils.AveragedModel(theirs, avg_fn=f, multi_avg_fn=g)
    for make in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn,
                 torch.optim.swa_utils.get_ema_avg_fn, torch.optim.swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\]"):
            make(1.5)


@pytest.mark.parametrize("ag_dtype, torch_dtype, tol", DTYPES)
def test_update_bn_matches_torch(ag_dtype, torch_dtype, tol):
    ours, theirs = _models(ag_dtype, torch_dtype)
    ours.eval()
    theirs.eval()
    rng = np.random.default_rng(3)
    batches = [rng.standard_normal((5, 3)) * 2 + 1 for _ in range(4)]
    # batches as tensors, and as (input, target) pairs
    loader_ours = [ag.tensor(b, dtype=ag_dtype) for b in batches[:2]] + \
        [(ag.tensor(b, dtype=ag_dtype), ag.zeros(5)) for b in batches[2:]]
    loader_theirs = [torch.tensor(b, dtype=torch_dtype) for b in batches[:2]] + \
        [(torch.tensor(b, dtype=torch_dtype), torch.zeros(5)) for b in batches[2:]]
    swa_utils.update_bn(loader_ours, ours)
    torch.optim.swa_utils.update_bn(loader_theirs, theirs)
    _same_state(ours, theirs, tol)
    assert not ours.training and ours[1].momentum == 0.1
    assert ours[1].running_mean.grad_fn is None
    # on an AveragedModel, and a model without BatchNorm (nothing happens)
    avg_o, avg_t = swa_utils.AveragedModel(ours), torch.optim.swa_utils.AveragedModel(theirs)
    avg_o.train()
    avg_t.train()
    swa_utils.update_bn(loader_ours[:1], avg_o)
    torch.optim.swa_utils.update_bn(loader_theirs[:1], avg_t)
    _same_state(avg_o, avg_t, tol)
    assert avg_o.training
    plain = nn.Linear(3, 2)
    swa_utils.update_bn(loader_ours, plain)


def _optimizers(groups=1):
    pairs = []
    for lib in (ag, torch):
        ps = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
        params = ps if groups == 1 else [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5}]
        pairs.append(lib.optim.SGD(params, lr=0.1))
    return pairs


def _rates(opt, sched, steps):
    seq = [([g["lr"] for g in opt.param_groups], list(sched.get_last_lr()))]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append(([g["lr"] for g in opt.param_groups], list(sched.get_last_lr())))
    return seq


@pytest.mark.parametrize("kw", [dict(swa_lr=0.05), dict(swa_lr=0.05, anneal_strategy="linear"),
                                dict(swa_lr=[0.05, 0.2], anneal_epochs=3), dict(swa_lr=0.3, anneal_epochs=0),
                                dict(swa_lr=0.01, anneal_epochs=1, anneal_strategy="linear"),
                                dict(swa_lr=[0.02, 0.7], anneal_epochs=5, anneal_strategy="cos")])
@pytest.mark.parametrize("groups", [1, 2])
def test_swalr_matches_torch(kw, groups):
    if isinstance(kw["swa_lr"], list) and groups == 1:
        kw = dict(kw, swa_lr=kw["swa_lr"][:1])
    ours, theirs = _optimizers(groups)
    s_ours, s_theirs = swa_utils.SWALR(ours, **kw), torch.optim.swa_utils.SWALR(theirs, **kw)
    assert _rates(ours, s_ours, 15) == _rates(theirs, s_theirs, 15)
    assert [g["swa_lr"] for g in ours.param_groups] == [g["swa_lr"] for g in theirs.param_groups]
    state = s_ours.state_dict()
    assert set(state) == set(s_theirs.state_dict())
    again = swa_utils.SWALR(_optimizers(groups)[0], swa_lr=kw["swa_lr"], anneal_strategy="linear")
    again.load_state_dict(state)
    cos = kw.get("anneal_strategy", "cos") == "cos"
    assert again.anneal_func is (swa_utils.SWALR._cosine_anneal if cos else swa_utils.SWALR._linear_anneal)
    assert "anneal_func" not in state and state["_anneal_strategy"] == ("cos" if cos else "linear")


def test_swalr_after_another_scheduler():
    """Torch's recipe: a cosine schedule, then SWALR from the rate it left."""
    results = []
    for lib in (ag, torch):
        opt = _optimizers()[0 if lib is ag else 1]
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=4, anneal_strategy="linear")
        seq = [opt.param_groups[0]["lr"]]
        for epoch in range(15):
            opt.step()
            (swa if epoch > 6 else sched).step()
            seq.append(opt.param_groups[0]["lr"])
        results.append(seq)
    assert results[0] == results[1]


def test_swalr_errors():
    ours, theirs = _optimizers(2)
    for lib, opt in ((swa_utils, ours), (torch.optim.swa_utils, theirs)):
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
            lib.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
        for bad in (-1, 2.5):
            with pytest.raises(ValueError, match=f"anneal_epochs must be equal or greater than 0, got {bad}"):
                lib.SWALR(opt, swa_lr=0.1, anneal_epochs=bad)
        with pytest.raises(ValueError, match="swa_lr must have the same length as optimizer.param_groups"):
            lib.SWALR(opt, swa_lr=[0.1, 0.2, 0.3])
    sched = swa_utils.SWALR(ours, swa_lr=0.1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.step()
        sched.step()


def test_exports():
    assert optim.swa_utils is swa_utils
    assert sorted(swa_utils.__all__) == sorted(torch.optim.swa_utils.__all__)
    assert "swa_utils" in optim.__all__
