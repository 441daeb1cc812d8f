"""Lazy modules against PyTorch's: UninitializedParameter/UninitializedBuffer (what
raises, what can be read), LazyModuleMixin (the first call materializes, initializes
and changes the class; has_uninitialized_params; errors), and every Lazy* layer:
repr and state_dict before and after the first call, the class it becomes, init from
the non-lazy class's distributions (same draws for the same seed), outputs and
gradients once given torch's weights, load_state_dict into a lazy module (materialized
from the loaded shapes), dtype casts before the first call, optimizers built on
uninitialized parameters, deepcopy."""
import copy
import pickle

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from helpers import randn, torch_dtype
from nn_helpers import assert_state_dict_like, check_module, load_from_torch

X2, X3 = randn(5, 4, seed=1), randn(2, 4, 7, seed=2)
X4, X5 = randn(2, 4, 6, 5, seed=3), randn(2, 4, 3, 4, 5, seed=4)

# (class name, args, kwargs, input, the non-lazy class's name and its args for the same shapes)
CASES = [
    ("LazyLinear", (3,), {}, X2, ("Linear", (4, 3))),
    ("LazyLinear", (3,), dict(bias=False), X3, ("Linear", (7, 3), dict(bias=False))),
    ("LazyConv1d", (6, 3), dict(stride=2, padding=1, groups=2), X3, ("Conv1d", (4, 6, 3), dict(stride=2, padding=1,
                                                                                                groups=2))),
    ("LazyConv1d", (2, 3), dict(padding=1, padding_mode="reflect", bias=False), X3,
     ("Conv1d", (4, 2, 3), dict(padding=1, padding_mode="reflect", bias=False))),
    ("LazyConv2d", (5, 3), dict(padding="same"), X4, ("Conv2d", (4, 5, 3), dict(padding="same"))),
    ("LazyConv3d", (3, 2), {}, X5, ("Conv3d", (4, 3, 2))),
    ("LazyConvTranspose1d", (3, 3), dict(stride=2, output_padding=1), X3,
     ("ConvTranspose1d", (4, 3, 3), dict(stride=2, output_padding=1))),
    ("LazyConvTranspose2d", (6, 2), dict(groups=2, dilation=2), X4,
     ("ConvTranspose2d", (4, 6, 2), dict(groups=2, dilation=2))),
    ("LazyConvTranspose3d", (2, 2), dict(stride=2), X5, ("ConvTranspose3d", (4, 2, 2), dict(stride=2))),
    ("LazyBatchNorm1d", (), {}, X2, ("BatchNorm1d", (4,))),
    ("LazyBatchNorm1d", (), dict(affine=False, momentum=None), X3, ("BatchNorm1d", (4,), dict(affine=False,
                                                                                               momentum=None))),
    ("LazyBatchNorm2d", (), dict(bias=False), X4, ("BatchNorm2d", (4,), dict(bias=False))),
    ("LazyBatchNorm3d", (), dict(track_running_stats=False), X5, ("BatchNorm3d", (4,),
                                                                  dict(track_running_stats=False))),
    ("LazyInstanceNorm1d", (), {}, X3, ("InstanceNorm1d", (4,), dict(affine=True, track_running_stats=True))),
    ("LazyInstanceNorm2d", (), dict(affine=False), X4, ("InstanceNorm2d", (4,), dict(track_running_stats=True))),
    ("LazyInstanceNorm3d", (), dict(track_running_stats=False), X5, ("InstanceNorm3d", (4,), dict(affine=True))),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def lazy_pair(name, args, kw):
    return getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)


