"""Sequential, ModuleList and ModuleDict side by side with PyTorch's: keys, indexing,
slicing, mutation, iteration, forward and repr."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import check_module, load_from_torch


def _both(build):
    """build(nn_namespace) for autograd_lite and for torch."""
    return build(nn), build(torch.nn)


def _keys(m):
    return list(m.state_dict())


def _same(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert _keys(ours) == _keys(theirs)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def _seq(n):
    return n.Sequential(n.Linear(3, 4), n.ReLU(), n.Linear(4, 2), n.Tanh())


# ---- Sequential ---------------------------------------------------------------------------------
def test_sequential_forward_and_state_dict():
    x = np.random.default_rng(0).standard_normal((5, 3))
    check_module(lambda: _seq(nn), lambda: _seq(torch.nn), x)
    _same(*_both(_seq))


def test_sequential_from_ordered_dict():
    def build(n):
        return n.Sequential(OrderedDict([("fc", n.Linear(3, 4)), ("act", n.GELU()), ("out", n.Linear(4, 1))]))

    ours, theirs = _both(build)
    _same(ours, theirs)
    assert _keys(ours) == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    assert ours.fc is ours[0] and ours.out is ours[-1]
    check_module(lambda: build(nn), lambda: build(torch.nn), np.ones((2, 3)))


def test_sequential_indexing_and_slicing():
    ours, theirs = _both(_seq)
    assert len(ours) == len(theirs) == 4
    assert isinstance(ours[0], nn.Linear) and ours[-1] is ours[3]
    for sl in (slice(1, 3), slice(None, None, 2), slice(-2, None), slice(3, 1)):
        a, t = ours[sl], theirs[sl]
        assert type(a) is nn.Sequential
        _same(a, t)
        assert all(x is y for x, y in zip(a, list(ours)[sl]))  # the same module objects
    for bad in (4, -5):
        with pytest.raises(IndexError, match="out of range"):
            ours[bad]
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]


def test_sequential_mutation():
    ours, theirs = _both(_seq)
    for m, n in ((ours, nn), (theirs, torch.nn)):
        m[1] = n.Sigmoid()
        m.append(n.Linear(2, 2))
        del m[0]
        m.insert(1, n.Identity())
        m.extend(n.Sequential(n.ReLU()))
        del m[1:3]
    _same(ours, theirs)
    assert ours.pop(0).__class__.__name__ == theirs.pop(0).__class__.__name__
    _same(ours, theirs)
    assert ours.append(nn.ReLU()) is ours


def test_sequential_add_mul():
    ours, theirs = _both(_seq)
    _same(ours + ours[:1], theirs + theirs[:1])
    _same(ours * 2, theirs * 2)
    a = _seq(nn)
    a += nn.Sequential(nn.ReLU())
    assert len(a) == 5
    with pytest.raises(ValueError):
        ours + nn.ReLU()


def test_empty_sequential_is_identity():
    x = ag.randn(2, 3)
    assert nn.Sequential()(x) is x
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential())


def test_sequential_shares_modules_and_parameters_once():
    lin = nn.Linear(2, 2)
    s = nn.Sequential(lin, nn.ReLU(), lin)
    t_lin = torch.nn.Linear(2, 2)
    t = torch.nn.Sequential(t_lin, torch.nn.ReLU(), t_lin)
    assert len(list(s.parameters())) == len(list(t.parameters())) == 2
    assert _keys(s) == _keys(t)  # state_dict lists the shared weights under both names
    load_from_torch(s, t)
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(s(ag.tensor(x))._data, t(torch.tensor(x)).detach().numpy(), rtol=1e-6)


# ---- ModuleList -----------------------------------------------------------------------------------
def _mlist(n):
    return n.ModuleList([n.Linear(2, 3), n.Linear(3, 3), n.Linear(3, 3), n.ReLU(), n.Linear(3, 3)])


def test_modulelist_basics_and_repr():
    ours, theirs = _both(_mlist)
    _same(ours, theirs)  # the repr folds equal neighbours: "(1-2): 2 x Linear(...)"
    assert "(1-2): 2 x Linear" in repr(ours)
    assert len(ours) == 5 and isinstance(ours[-1], nn.Linear)
    _same(ours[1:4], theirs[1:4])
    assert type(ours[1:4]) is nn.ModuleList
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())
    with pytest.raises(IndexError):
        ours[5]
    with pytest.raises(NotImplementedError):
        ours(ag.randn(2, 2))


def test_modulelist_repr_of_nested_repeats():
    def build(n):
        block = [n.Sequential(n.Linear(2, 2), n.ReLU()) for _ in range(3)]
        return n.ModuleList(block + [n.Linear(2, 2)])

    _same(*_both(build))


def test_modulelist_mutation():
    ours, theirs = _both(_mlist)
    for m, n in ((ours, nn), (theirs, torch.nn)):
        m.append(n.Tanh())
        m.extend([n.Linear(3, 1), n.Sigmoid()])
        m.insert(2, n.Identity())
        m[0] = n.Linear(2, 5)
        del m[3]
        del m[-2:]
        m += [n.ReLU()]
    _same(ours, theirs)
    assert type(ours.pop(1)).__name__ == type(theirs.pop(1)).__name__
    _same(ours, theirs)
    _same(ours + ours, theirs + theirs)
    with pytest.raises(TypeError):
        ours.extend(3)


def test_modulelist_in_a_model():
    class Net(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.layers = n.ModuleList([n.Linear(3, 3) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = ag.tanh(layer(x)) if isinstance(x, ag.Tensor) else torch.tanh(layer(x))
            return x

    class TNet(torch.nn.Module):
        forward = Net.forward

        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(3)])

    check_module(lambda: Net(nn), TNet, np.random.default_rng(1).standard_normal((4, 3)))
    assert _keys(Net(nn)) == _keys(TNet())


# ---- ModuleDict -------------------------------------------------------------------------------------
def _mdict(n):
    return n.ModuleDict({"enc": n.Linear(2, 3), "act": n.ReLU(), "dec": n.Linear(3, 2)})


def test_moduledict_basics():
    ours, theirs = _both(_mdict)
    _same(ours, theirs)
    assert list(ours) == list(theirs) == ["enc", "act", "dec"]
    assert list(ours.keys()) == ["enc", "act", "dec"] and len(ours) == 3
    assert "enc" in ours and "nope" not in ours
    assert [type(v).__name__ for v in ours.values()] == [type(v).__name__ for v in theirs.values()]
    assert [k for k, _ in ours.items()] == ["enc", "act", "dec"]
    with pytest.raises(KeyError):
        ours["nope"]


def test_moduledict_mutation():
    ours, theirs = _both(_mdict)
    for m, n in ((ours, nn), (theirs, torch.nn)):
        m["extra"] = n.Linear(2, 2)
        del m["act"]
        m.update([("z", n.Tanh()), ("a", n.Sigmoid())])
        m.update(OrderedDict([("b", n.ReLU())]))
        m.update(n.ModuleDict({"c": n.GELU()}))
    _same(ours, theirs)
    assert type(ours.pop("z")).__name__ == type(theirs.pop("z")).__name__
    _same(ours, theirs)
    ours.clear()
    assert len(ours) == 0 and _keys(ours) == []
    with pytest.raises(ValueError, match="length 3"):
        ours.update([("a", nn.ReLU(), 1)])
    with pytest.raises(TypeError):
        ours.update(5)


def test_container_train_eval_and_to_propagate():
    m = nn.ModuleDict({"a": nn.Sequential(nn.Linear(2, 2), nn.Dropout()), "b": nn.ModuleList([nn.BatchNorm1d(2)])})
    m.eval()
    assert not any(sub.training for sub in m.modules())
    m.train()
    assert all(sub.training for sub in m.modules())
    m.double()
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert m["b"][0].running_mean.dtype == np.float64
