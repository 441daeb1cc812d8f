"""Module.to_empty, Module.set_submodule, Module.compile and autograd_lite.compile
against PyTorch: compile runs eagerly (the very same results, the model returned
itself) and checks torch.compile's arguments as PyTorch does."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import load_from_torch


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Sequential(lib.nn.Linear(4, 2)))


def test_compile_returns_the_model_and_gives_identical_results():
    ag.manual_seed(0)
    model = _model(ag)
    x = ag.randn(5, 3)
    before = model(x).detach().numpy()
    compiled = ag.compile(model, fullgraph=True, dynamic=False, backend="inductor",
                          mode="max-autotune")
    assert compiled is model
    np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    assert model.compile(backend="eager", options={"triton.cudagraphs": False}) is None
    model.eval()
    loss = model(x).sum()
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    assert before.shape == (5, 2)


def test_compile_as_a_decorator_and_on_functions():
    @ag.compile(dynamic=True)
    def f(a, b):
        return (a * b).sin().sum()

    def g(a):
        return a.exp()
    assert ag.compile(g, disable=True) is g
    a, b = ag.randn(3), ag.randn(3)
    np.testing.assert_array_equal(f(a, b).numpy(), (a * b).sin().sum().numpy())
    assert not ag.compiler.is_compiling() and ag.compiler.disable(g) is g
    assert ag.compiler.disable()(g) is g


@pytest.mark.parametrize("kwargs", [dict(backend="foo"), dict(mode="foo"),
                                    dict(mode="default", options={})])
def test_compile_refuses_what_torch_refuses(kwargs):
    for lib in (ag, torch):
        with pytest.raises(Exception, match="backend|mode"):
            lib.compile(lib.nn.Linear(2, 2), **kwargs)
    with pytest.raises(RuntimeError):
        nn.Linear(2, 2).compile(**kwargs)
    with pytest.raises(TypeError, match="callable"):
        ag.compile(3)


@pytest.mark.parametrize("recurse", [True, False])
def test_to_empty_keeps_objects_shapes_and_dtypes_as_torch(recurse):
    ours, theirs = _model(ag).double(), _model(torch).double()
    params = list(ours.parameters())
    ours.to_empty(device="cpu", recurse=recurse)
    theirs.to_empty(device="cpu", recurse=recurse)
    assert list(ours.parameters()) == params and all(isinstance(p, nn.Parameter) for p in params)
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    for k in sd_t:
        assert tuple(sd_o[k].shape) == tuple(sd_t[k].shape) and sd_o[k].dtype == sd_t[k].numpy().dtype
    # initialising afterwards gives a working model, as with PyTorch's meta-device recipe
    load_from_torch(ours, _model(torch).double())
    assert np.isfinite(ours(ag.randn(2, 3, dtype=ag.float64)).detach().numpy()).all()
    with pytest.raises(Exception):
        ours.to_empty(device="cuda")


def test_to_empty_gives_new_storage_that_optimizers_still_see():
    m = nn.Linear(2, 2)
    opt = ag.optim.SGD(m.parameters(), lr=1.0)
    m.to_empty(device="cpu")
    with ag.no_grad():
        m.weight.fill_(1.0)
        m.bias.fill_(0.0)
    m(ag.ones(1, 2)).sum().backward()
    opt.step()
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.zeros((2, 2)))


@pytest.mark.parametrize("target,strict", [("0", False), ("3.0", False), ("3.1", False),
                                           ("3.0", True), ("4", False)])
def test_set_submodule_matches_torch(target, strict):
    ours, theirs = _model(ag), _model(torch)
    ours.set_submodule(target, nn.Tanh(), strict=strict)
    theirs.set_submodule(target, torch.nn.Tanh(), strict=strict)
    assert repr(ours) == repr(theirs)
    assert isinstance(ours.get_submodule(target), nn.Tanh)


@pytest.mark.parametrize("target,module,strict,error", [
    ("", "tanh", False, ValueError), ("0", 3, False, ValueError), ("3.1", "tanh", True, AttributeError),
    ("9.0", "tanh", False, AttributeError), ("0.weight", "tanh", False, AttributeError),
])
def test_set_submodule_errors_as_torch(target, module, strict, error):
    for lib in (ag, torch):
        m = _model(lib)
        value = lib.nn.Tanh() if module == "tanh" else module
        with pytest.raises(error):
            m.set_submodule(target, value, strict=strict)