def kinds(sd):
    return {k: ("lazy" if is_lazy(v) or isinstance(v, torch.nn.parameter.UninitializedTensorMixin) else "tensor")
            for k, v in sd.items()}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_before_and_after_the_first_call_as_torch(case):
    name, args, kw, x, _ = case
    ours, theirs = lazy_pair(name, args, kw)
    assert repr(ours) == repr(theirs)
    assert ours.has_uninitialized_params() and theirs.has_uninitialized_params()
    assert kinds(ours.state_dict()) == kinds(theirs.state_dict())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for p in ours.parameters():
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
            p.shape
    ours(ag.tensor(x.astype(np.float32)))
    theirs(torch.tensor(x.astype(np.float32)))
    assert type(ours).__name__ == type(theirs).__name__ == name[4:]
    assert type(ours) is getattr(nn, name[4:])
    assert not any(is_lazy(t) for t in list(ours.parameters()) + list(ours.buffers()))
    assert repr(ours) == repr(theirs)
    assert_state_dict_like(ours, theirs)
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert all(type(b) is ag.Tensor for b in ours.buffers())
    assert not ours._forward_pre_hooks and "_initialize_hook" not in ours.__dict__


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_outputs_and_gradients_once_initialized(case):
    name, args, kw, x, _ = case

    def ours():
        m = getattr(nn, name)(*args, **kw)
        m(ag.tensor(x.astype(np.float32)))
        return m

    def theirs():
        m = getattr(torch.nn, name)(*args, **kw)
        m(torch.tensor(x.astype(np.float32)))
        return m
    check_module(ours, theirs, x, steps=2)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_init_draws_as_the_non_lazy_class(case):
    name, args, kw, x, (plain, p_args, *p_kw) = case
    xt = ag.tensor(x.astype(np.float32))
    ag.manual_seed(7)
    lazy = getattr(nn, name)(*args, **kw)
    lazy(xt)
    ag.manual_seed(7)
    plain_module = getattr(nn, plain)(*p_args, **(p_kw[0] if p_kw else {}))
    sd_l, sd_p = lazy.state_dict(), plain_module.state_dict()
    if "num_batches_tracked" in sd_p and lazy.training and "Batch" in name:
        sd_p["num_batches_tracked"] = sd_p["num_batches_tracked"] + 1  # the lazy one has run a batch
    assert list(sd_l) == list(sd_p)
    for k in sd_p:
        if "running" in k:
            continue  # updated by the first batch
        np.testing.assert_array_equal(sd_l[k].numpy(), sd_p[k].numpy(), err_msg=k)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_load_state_dict_into_a_lazy_module(case, dtype):
    name, args, kw, x, _ = case
    _, theirs = lazy_pair(name, args, kw)
    theirs = theirs.to(torch_dtype(dtype))
    theirs(torch.tensor(x.astype(dtype)))
    ours = getattr(nn, name)(*args, **kw).to(dtype)
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert not ours.has_uninitialized_params() and type(ours).__name__ == name  # the class changes at the call
    fresh = getattr(torch.nn, name)(*args, **kw).to(torch_dtype(dtype))
    fresh.load_state_dict(theirs.state_dict())
    if "InstanceNorm" in name and fresh.affine:  # num_features stays 0 after a load: torch's forward refuses
        for m, lib in ((ours, ag), (fresh, torch)):
            with pytest.raises(ValueError, match=r"to match num_features \(0\)"):
                m(lib.tensor(x.astype(dtype)))
        return
    out_a, out_t = ours(ag.tensor(x.astype(dtype))), fresh(torch.tensor(x.astype(dtype)))
    np.testing.assert_allclose(out_a.detach().numpy(), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert type(ours).__name__ == type(fresh).__name__ and repr(ours) == repr(fresh)
    assert ours.state_dict()[next(iter(ours.state_dict()))].dtype == np.dtype(dtype)


def test_load_state_dict_partial_uninitialized_and_errors_as_torch():
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    res_a = ours.load_state_dict({"weight": np.ones((3, 5), np.float32)}, strict=False)
    res_t = theirs.load_state_dict({"weight": torch.ones(3, 5)}, strict=False)
    assert (res_a.missing_keys, res_a.unexpected_keys) == (res_t.missing_keys, res_t.unexpected_keys) == (["bias"], [])
    assert type(ours.weight) is nn.Parameter and is_lazy(ours.bias) and repr(ours) == repr(theirs)
    for lib in (ag, torch):  # the loaded weight's in_features must match the input's
        m = lib.nn.LazyLinear(3)
        m.load_state_dict(lib.nn.Linear(5, 3).state_dict())
        with pytest.raises(AssertionError, match="The in_features inferred from input: 4 is not equal to "
                                                 "in_features from self.weight: 5"):
            m(lib.ones(2, 4))
    with pytest.raises(RuntimeError, match="Missing key"):
        nn.LazyLinear(3).load_state_dict({"weight": np.ones((3, 5), np.float32)})
    # uninitialized into uninitialized: nothing to copy, the module stays lazy
    lazy = nn.LazyLinear(3)
    assert lazy.load_state_dict(nn.LazyLinear(3).state_dict()).missing_keys == []
    assert lazy.has_uninitialized_params()
    # uninitialized into an initialized module: PyTorch's RuntimeError
    for lib in (nn, torch.nn):
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
            lib.Linear(4, 3).load_state_dict(lib.LazyLinear(3).state_dict())


def test_uninitialized_tensors_as_torch():
    for cls, tcls, grad in ((UninitializedParameter, torch.nn.parameter.UninitializedParameter, True),
                            (UninitializedBuffer, torch.nn.parameter.UninitializedBuffer, False)):
        p, t = cls(), tcls()
        assert repr(p) == repr(t) and p.requires_grad == t.requires_grad == grad
        assert tuple(p.size()) == tuple(t.size()) == (0,) and p.ndim == t.ndim == 1
        assert p.dtype == np.float32 and p.is_floating_point()
        assert cls(dtype=ag.float64).dtype == np.float64
        for op in (lambda a: a + 1, lambda a: a.sum(), lambda a: a.detach(), lambda a: a.numel(),
                   lambda a: len(a)):
            for v in (p, t):
                with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
                    op(v)
        for v in (p, t):
            with pytest.raises(RuntimeError, match="Can't access the shape"):
                v.shape
            with pytest.raises(RuntimeError, match="Can't share memory on an uninitialized parameter"):
                v.share_memory_()
        p.materialize((2, 3))
        t.materialize((2, 3))
        assert type(p) is cls.cls_to_become and p.shape == (2, 3) and p.requires_grad == t.requires_grad
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.LazyLinear(3).requires_grad_(False)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        ag.nn.functional.linear(ag.ones(2, 4), nn.LazyLinear(3).weight)


def test_dtype_cast_before_the_first_call():
    for dtype, tdtype in ((ag.float64, torch.float64), (ag.float16, torch.float16)):
        ours, theirs = nn.LazyBatchNorm1d().to(dtype), torch.nn.LazyBatchNorm1d().to(tdtype)
        assert ours.weight.dtype == dtype and ours.running_mean.dtype == dtype
        assert theirs.weight.dtype == tdtype and theirs.running_mean.dtype == tdtype
        assert ours.num_batches_tracked.dtype == np.int64
    m = nn.LazyLinear(3).double()
    m(ag.ones(2, 4, dtype=ag.float64))
    assert m.weight.dtype == np.float64 and m.bias.dtype == np.float64


def test_optimizer_built_before_the_first_call():
    ours, theirs = nn.LazyLinear(2), torch.nn.LazyLinear(2)
    opt_a = ag.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    opt_a.step(), opt_t.step()  # no gradients yet: nothing to do, as in torch
    x = randn(4, 3, seed=9).astype(np.float32)
    ours(ag.tensor(x)), theirs(torch.tensor(x))
    load_from_torch(ours, theirs)  # in place: the optimizer still holds these parameters
    for _ in range(2):
        opt_a.zero_grad(), opt_t.zero_grad()
        (ours(ag.tensor(x)) ** 2).sum().backward()
        (theirs(torch.tensor(x)) ** 2).sum().backward()
        opt_a.step(), opt_t.step()
    for (k, a), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_mixin_errors_and_custom_lazy_module():
    class NotFull(nn.modules.lazy.LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.w = UninitializedParameter()

        def initialize_parameters(self, x):
            pass

        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="module NotFull has not been fully initialized"):
        NotFull()(ag.ones(2))

    class NoInit(nn.modules.lazy.LazyModuleMixin, nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(NotImplementedError, match="initialize_parameters is not implemented for NoInit"):
        NoInit()(ag.ones(2))

    class Scale(nn.modules.lazy.LazyModuleMixin, nn.Module):  # stays its own class (no cls_to_become)
        def __init__(self):
            super().__init__()
            self.w = UninitializedParameter()

        def initialize_parameters(self, x):
            self.w.materialize(x.shape)
            nn.init.ones_(self.w)

        def forward(self, x):
            return x * self.w
    s = Scale()
    assert s(ag.ones(3) * 2).tolist() == [2.0, 2.0, 2.0] and type(s) is Scale and not s._forward_pre_hooks
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(4, 3)(ag.ones(3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(ag.ones(1, 3, 5, 5))
    with pytest.raises(ValueError, match="expected 4D input \\(got 2D input\\)"):
        nn.LazyBatchNorm2d()(ag.ones(5, 3))


def test_unbatched_inputs_and_containers():
    conv = nn.LazyConv1d(3, 2)
    conv(ag.ones(4, 6))
    assert conv.weight.shape == (3, 4, 2)
    # as torch: a lazy instance norm reads num_features from dim 1 even for unbatched input
    for lib, make in ((nn, lambda: ag.ones(3, 5)), (torch.nn, lambda: torch.ones(3, 5))):
        with pytest.raises(ValueError, match=r"expected input's size at dim=0 to match num_features \(5\)"):
            lib.LazyInstanceNorm1d()(make())
    seq = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.LazyLinear(2))
    out = seq(ag.ones(1, 2, 5, 5))
    assert out.shape == (1, 4, 3, 2) and type(seq[0]) is nn.Conv2d and type(seq[2]) is nn.Linear
    empty = nn.LazyLinear(2)
    assert empty(ag.ones(0, 3)).shape == (0, 2) and empty.weight.shape == (2, 3)


def test_deepcopy_of_a_lazy_module():
    m = nn.LazyLinear(3)
    c = copy.deepcopy(m)
    assert is_lazy(c.weight) and c.weight is not m.weight and repr(c) == repr(m)
    c(ag.ones(2, 5))
    assert type(c) is nn.Linear and c.weight.shape == (3, 5)
    assert type(m) is nn.LazyLinear and m.has_uninitialized_params()
    m(ag.ones(2, 4))
    assert m.weight.shape == (3, 4)


def test_pickle_of_a_lazy_module():
    m = nn.LazyConv1d(2, 3).double()
    c = pickle.loads(pickle.dumps(m))
    assert type(c) is nn.LazyConv1d and is_lazy(c.weight) and c.weight.dtype == np.float64
    c(ag.ones(1, 4, 6, dtype=ag.float64))
    assert type(c) is nn.Conv1d and c.weight.shape == (2, 4, 3) and not c._forward_pre_hooks
    assert type(m) is nn.LazyConv1d and m._forward_pre_hooks  # the original keeps its hook


def test_ag_save_of_a_lazy_module_and_its_state_dict(tmp_path):
    m = nn.LazyBatchNorm1d().double()
    ag.save(m, tmp_path / "m.pt")
    ag.save(m.state_dict(), tmp_path / "sd.pt")
    loaded = ag.load(tmp_path / "m.pt", weights_only=False)
    assert type(loaded) is nn.LazyBatchNorm1d and loaded.weight.dtype == np.float64 and is_lazy(loaded.running_var)
    loaded(ag.ones(3, 4, dtype=ag.float64))
    assert type(loaded) is nn.BatchNorm1d and loaded.running_var.shape == (4,)
    sd = ag.load(tmp_path / "sd.pt", weights_only=False)
    assert is_lazy(sd["weight"]) and sd["num_batches_tracked"].item() == 0
    # as torch.load, the default weights_only load refuses the uninitialized classes
    torch.save(torch.nn.LazyBatchNorm1d().state_dict(), tmp_path / "t.pt")
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        torch.load(tmp_path / "t.pt")
    with pytest.raises(Exception, match="weights only load failed"):
        ag.load(tmp_path / "sd.pt")
