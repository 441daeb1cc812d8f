"""Python's pickle and copy on tensors, parameters, modules and optimizers, side by side
with PyTorch: what survives (values, dtype, requires_grad, sharing, attributes) and
what doesn't (the graph, .grad in a pickle)."""
import copy
import pickle

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn

LIBS = [ag, torch]


def round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


def values(t):
    return np.asarray(t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()) \
        if isinstance(t, torch.Tensor) else np.asarray(t.detach().float().numpy())


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16", "int64", "bool"])
def test_leaf_round_trip(lib, dtype):
    x = lib.arange(6).reshape(2, 3).to(getattr(lib, dtype))
    y = round_trip(x)
    assert y.dtype == x.dtype and tuple(y.shape) == (2, 3) and not y.requires_grad
    np.testing.assert_array_equal(values(y), values(x))
    y[0, 0] = 1  # a copy: the original keeps its value
    assert values(x)[0, 0] == 0


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_graph_and_grad_are_not_pickled(lib):
    x = lib.ones(3, requires_grad=True)
    x.grad = lib.full((3,), 2.0)
    y = x * 2
    lx, ly = round_trip(x), round_trip(y)
    assert lx.requires_grad and lx.is_leaf and lx.grad is None
    assert ly.requires_grad and ly.is_leaf and ly.grad_fn is None  # a non-leaf comes back a leaf
    np.testing.assert_array_equal(values(ly), [2, 2, 2])
    ly.sum().backward()
    np.testing.assert_array_equal(values(ly.grad), [1, 1, 1])


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_views_round_trip(lib):
    """Values and strides as PyTorch's. autograd_lite also keeps the sharing: PyTorch
    2.13's plain pickle stores each view's whole storage again and loads them apart
    (its deepcopy and torch.save share)."""
    base = lib.arange(12.0).reshape(3, 4)
    views = [base.t()[1:, 1:], base[1], base.reshape(12)[::5], base.expand(2, 3, 4)]
    loaded = round_trip([base] + views)
    for original, view in zip(views, loaded[1:]):
        np.testing.assert_array_equal(values(view), values(original))
        assert tuple(view.stride()) == tuple(original.stride())
    alone = round_trip(base[1])  # a view pickled without its base
    np.testing.assert_array_equal(values(alone), [4, 5, 6, 7])
    if lib is torch:
        return
    loaded[1][0, 0] = 100  # base[1, 1] through the transposed view
    loaded[2][3] = -1  # base[1, 3]
    np.testing.assert_array_equal(values(loaded[0])[1], [4, 100, 6, -1])
    assert values(loaded[4])[1, 1, 1] == 100


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_parameter_keeps_class_flag_and_attributes(lib):
    p = lib.nn.Parameter(lib.ones(2), requires_grad=False)
    p.no_decay = True
    q = round_trip(p)
    assert type(q) is lib.nn.Parameter and not q.requires_grad and q.no_decay
    same = round_trip([p, p])
    assert same[0] is same[1]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_module_and_optimizer_round_trip(dtype):
    def build(lib):
        lib.manual_seed(0)
        first = lib.nn.Linear(3, 3)
        second = lib.nn.Linear(3, 3)
        second.weight = first.weight  # tied
        model = lib.nn.Sequential(first, lib.nn.Tanh(), second, lib.nn.LSTM(3, 4, batch_first=True))
        return model.to(getattr(lib, dtype))

    ours, ref = build(ag), build(torch)
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(dtype)
    for lib, model in ((ag, ours), (torch, ref)):
        opt = lib.optim.Adam(model.parameters(), lr=0.1)
        model(lib.tensor(x))[0].sum().backward()
        opt.step()
        model2, opt2 = round_trip([model, opt])
        assert model2[0].weight is model2[2].weight
        assert opt2.param_groups[0]["params"][0] is model2[0].weight
        assert len(opt2.state) == len(opt.state)
        out, out2 = model(lib.tensor(x))[0], model2(lib.tensor(x))[0]
        np.testing.assert_array_equal(values(out2), values(out))
    np.testing.assert_allclose(values(round_trip(ours)(ag.tensor(x))[0]), values(ref(torch.tensor(x))[0]),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_deepcopy(lib):
    x = lib.ones(3, requires_grad=True)
    x.grad = lib.full((3,), 2.0)
    d = copy.deepcopy(x)
    assert d.requires_grad and d.is_leaf and d.grad is not x.grad
    np.testing.assert_array_equal(values(d.grad), [2, 2, 2])
    base = lib.arange(6.0)
    a, b = copy.deepcopy([base, base[2:]])
    b[0] = 9
    assert values(a)[2] == 9 and values(base)[2] == 2
    with pytest.raises(RuntimeError, match="leaves"):
        copy.deepcopy(x * 2)


@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_shallow_copy_shares_memory(lib):
    x = lib.zeros(3)
    y = copy.copy(x)
    y[0] = 5
    assert values(x)[0] == 5


@pytest.mark.filterwarnings("ignore:Sparse invariant checks")
@pytest.mark.parametrize("lib", LIBS, ids=["ag", "torch"])
def test_sparse_round_trip(lib):
    """As PyTorch's, except that a sparse leaf keeps `requires_grad` as a dense one does
    (PyTorch 2.13's sparse pickle drops it)."""
    s = lib.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [3.0, 4.0, 5.0], (2, 3))
    for t in (round_trip(s), copy.deepcopy(s)):
        assert t.is_sparse and not t.is_coalesced()
        np.testing.assert_array_equal(values(t.to_dense()), values(s.to_dense()))
    assert round_trip(s.coalesce()).is_coalesced()
    leaf = lib.sparse_coo_tensor([[0]], [1.0], (2,), requires_grad=True)
    assert round_trip(leaf).requires_grad == (lib is ag)


def test_library_format_still_refuses_pickles(tmp_path):
    """Pickling is Python's, chosen by the user; ag.load never unpickles."""
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps(nn.Linear(2, 2)))
    with pytest.raises(ag.serialization.SerializationError):
        ag.load(path)
