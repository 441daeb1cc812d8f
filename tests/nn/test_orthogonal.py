"""nn.utils.parametrizations.orthogonal against PyTorch: every map, with and without
trivialization, square, wide and tall weights; values and gradients of the original
(float64 and float32), state_dict keys (the `base` buffer), assignment and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.utils._orthogonal import householder_product, matrix_exp
from nn_helpers import check_module


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CASES = [
    ((4, 4), {}),  # matrix_exp
    ((3, 5), {}),  # householder (wide)
    ((5, 3), {}),  # householder (tall)
    ((4, 4), {"orthogonal_map": "cayley"}),
    ((3, 5), {"orthogonal_map": "matrix_exp"}),
    ((5, 3), {"orthogonal_map": "cayley"}),
    ((4, 4), {"orthogonal_map": "householder"}),
    ((5, 3), {"use_trivialization": False}),
    ((4, 4), {"use_trivialization": False}),
    ((3, 5), {"orthogonal_map": "cayley", "use_trivialization": False}),
]


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_orthogonal_linear_matches_torch(shape, kwargs):
    def make(lib):
        return lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(shape[1], shape[0]), **kwargs)

    check_module(lambda: make(ag), lambda: make(torch), _x(6, shape[1]), steps=2)
    a, t = make(ag), make(torch)
    assert list(a.state_dict()) == list(t.state_dict())
    assert repr(a) == repr(t)
    w = a.weight._data.astype(np.float64)
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_assigning_an_orthogonal_matrix(shape):
    a = nn.utils.parametrizations.orthogonal(nn.Linear(shape[1], shape[0]).double())
    t = torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(shape[1], shape[0]).double())
    q = np.linalg.qr(_x(max(shape), max(shape), seed=3))[0][:shape[0], :shape[1]]
    if shape[0] > shape[1]:
        q = np.linalg.qr(_x(*shape, seed=3))[0]
    a.weight = ag.tensor(q)
    t.weight = torch.tensor(q)
    np.testing.assert_allclose(a.weight._data, t.weight.detach().numpy(), atol=1e-12)
    if shape[0] == shape[1]:
        np.testing.assert_allclose(a.weight._data, q, atol=1e-12)
    np.testing.assert_array_equal(a.parametrizations.weight.original._data,
                                  t.parametrizations.weight.original.detach().numpy())


def test_batched_weights_and_helpers():
    a = _x(2, 4, 4, seed=1) * 3
    np.testing.assert_allclose(matrix_exp(ag.tensor(a))._data, torch.matrix_exp(torch.tensor(a)).numpy(),
                               rtol=1e-12, atol=1e-12)
    h, tau = _x(2, 5, 3, seed=2), _x(2, 3, seed=3)
    np.testing.assert_allclose(householder_product(ag.tensor(h), ag.tensor(tau))._data,
                               torch.linalg.householder_product(torch.tensor(h), torch.tensor(tau)).numpy(),
                               atol=1e-13)
    x = ag.tensor(_x(3, 3, seed=4) * 0.5, requires_grad=True)
    assert ag.autograd.gradcheck(matrix_exp, (x,))
    hh, tt = ag.tensor(h[0], requires_grad=True), ag.tensor(tau[0], requires_grad=True)
    assert ag.autograd.gradcheck(householder_product, (hh, tt))

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ag.tensor(_x(2, 4, 3, seed=5)))

    m = nn.utils.parametrizations.orthogonal(Holder(), "w")
    w = m.w._data
    np.testing.assert_allclose(np.swapaxes(w, -2, -1) @ w, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)


def test_errors():
    orth = nn.utils.parametrizations.orthogonal
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        orth(nn.Linear(2, 2), "nope")
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions"):
        orth(nn.Linear(2, 2), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
        orth(nn.Linear(2, 2), orthogonal_map="qr")
    m = orth(nn.Linear(3, 3), use_trivialization=False)
    with pytest.raises(NotImplementedError, match="not possible to assign to the matrix exponential"):
        m.weight = ag.eye(3)
    m2 = orth(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        m2.parametrizations.weight[0].right_inverse(ag.eye(2))
