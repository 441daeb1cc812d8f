"""autograd_lite.func.functional_call against torch.func.functional_call: outputs and
gradients to the given tensors, buffers (batch norm's running statistics updated in the
given tensors), several dicts, tied weights, strict mode, the module's own tensors put
back after the call (also when it raises), the errors; and the end-to-end use, the
per-sample gradients of an MLP with vmap(grad(functional_call(...))) as in PyTorch's
tutorial."""
import numpy as np
import pytest
import torch
import torch.func as TF

import autograd_lite as ag
import autograd_lite.func as F
from tests.autograd.func_helpers import check_tree
from tests.helpers import FLOAT_DTYPES, TOL, assert_same, torch_dtype

RNG = np.random.default_rng(11)


def pair(make, dtype, seed=0):
    """The same model in both libraries (torch's weights loaded into ours)."""
    torch.manual_seed(seed)
    t = make(torch.nn).to(torch_dtype(dtype))
    a = make(ag.nn).to(np.dtype(dtype))
    a.load_state_dict(t.state_dict())
    return a, t


def mlp(nn):
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))


def tensors(lib, arrays, dtype, requires_grad=False):
    return {k: lib.tensor(v.astype(dtype), requires_grad=requires_grad) for k, v in arrays.items()}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_outputs_and_gradients_to_the_given_tensors(dtype):
    a, t = pair(mlp, dtype)
    new = {"0.weight": RNG.standard_normal((6, 4)), "2.bias": RNG.standard_normal(3)}
    pa, pt = tensors(ag, new, dtype, True), tensors(torch, new, dtype, True)
    x = RNG.standard_normal((5, 4)).astype(dtype)
    out = F.functional_call(a, pa, (ag.tensor(x),))
    tout = TF.functional_call(t, pt, (torch.tensor(x),))
    check_tree(out, tout, dtype)
    (out.sin().sum()).backward()
    (tout.sin().sum()).backward()
    for k in new:
        assert_same(pa[k].grad, pt[k].grad, TOL[np.dtype(dtype)], k)
    assert a[0].weight.grad is None and a[2].weight.grad is not None  # the module's own got the rest
    assert_same(a[2].weight.grad, t[2].weight.grad, TOL[np.dtype(dtype)])
    # the module's own parameters are back
    assert isinstance(a[0].weight, ag.nn.Parameter)
    check_tree(a(ag.tensor(x)), t(torch.tensor(x)), dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_buffers_several_dicts_and_kwargs(dtype):
    def make(nn):
        return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    a, t = pair(make, dtype)
    params = {"0.weight": RNG.standard_normal((4, 3))}
    bufs = {"1.running_mean": RNG.standard_normal(4), "1.running_var": RNG.random(4) + 0.5}
    x = RNG.standard_normal((6, 3)).astype(dtype)
    ba, bt = tensors(ag, bufs, dtype), tensors(torch, bufs, dtype)
    out = F.functional_call(a, (tensors(ag, params, dtype), ba), ag.tensor(x))
    tout = TF.functional_call(t, (tensors(torch, params, dtype), bt), torch.tensor(x))
    check_tree(out, tout, dtype)
    check_tree(ba, bt, dtype, "running statistics updated in the given buffers")
    check_tree(a.state_dict(), t.state_dict(), dtype, "the module's own buffers")
    a.eval(), t.eval()
    check_tree(F.functional_call(a, [ba], args=(), kwargs={"input": ag.tensor(x)}),
               TF.functional_call(t, [bt], args=(), kwargs={"input": torch.tensor(x)}), dtype)


class Tied:
    @staticmethod
    def make(nn):
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(3, 3)
                self.b = nn.Linear(3, 3)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.b(self.a(x))
        return M()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_tied_weights(dtype):
    a, t = pair(Tied.make, dtype)
    x = RNG.standard_normal((2, 3)).astype(dtype)
    w = RNG.standard_normal((3, 3))
    for tie in (True, False):
        wa, wt = tensors(ag, {"a.weight": w}, dtype), tensors(torch, {"a.weight": w}, dtype)
        check_tree(F.functional_call(a, wa, (ag.tensor(x),), tie_weights=tie),
                   TF.functional_call(t, wt, (torch.tensor(x),), tie_weights=tie), dtype, f"tie_weights={tie}")
    assert a.a.weight is a.b.weight
    two = {"a.weight": w, "b.weight": w}
    for lib, fc in ((ag, F.functional_call), (torch, TF.functional_call)):
        model = a if lib is ag else t
        with pytest.raises(ValueError, match=r"functional_call got multiple values for keys \['a.weight', "
                                             r"'b.weight'\], which are tied. Consider using tie_weights=False"):
            fc(model, tensors(lib, two, dtype), (lib.tensor(x),))
    check_tree(F.functional_call(a, tensors(ag, two, dtype), (ag.tensor(x),), tie_weights=False),
               TF.functional_call(t, tensors(torch, two, dtype), (torch.tensor(x),), tie_weights=False), dtype)


def test_strict_and_errors_match_torch():
    a, t = pair(lambda nn: nn.Linear(3, 2), np.float64)
    x = np.ones(3)
    cases = [
        (({"weight": np.ones((2, 3))},), dict(strict=True), RuntimeError,
         "Error(s) in reparametrizing for Linear:\n\tMissing key(s): 'bias'."),
        (({"weight": np.ones((2, 3)), "bias": np.ones(2), "foo": np.ones(1)},), dict(strict=True), RuntimeError,
         "Error(s) in reparametrizing for Linear:\n\tUnexpected key(s): 'foo'."),
        (({"weight": np.ones((2, 3))}, {"weight": np.ones((2, 3))}), {}, ValueError,
         "['weight'] appeared in multiple dictionaries; behavior of functional call is ambiguous"),
    ]
    for dicts, kw, exc, msg in cases:
        for lib, fc, model in ((ag, F.functional_call, a), (torch, TF.functional_call, t)):
            arg = tuple(tensors(lib, d, np.float64) for d in dicts)
            with pytest.raises(exc) as info:
                fc(model, arg if len(arg) > 1 else arg[0], (lib.tensor(x),), **kw)
            assert msg in str(info.value), (lib.__name__, str(info.value))
    with pytest.raises(ValueError, match="Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                                         "dicts, but got <class 'int'>"):
        F.functional_call(a, 3, (ag.tensor(x),))
    with pytest.raises(TypeError, match="the value for 'weight' is a float, not a Tensor"):
        F.functional_call(a, {"weight": 3.0}, (ag.tensor(x),))
    with pytest.raises(AttributeError, match="sub"):
        F.functional_call(a, {"sub.weight": ag.ones(2, 3)}, (ag.tensor(x),))
    # an unknown plain name (not strict) is set for the call and removed after, as torch's
    out = F.functional_call(a, {"weight": ag.ones(2, 3, dtype=ag.float64), "foo": ag.ones(1)}, (ag.tensor(x),))
    tout = TF.functional_call(t, {"weight": torch.ones(2, 3, dtype=torch.float64), "foo": torch.ones(1)},
                              (torch.tensor(x),))
    check_tree(out, tout, np.float64)
    assert not hasattr(a, "foo")


def test_module_tensors_restored_when_the_call_raises():
    a, _ = pair(mlp, np.float64)
    before = {k: v for k, v in a.named_parameters()}
    with pytest.raises(RuntimeError):
        F.functional_call(a, {"0.weight": ag.ones(6, 4, dtype=ag.float64), "2.weight": ag.ones(3, 5)},
                          (ag.ones(2, 4, dtype=ag.float64),))
    after = dict(a.named_parameters())
    assert list(after) == list(before) and all(after[k] is before[k] for k in before)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_per_sample_gradients_of_an_mlp(dtype):
    """PyTorch's per-sample-gradients tutorial: vmap(grad(loss via functional_call))."""
    def make(nn):
        return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    a, t = pair(make, dtype, seed=3)
    x = RNG.standard_normal((7, 5)).astype(dtype)
    y = RNG.integers(0, 3, 7)

    def loss_fn(lib, model, fc):
        def compute_loss(params, buffers, sample, target):
            batch, targets = sample.unsqueeze(0), target.unsqueeze(0)
            predictions = fc(model, (params, buffers), (batch,))
            return lib.nn.functional.cross_entropy(predictions, targets)
        return compute_loss

    pa = {k: v.detach() for k, v in a.named_parameters()}
    pt = {k: v.detach() for k, v in t.named_parameters()}
    ours = F.vmap(F.grad(loss_fn(ag, a, F.functional_call)), in_dims=(None, None, 0, 0))(
        pa, {}, ag.tensor(x), ag.tensor(y))
    theirs = TF.vmap(TF.grad(loss_fn(torch, t, TF.functional_call)), in_dims=(None, None, 0, 0))(
        pt, {}, torch.tensor(x), torch.tensor(y))
    check_tree(ours, theirs, dtype)
    # each equals the gradient of that sample alone, computed by backward
    for i in (0, 6):
        a.zero_grad()
        ag.nn.functional.cross_entropy(a(ag.tensor(x[i:i + 1])), ag.tensor(y[i:i + 1])).backward()
        for k, p in a.named_parameters():
            np.testing.assert_allclose(ours[k][i].numpy(), p.grad.numpy(), **TOL[np.dtype(dtype)])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_model_ensembling_with_vmap_over_stacked_parameters(dtype):
    """PyTorch's ensembling tutorial: parameters of several models stacked, vmap over them."""
    models = [pair(mlp, dtype, seed=s) for s in range(3)]
    names = [k for k, _ in models[0][1].named_parameters()]
    pa = {k: ag.stack([dict(a.named_parameters())[k].detach() for a, _ in models]) for k in names}
    pt = {k: torch.stack([dict(t.named_parameters())[k].detach() for _, t in models]) for k in names}
    pa = {k: v.requires_grad_() for k, v in pa.items()}
    pt = {k: v.requires_grad_() for k, v in pt.items()}
    x = RNG.standard_normal((5, 4)).astype(dtype)
    base_a, base_t = models[0]

    def run(fc, model):
        return lambda p, b, xs: fc(model, (p, b), (xs,))
    ours = F.vmap(run(F.functional_call, base_a), in_dims=(0, None, None))(pa, {}, ag.tensor(x))
    theirs = TF.vmap(run(TF.functional_call, base_t), in_dims=(0, None, None))(pt, {}, torch.tensor(x))
    check_tree(ours, theirs, dtype)
    (ours ** 2).sum().backward()
    (theirs ** 2).sum().backward()
    for k in names:
        assert_same(pa[k].grad, pt[k].grad, TOL[np.dtype(dtype)], k)
