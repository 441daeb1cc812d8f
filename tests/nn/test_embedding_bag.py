"""nn.EmbeddingBag and F.embedding_bag against PyTorch: every mode, 2-D input and 1-D
input with offsets (include_last_offset, empty bags), per_sample_weights, padding_idx,
max_norm; values and gradients of the weight and per_sample_weights in float64 and
float32; parameters, state_dict, repr, from_pretrained and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn import functional as F
from nn_helpers import check_module


def _idx(*shape, high=10, seed=0):
    return np.random.default_rng(seed).integers(0, high, shape).astype(np.int64)


OFFS = np.array([0, 3, 3, 7], np.int64)


@pytest.mark.parametrize("kwargs, inputs", [
    ({}, (_idx(4, 5),)),
    ({"mode": "sum"}, (_idx(4, 5),)),
    ({"mode": "max"}, (_idx(4, 5),)),
    ({"mode": "mean"}, (_idx(9), OFFS)),
    ({"mode": "max"}, (_idx(9), OFFS)),
    ({"mode": "sum", "include_last_offset": True}, (_idx(9), np.array([0, 3, 3, 9]))),
    ({"mode": "max", "include_last_offset": True}, (_idx(9), np.array([0, 5, 9]))),
    ({"mode": "sum"}, (_idx(9), OFFS, np.random.default_rng(3).standard_normal(9))),
    ({"mode": "mean", "padding_idx": 2}, (_idx(9, high=4), OFFS)),
    ({"mode": "max", "padding_idx": -1}, (_idx(4, 5, high=4, seed=2),)),
    ({"mode": "sum", "padding_idx": 0}, (_idx(9, high=3), OFFS, np.random.default_rng(3).standard_normal(9))),
    ({"mode": "mean", "scale_grad_by_freq": True}, (np.array([[0, 1, 2, 3], [3, 2, 1, 0]]),)),  # equal counts
    ({}, (np.zeros((0, 3), np.int64),)),  # an empty batch
])
def test_module_matches_torch(kwargs, inputs):
    check_module(lambda: nn.EmbeddingBag(10, 3, **kwargs), lambda: torch.nn.EmbeddingBag(10, 3, **kwargs),
                 *inputs)


def _without_offsets(lib, bag):
    """bag(x, None, per_sample_weights) as a two-input module."""
    class NoOffsets(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.bag = bag

        def forward(self, x, psw):
            return self.bag(x, None, psw)

    return NoOffsets()


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_2d_input_with_per_sample_weights(padding_idx):
    psw = np.random.default_rng(3).standard_normal((3, 4))
    check_module(lambda: _without_offsets(ag, nn.EmbeddingBag(10, 3, mode="sum", padding_idx=padding_idx)),
                 lambda: _without_offsets(torch, torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=padding_idx)),
                 _idx(3, 4, high=4), psw)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_max_norm_renormalises_the_weight_as_torch(mode):
    x, offs = _idx(9), OFFS
    for dtype, tdtype in ((ag.float64, torch.float64), (ag.float32, torch.float32)):
        torch.manual_seed(0)
        theirs = torch.nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=1.5, mode=mode).to(tdtype)
        ours = nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=1.5, mode=mode).to(dtype)
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        y, yt = ours(ag.tensor(x), ag.tensor(offs)), theirs(torch.tensor(x), torch.tensor(offs))
        tol = 1e-6 if dtype == ag.float32 else 1e-12
        np.testing.assert_allclose(y._data, yt.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(ours.weight._data, theirs.weight.detach().numpy(), rtol=tol, atol=tol)
        y.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(ours.weight.grad._data, theirs.weight.grad.numpy(), rtol=tol, atol=tol)


def test_max_mode_ties_follow_torch():
    w = np.array([[1.0, 2.0], [1.0, 5.0], [3.0, 5.0], [3.0, 0.0]])
    x = np.array([0, 1, 2, 3, 2, 1], np.int64)
    offs = np.array([0, 4], np.int64)
    wa, wt = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.embedding_bag(ag.tensor(x), wa, ag.tensor(offs), mode="max")
    yt = torch.nn.functional.embedding_bag(torch.tensor(x), wt, torch.tensor(offs), mode="max")
    np.testing.assert_array_equal(y._data, yt.detach().numpy())
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(wa.grad._data, wt.grad.numpy())


def test_include_last_offset_ends_the_last_bag_there():
    """CSR semantics: indices past offsets[-1] belong to no bag. (PyTorch 2.13 agrees
    when the weight doesn't require grad and adds them to the last bag when it does.)"""
    w = ag.arange(20.0).reshape(10, 2)
    y = F.embedding_bag(ag.tensor(np.arange(6)), w, ag.tensor(np.array([0, 2, 4])), mode="sum",
                        include_last_offset=True)
    yt = torch.nn.functional.embedding_bag(torch.arange(6), torch.arange(20.0).reshape(10, 2),
                                           torch.tensor([0, 2, 4]), mode="sum", include_last_offset=True)
    np.testing.assert_array_equal(y._data, yt.numpy())
    np.testing.assert_array_equal(y._data, [[2, 4], [10, 12]])


def test_scale_grad_by_freq_divides_by_each_rows_count():
    """The documented rule (as F.embedding's): PyTorch 2.13's CPU kernel divides by the
    smallest index's count instead, so this is checked against embedding + a sum."""
    x = np.array([[0, 1, 1, 2], [2, 2, 1, 0], [0, 0, 0, 1]])
    w = ag.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    w2 = ag.tensor(w._data.copy(), requires_grad=True)
    F.embedding_bag(ag.tensor(x), w, mode="sum", scale_grad_by_freq=True).sum().backward()
    F.embedding(ag.tensor(x), w2, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad._data, w2.grad._data, rtol=1e-12)
    np.testing.assert_allclose(w.grad._data[:, 0], [1, 1, 1, 0])


def test_second_derivatives():
    w = ag.tensor(np.random.default_rng(0).standard_normal((6, 3)), requires_grad=True)
    psw = ag.tensor(np.random.default_rng(1).standard_normal(7), requires_grad=True)
    x, offs = ag.tensor(_idx(7, high=6)), ag.tensor(np.array([0, 2, 5]))
    assert ag.autograd.gradcheck(lambda w, p: F.embedding_bag(x, w, offs, mode="sum", per_sample_weights=p),
                                 (w, psw))
    assert ag.autograd.gradgradcheck(
        lambda w, p: F.embedding_bag(x, w, offs, mode="sum", per_sample_weights=p) ** 2, (w, psw))
    assert ag.autograd.gradcheck(lambda w: F.embedding_bag(x, w, offs, mode="max"), (w,))
    assert ag.autograd.gradcheck(lambda w: F.embedding_bag(x, w, offs, padding_idx=1), (w,))


def test_parameters_state_dict_repr_and_from_pretrained():
    for kwargs in [{}, {"mode": "sum", "padding_idx": -2}, {"max_norm": 1.0, "norm_type": 1.0,
                                                            "scale_grad_by_freq": True, "mode": "max"}]:
        torch.manual_seed(0)
        a, t = nn.EmbeddingBag(5, 3, **kwargs), torch.nn.EmbeddingBag(5, 3, **kwargs)
        assert repr(a) == repr(t)
        assert list(a.state_dict()) == list(t.state_dict()) == ["weight"]
        assert tuple(a.weight.shape) == (5, 3) and a.weight.dtype == np.float32
        assert (a.padding_idx, a.mode, a.include_last_offset, a.sparse) == \
               (t.padding_idx, t.mode, t.include_last_offset, t.sparse)
        if a.padding_idx is not None:
            assert not np.any(a.weight._data[a.padding_idx])
    emb = np.random.default_rng(0).standard_normal((4, 2))
    a = nn.EmbeddingBag.from_pretrained(ag.tensor(emb), mode="sum")
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(emb), mode="sum")
    assert a.weight.requires_grad == t.weight.requires_grad is False
    x = np.array([[0, 3], [1, 1]])
    np.testing.assert_allclose(a(ag.tensor(x))._data, t(torch.tensor(x)).numpy())
    assert nn.EmbeddingBag.from_pretrained(ag.tensor(emb), freeze=False).weight.requires_grad
    from autograd_lite.nn.modules.sparse import EmbeddingBag
    assert EmbeddingBag is nn.EmbeddingBag


