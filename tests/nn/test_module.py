"""nn.Module's API on real layers, next to an equivalent PyTorch model: parameter,
buffer and module order, train/eval, zero_grad, state_dict loading (strict errors,
size mismatches, NumPy and torch values), apply, dtype casts, hooks, repr, copies."""
import copy

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import check_module, load_from_torch


def make_net(lib):
    n = lib.nn

    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.fc = n.Linear(4, 4, bias=False)  # a bias before BatchNorm gets only rounding noise
            self.norm = n.BatchNorm1d(4)
            self.register_buffer("step", lib.zeros(1))
            self.register_buffer("cache", lib.ones(2), persistent=False)
            self.scale = n.Parameter(lib.ones(4))

        def forward(self, x):
            return lib.tanh(self.norm(self.fc(x))) * self.scale

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.embed = n.Linear(3, 4)
            self.blocks = n.ModuleList([Block(), Block()])
            self.head = n.Sequential(n.Dropout(0.0), n.Linear(4, 2, bias=False))
            self.extra = n.ModuleDict({"ln": n.LayerNorm(2)})

        def forward(self, x):
            x = self.embed(x)
            for b in self.blocks:
                x = b(x)
            return self.extra["ln"](self.head(x))

    return Net()


X = np.random.default_rng(0).standard_normal((5, 3))


@pytest.fixture
def pair():
    ours, theirs = make_net(ag), make_net(torch)
    load_from_torch(ours, theirs)
    return ours, theirs


def test_forward_backward_matches_torch():
    check_module(lambda: make_net(ag), lambda: make_net(torch), lambda s: X * (s + 1), steps=2)


def test_named_parameters_buffers_and_modules_order(pair):
    ours, theirs = pair
    for fn in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [k for k, _ in getattr(ours, fn)()] == [k for k, _ in getattr(theirs, fn)()], fn
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert len(list(ours.buffers())) == len(list(theirs.buffers()))
    assert len(list(ours.children())) == len(list(theirs.children())) == 4
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert [k for k, _ in ours.named_parameters(recurse=False)] == []
    assert [k for k, _ in ours.blocks[0].named_parameters(prefix="b0")] == \
        [k for k, _ in theirs.blocks[0].named_parameters(prefix="b0")]


def test_state_dict_keys_shapes_and_non_persistent_buffers(pair):
    ours, theirs = pair
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    assert all(tuple(sd_o[k].shape) == tuple(sd_t[k].shape) for k in sd_t)
    assert "blocks.0.cache" not in sd_o and "blocks.0.step" in sd_o
    assert not any(v.requires_grad for v in sd_o.values())
    sd_o["embed.weight"]._data[0, 0] = 42.0  # values share memory with the parameters, as PyTorch
    assert ours.embed.weight._data[0, 0] == 42.0


