"""nn.MLP: structure, PyTorch-compatible state_dict keys, and equality with an
equivalent torch.nn.Sequential."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn


def _torch_equivalent(sizes, activation, dropout, batch_norm):
    acts = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU}
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i == len(sizes) - 2:
            break
        if batch_norm:
            layers.append(torch.nn.BatchNorm1d(b))
        layers.append(acts[activation]())
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_mlp_matches_torch_sequential(activation, batch_norm, dropout):
    sizes = [5, 7, 6, 3]
    torch.manual_seed(0)
    ref = _torch_equivalent(sizes, activation, dropout, batch_norm).double()
    ours = nn.MLP(sizes, activation=activation, dropout=dropout, batch_norm=batch_norm).double()
    assert [k for k in ours.state_dict()] == [k for k in ref.state_dict()]
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in ref.state_dict().values()]
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    ours.eval()
    ref.eval()  # dropout off, batch norm on running statistics: deterministic
    x = np.random.default_rng(1).standard_normal((4, 5))
    xa = ag.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ya, yt = ours(xa), ref(xt)
    np.testing.assert_allclose(ya._data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    ya.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xa.grad._data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_mlp_layout_and_repr():
    m = nn.MLP([4, 8, 2], activation=nn.Tanh, dropout=0.5, batch_norm=True)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    assert isinstance(m, nn.Sequential)
    assert m.sizes == [4, 8, 2]
    assert "(0): Linear(in_features=4, out_features=8, bias=True)" in repr(m)


def test_mlp_activation_instances_are_not_shared():
    m = nn.MLP([3, 4, 4, 2], activation=nn.LeakyReLU(0.2))
    acts = [layer for layer in m if isinstance(layer, nn.LeakyReLU)]
    assert len(acts) == 2 and acts[0] is not acts[1]
    assert acts[0].negative_slope == 0.2


@pytest.mark.parametrize("kwargs, match", [
    (dict(sizes=[3]), "at least two"),
    (dict(sizes=[3, 0, 2]), "positive"),
    (dict(sizes=[3, 2], dropout=1.0), "dropout"),
    (dict(sizes=[3, 4, 2], activation="nope"), "unknown activation"),
])
def test_mlp_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.MLP(**kwargs)