def test_errors_name_the_function_and_problem():
    w = ag.zeros(5, 3)
    x1, x2 = ag.tensor(np.array([0, 1, 2])), ag.tensor(np.array([[0, 1], [2, 3]]))
    with pytest.raises(ValueError, match="embedding_bag: if input is 2D, then offsets has to be None"):
        F.embedding_bag(x2, w, ag.tensor(np.array([0])))
    with pytest.raises(ValueError, match="embedding_bag: offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(x1, w)
    with pytest.raises(ValueError, match="embedding_bag: input has to be 1D or 2D"):
        F.embedding_bag(ag.zeros(1, 1, 1, dtype=ag.int64), w)
    with pytest.raises(ValueError, match="embedding_bag: mode has to be one of sum, mean or max"):
        F.embedding_bag(x2, w, mode="min")
    with pytest.raises(ValueError, match="max mode does not support scaling the gradient"):
        F.embedding_bag(x2, w, mode="max", scale_grad_by_freq=True)
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(x2, w, per_sample_weights=ag.ones(2, 2))
    with pytest.raises(ValueError, match="must have the same shape as the input"):
        F.embedding_bag(x2, w, mode="sum", per_sample_weights=ag.ones(4))
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        F.embedding_bag(x1, w, ag.tensor(np.array([1, 2])))
    with pytest.raises(RuntimeError, match="offsets\\[-1\\] can not be greater than input's length 3"):
        F.embedding_bag(x1, w, ag.tensor(np.array([0, 4])))
    with pytest.raises(RuntimeError, match="offsets must be non-decreasing"):
        F.embedding_bag(x1, w, ag.tensor(np.array([0, 2, 1])))
    with pytest.raises(RuntimeError, match="embedding_bag: index 7 is out of range"):
        F.embedding_bag(ag.tensor(np.array([[0, 7]])), w)
    with pytest.raises(RuntimeError, match="padding_idx must be within the number of embeddings, -5 through 4"):
        F.embedding_bag(x2, w, padding_idx=5)
    with pytest.raises(TypeError, match="embedding_bag: expected input of an integer dtype"):
        F.embedding_bag(ag.zeros(2, 2), w)
    with pytest.raises(ValueError, match="embedding_bag: weight has to be a 2D Tensor"):
        F.embedding_bag(x2, ag.zeros(5))
    with pytest.raises(NotImplementedError, match="EmbeddingBag: sparse gradients are not supported"):
        nn.EmbeddingBag(5, 3, sparse=True)
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(5, 3, padding_idx=5)