def test_reassigning_keeps_order_as_torch():
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    ours.weight = nn.Parameter(ag.zeros(3, 2))
    theirs.weight = torch.nn.Parameter(torch.zeros(3, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    a, t = make_net(ag), make_net(torch)
    a.embed = nn.Linear(3, 4)
    t.embed = torch.nn.Linear(3, 4)
    a.blocks[0].register_buffer("step", ag.ones(1))
    t.blocks[0].register_buffer("step", torch.ones(1))
    assert list(a.state_dict()) == list(t.state_dict())
    assert [k for k, _ in a.named_modules()] == [k for k, _ in t.named_modules()]


def test_train_eval_propagation(pair):
    ours, _ = pair
    assert ours.training and all(m.training for m in ours.modules())
    assert ours.eval() is ours
    assert not any(m.training for m in ours.modules())
    ours.blocks.train()
    assert ours.blocks[1].norm.training and not ours.training and not ours.head[0].training
    ours.train()
    assert all(m.training for m in ours.modules())
    with pytest.raises(ValueError, match="boolean"):
        ours.train("yes")


def test_eval_mode_output_matches_torch(pair):
    ours, theirs = pair
    ours(ag.tensor(X.astype(np.float32)))  # one training step moves the running stats
    theirs(torch.tensor(X.astype(np.float32)))
    ours.eval()
    theirs.eval()
    x = X.astype(np.float32) * 2
    np.testing.assert_allclose(ours(ag.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_zero_grad(pair):
    ours, _ = pair
    ours(ag.tensor(X.astype(np.float32))).sum().backward()
    assert all(p.grad is not None for p in ours.parameters())
    held = [(p.grad, p.grad._data) for p in ours.parameters()]
    ours.zero_grad(set_to_none=False)
    # in place, as PyTorch: the same tensors and arrays, now zeros
    assert all(p.grad is g and p.grad._data is a and not np.any(a)
               for p, (g, a) in zip(ours.parameters(), held))
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())


def test_requires_grad_(pair):
    ours, _ = pair
    ours.embed.requires_grad_(False)
    ours(ag.tensor(X.astype(np.float32))).sum().backward()
    assert ours.embed.weight.grad is None and ours.blocks[0].fc.weight.grad is not None


# ---- load_state_dict --------------------------------------------------------------------------
def test_load_state_dict_accepts_numpy_torch_and_ours(pair):
    ours, theirs = pair
    x = ag.tensor(X.astype(np.float32))
    ours.eval()
    theirs.eval()
    want = theirs(torch.tensor(X.astype(np.float32))).detach().numpy()
    np.testing.assert_allclose(ours(x)._data, want, rtol=1e-5, atol=1e-6)
    fresh = make_net(ag).eval()
    fresh.load_state_dict(theirs.state_dict())  # torch tensors directly
    np.testing.assert_allclose(fresh(x)._data, want, rtol=1e-5, atol=1e-6)
    other = make_net(ag).eval()
    other.load_state_dict(fresh.state_dict())  # our own tensors
    np.testing.assert_allclose(other(x)._data, want, rtol=1e-5, atol=1e-6)
    assert other.blocks[0].norm.num_batches_tracked.dtype == np.int64


def test_load_state_dict_strict_errors_list_missing_and_unexpected(pair):
    ours, theirs = pair
    sd = {k: v.numpy() for k, v in theirs.state_dict().items()}
    del sd["head.1.weight"]
    del sd["blocks.1.norm.running_var"]
    sd["head.1.bias"] = np.zeros(2)
    sd["bogus"] = np.zeros(1)
    with pytest.raises(RuntimeError) as ei:
        ours.load_state_dict(sd)
    msg = str(ei.value)
    assert "Missing key(s)" in msg and "Unexpected key(s)" in msg
    assert msg.index("Missing") < msg.index("Unexpected")  # PyTorch's order
    for k in ("head.1.weight", "blocks.1.norm.running_var", "head.1.bias", "bogus"):
        assert f'"{k}"' in msg
    result = ours.load_state_dict(sd, strict=False)
    want = make_net(torch).load_state_dict({k: torch.tensor(v) for k, v in sd.items()}, strict=False)
    assert sorted(result.missing_keys) == sorted(want.missing_keys)
    assert sorted(result.unexpected_keys) == sorted(want.unexpected_keys)


def test_load_state_dict_size_mismatch(pair):
    ours, theirs = pair
    sd = {k: v.numpy() for k, v in theirs.state_dict().items()}
    before = ours.embed.bias._data.copy()
    sd["embed.weight"] = np.zeros((5, 3))
    sd["embed.bias"] = np.full(4, 7.0)
    with pytest.raises(RuntimeError, match=r"size mismatch for embed\.weight.*\(5, 3\).*\(4, 3\)"):
        ours.load_state_dict(sd)
    np.testing.assert_array_equal(ours.embed.bias._data, before)  # nothing was loaded
    with pytest.raises(RuntimeError, match="size mismatch"):
        ours.load_state_dict(sd, strict=False)


def test_load_state_dict_keeps_dtype_and_objects():
    m = nn.Linear(2, 2)
    w = m.weight
    m.load_state_dict({"weight": np.ones((2, 2), np.float64), "bias": [1.0, 2.0]})
    assert m.weight is w and w.dtype == np.float32 and w.requires_grad
    np.testing.assert_array_equal(m.bias._data, [1.0, 2.0])


# ---- apply, casts, hooks ----------------------------------------------------------------------------
def test_apply_visits_children_first_like_torch(pair):
    ours, theirs = pair
    seen_o, seen_t = [], []
    assert ours.apply(lambda m: seen_o.append(type(m).__name__)) is ours
    theirs.apply(lambda m: seen_t.append(type(m).__name__))
    assert seen_o == seen_t

    def init_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    ours.apply(init_linear)
    assert np.all(ours.blocks[1].fc.weight._data == 0.5) and np.all(ours.head[1].weight._data == 0.5)


def test_to_double_float(pair):
    ours, _ = pair
    w = ours.embed.weight
    assert ours.to(ag.float64) is ours
    assert all(p.dtype == np.float64 for p in ours.parameters())
    assert ours.blocks[0].norm.running_mean.dtype == np.float64
    assert ours.blocks[0].norm.num_batches_tracked.dtype == np.int64  # integer buffers stay
    assert ours.embed.weight is w  # the same Parameter objects (optimizers keep working)
    y = ours(ag.tensor(X))
    assert y.dtype == np.float64
    ours.float()
    assert all(p.dtype == np.float32 for p in ours.parameters())
    ours.double()
    assert all(b.dtype in (np.float64, np.int64) for b in ours.buffers())
    ours.to("cpu")
    ours.to(ag.zeros(1, dtype=ag.float32))
    assert ours.embed.weight.dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        ours.to(ag.int64)


def test_forward_hooks():
    m = nn.Linear(3, 2)
    calls = []

    def pre(mod, args):
        calls.append("pre")
        return (args[0] * 2,)

    def post(mod, args, out):
        calls.append("post")
        assert mod is m
        return out + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    x = ag.ones(1, 3)
    y = m(x)
    base = (2 * x._data) @ m.weight._data.T + m.bias._data
    np.testing.assert_allclose(y._data, base + 1, rtol=1e-6)
    assert calls == ["pre", "post"]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(m(x)._data, x._data @ m.weight._data.T + m.bias._data, rtol=1e-6)
    assert calls == ["pre", "post"]


def test_forward_hook_sees_intermediate_activations(pair):
    ours, _ = pair
    acts = {}
    for name, mod in ours.named_modules():
        if isinstance(mod, nn.BatchNorm1d):
            mod.register_forward_hook(lambda m, a, out, name=name: acts.__setitem__(name, out.shape))
    ours(ag.tensor(X.astype(np.float32)))
    assert acts == {"blocks.0.norm": (5, 4), "blocks.1.norm": (5, 4)}


def test_repr_of_nested_model_equals_torch(pair):
    ours, theirs = pair
    assert repr(ours) == repr(theirs)


def test_deepcopy_gives_independent_model(pair):
    ours, _ = pair
    ours(ag.tensor(X.astype(np.float32))).sum().backward()
    twin = copy.deepcopy(ours)
    assert list(twin.state_dict()) == list(ours.state_dict())
    assert all(type(p) is nn.Parameter and p.requires_grad for p in twin.parameters())
    for (k, a), b in zip(ours.named_parameters(), twin.parameters()):
        assert a is not b and np.array_equal(a._data, b._data), k
        np.testing.assert_array_equal(a.grad._data, b.grad._data)
    twin.embed.weight._data[:] = 0
    assert np.any(ours.embed.weight._data != 0)
    x = ag.tensor(X.astype(np.float32))
    np.testing.assert_allclose(copy.deepcopy(ours).eval()(x)._data, ours.eval()(x)._data)


def test_attribute_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        m.nope
    with pytest.raises(TypeError, match="Parameter or None"):
        m.weight = ag.ones(2, 2)
    m.bias = None
    assert "bias" not in m.state_dict()
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("forward", ag.ones(1))
    with pytest.raises(TypeError):
        m.add_module("x", "not a module")
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(ag.ones(1))
    del m.weight
    assert "weight" not in m.state_dict()


def test_get_submodule_and_parameter(pair):
    ours, _ = pair
    assert ours.get_submodule("blocks.1.fc") is ours.blocks[1].fc
    assert ours.get_parameter("blocks.1.scale") is ours.blocks[1].scale
    with pytest.raises(AttributeError):
        ours.get_submodule("blocks.7")
