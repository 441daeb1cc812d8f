"""nn.ParameterList and nn.ParameterDict against PyTorch's: registration, indexing,
conversion of tensors to Parameters, state_dict keys, order, repr, copy and dtype moves."""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import check_module


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in [(3,), (2, 2), (4, 1)]]


def _both_lists(arrays):
    ours = nn.ParameterList([ag.tensor(a) for a in arrays])
    theirs = torch.nn.ParameterList([torch.tensor(a) for a in arrays])
    return ours, theirs


def _torch_repr(s):
    return s.replace("torch.float", "float")


def test_parameter_list_registration_and_state_dict():
    ours, theirs = _both_lists(_arrays())
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours)
    assert len(list(ours.parameters())) == 3 and len(ours) == 3
    for a, t in zip(ours, theirs):
        np.testing.assert_array_equal(a._data, t.detach().numpy())


def test_parameter_list_shares_memory_with_the_tensor():
    t = ag.zeros(3)
    pl = nn.ParameterList([t])
    pl[0]._data[0] = 5.0
    assert t._data[0] == 5.0


def test_parameter_list_indexing_and_mutation():
    arrays = _arrays()
    ours, theirs = _both_lists(arrays)
    assert ours[-1] is ours[2]
    sl, slt = ours[1:], theirs[1:]
    assert type(sl) is nn.ParameterList and list(sl.state_dict()) == list(slt.state_dict()) == ["0", "1"]
    assert sl[0] is ours[1]  # a slice holds the same Parameters
    assert list(ours[::-2].state_dict()) == list(theirs[::-2].state_dict())
    with pytest.raises(IndexError, match="index 3 is out of range"):
        ours[3]
    with pytest.raises(IndexError):
        theirs[3]
    new = np.ones((5,))
    ours[1] = ag.tensor(new)
    theirs[1] = torch.tensor(new)
    assert isinstance(ours[1], nn.Parameter) and list(ours.state_dict()) == ["0", "1", "2"]
    ours.append(ag.tensor(new))
    theirs.append(torch.tensor(new))
    ours.extend([ag.tensor(new)])
    theirs.extend([torch.tensor(new)])
    ours += [ag.tensor(new)]
    theirs += [torch.tensor(new)]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours] == [tuple(p.shape) for p in theirs]
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        ours.extend(ag.zeros(2))
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        theirs.extend(torch.zeros(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        ours(ag.zeros(1))


def test_parameter_list_keeps_other_objects_and_modules():
    ours = nn.ParameterList([ag.zeros(2), "text", nn.Linear(2, 3)])
    theirs = torch.nn.ParameterList([torch.zeros(2), "text", torch.nn.Linear(2, 3)])
    assert ours[1] == "text"
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == _torch_repr(repr(theirs))


def test_parameter_list_repr():
    ours, theirs = _both_lists(_arrays())
    assert repr(ours) == _torch_repr(repr(theirs))
    ours.append(ag.tensor(1.0))
    theirs.append(torch.tensor(1.0))
    assert repr(ours) == _torch_repr(repr(theirs))
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList()) == "ParameterList()"
    one, one_t = nn.ParameterList([ag.zeros(2)]), torch.nn.ParameterList([torch.zeros(2)])
    assert repr(one) == _torch_repr(repr(one_t))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parameter_list_in_a_model_against_torch(dtype):
    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(ag.randn(3, 3)) for _ in range(2)])
            self.ws.append(ag.randn(3))

        def forward(self, x):
            for w in self.ws[:2]:
                x = ag.tanh(x @ w)
            return x * self.ws[2]

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(3, 3)) for _ in range(2)])
            self.ws.append(torch.randn(3))

        def forward(self, x):
            for w in self.ws[:2]:
                x = torch.tanh(x @ w)
            return x * self.ws[2]

    check_module(Ours, Theirs, np.random.default_rng(1).standard_normal((4, 3)), dtypes=(dtype,))
    m = Ours()
    assert list(m.state_dict()) == list(Theirs().state_dict()) == ["ws.0", "ws.1", "ws.2"]


def test_parameter_list_deepcopy_and_to():
    ours, _ = _both_lists(_arrays())
    c = copy.deepcopy(ours)
    assert c[0] is not ours[0] and isinstance(c[0], nn.Parameter) and len(c) == 3
    np.testing.assert_array_equal(c[1]._data, ours[1]._data)
    c.append(ag.zeros(1))
    assert len(c) == 4 and len(ours) == 3
    p0 = ours[0]
    ours.to(ag.float32)
    assert ours[0] is p0 and all(p.dtype == np.float32 for p in ours)


def _dicts(arrays, mapping=OrderedDict):
    names = ["b", "a", "c"]
    ours = nn.ParameterDict(mapping((n, ag.tensor(a)) for n, a in zip(names, arrays)))
    theirs = torch.nn.ParameterDict(mapping((n, torch.tensor(a)) for n, a in zip(names, arrays)))
    return ours, theirs


@pytest.mark.parametrize("mapping", [OrderedDict, dict, list])
def test_parameter_dict_order_and_state_dict(mapping):
    ours, theirs = _dicts(_arrays(), mapping)
    assert list(ours.keys()) == list(theirs.keys())  # a plain dict is sorted, as PyTorch
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert all(isinstance(v, nn.Parameter) for v in ours.values())
    for (k, a), (kt, t) in zip(ours.items(), theirs.items()):
        assert k == kt
        np.testing.assert_array_equal(a._data, t.detach().numpy())


def test_parameter_dict_mapping_methods():
    ours, theirs = _dicts(_arrays())
    for d, mk in ((ours, ag.zeros), (theirs, torch.zeros)):
        d["z"] = mk(2)
        d.update([("y", mk(1))])
        d.setdefault("x", mk(3))
        assert "z" in d and d.get("nope") is None
        del d["a"]
        assert d.pop("b").shape[0] == 3
        assert d.popitem()[0] == "x"
    assert list(ours) == list(theirs) and list(reversed(ours)) == list(reversed(theirs))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert isinstance(ours["z"], nn.Parameter)
    c = ours.copy()
    assert c["z"] is ours["z"] and list(c.keys()) == list(ours.keys())
    merged = ours | nn.ParameterDict({"q": ag.zeros(1)})
    merged_t = theirs | torch.nn.ParameterDict({"q": torch.zeros(1)})
    assert list(merged.keys()) == list(merged_t.keys())
    ours |= {"r": ag.zeros(1)}
    assert "r" in ours
    fk = ours.fromkeys(["u", "v"], ag.zeros(2))
    assert list(fk.keys()) == ["u", "v"] and isinstance(fk["u"], nn.Parameter)
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_parameter_dict_errors():
    d, dt = nn.ParameterDict(), torch.nn.ParameterDict()
    for obj in (d, dt):
        with pytest.raises(TypeError, match="cannot be used as a key as it is not a string"):
            obj[1] = None
        with pytest.raises(TypeError, match="should be called with an iterable"):
            obj.update(3)
        with pytest.raises(ValueError, match="has length 3; 2 is required"):
            obj.update([("a", 1, 2)])
        with pytest.raises(TypeError, match="should be Iterable"):
            obj.update([3])
        with pytest.raises(AttributeError, match="no attribute 'missing'"):  # PyTorch's error
            obj.pop("missing")
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        d(ag.zeros(1))
    for obj, mk in ((d, ag.zeros), (dt, torch.zeros)):
        with pytest.raises(KeyError, match="attribute 'keys' already exists"):
            obj["keys"] = mk(1)
        with pytest.raises(KeyError, match='contain "\\."'):
            obj["a.b"] = mk(1)
    assert "keys" not in d and len(d) == 0


def test_parameter_dict_repr():
    ours, theirs = _dicts(_arrays())
    ours["s"] = "text"
    theirs["s"] = "text"
    assert repr(ours) == repr(theirs)
    ours32 = nn.ParameterDict({"w": ag.zeros(2, 3, dtype=ag.float32)})
    theirs32 = torch.nn.ParameterDict({"w": torch.zeros(2, 3)})
    assert repr(ours32) == repr(theirs32)


def test_parameter_dict_load_state_dict_deepcopy_and_to():
    ours, theirs = _dicts(_arrays())
    theirs2 = torch.nn.ParameterDict({k: torch.randn(v.shape, dtype=torch.float64) for k, v in theirs.items()})
    ours.load_state_dict({k: v.numpy() for k, v in theirs2.state_dict().items()})
    for k in ours:
        np.testing.assert_array_equal(ours[k]._data, theirs2[k].detach().numpy())
    c = copy.deepcopy(ours)
    assert list(c.keys()) == list(ours.keys()) and c["a"] is not ours["a"]
    c["new"] = ag.zeros(1)
    assert "new" not in ours
    ours.to(ag.float32)
    assert all(v.dtype == np.float32 for v in ours.values())


def test_parameter_dict_gradients_match_torch():
    arrays = _arrays()
    ours, theirs = _dicts(arrays)
    x = np.random.default_rng(2).standard_normal((2, 2))
    ya = (ag.tensor(x) @ ours["a"]).sum() * ours["b"].sum() + (ours["c"] ** 2).sum()
    yt = (torch.tensor(x) @ theirs["a"]).sum() * theirs["b"].sum() + (theirs["c"] ** 2).sum()
    ya.backward()
    yt.backward()
    for k in ours:
        np.testing.assert_allclose(ours[k].grad._data, theirs[k].grad.numpy(), rtol=1e-12)


def test_module_paths():
    from autograd_lite.nn.modules.container import ParameterDict, ParameterList
    assert ParameterList is nn.ParameterList and ParameterDict is nn.ParameterDict
