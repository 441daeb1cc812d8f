"""Triangles and diagonals beyond the op table's samples: diagonal() is a writable
view (PyTorch's is), the error cases, and tril_indices' arguments."""
import numpy as np
import pytest
import torch

import autograd_lite as ag


def test_diagonal_is_a_writable_view_of_its_input():
    a = ag.zeros(3, 4)
    version = a._version
    a.diagonal().fill_(1.0)
    a.diagonal(1).add_(5.0)
    expected = torch.zeros(3, 4)
    expected.diagonal().fill_(1.0)
    expected.diagonal(1).add_(5.0)
    np.testing.assert_array_equal(a.numpy(), expected.numpy())
    assert a._version > version  # views share the version counter


def test_diagonal_of_a_transposed_view_writes_through():
    a = ag.zeros(3, 3)
    a.t().diagonal(1).fill_(2.0)
    t = torch.zeros(3, 3)
    t.t().diagonal(1).fill_(2.0)
    np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_diagonal_of_an_expanded_tensor_is_read_only():
    e = ag.ones(3).expand(3, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        e.diagonal().fill_(2.0)


def test_a_saved_diagonal_changed_in_place_is_caught():
    x = ag.randn(3, 3, requires_grad=True)
    d = (x * 1).diagonal()
    y = d * d
    with ag.no_grad():
        d.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_diag_is_a_copy_and_diag_embed_differentiates_twice():
    a = ag.arange(9.0).reshape(3, 3)
    d = ag.diag(a)
    d.fill_(0.0)
    assert a[1, 1].item() == 4.0
    x = ag.randn(2, 3, dtype=ag.float64, requires_grad=True)
    assert ag.autograd.gradgradcheck(lambda t: ag.diag_embed(t, 1) ** 2, [x])


@pytest.mark.parametrize("call, error, match", [
    (lambda: ag.tril(ag.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda: ag.triu(ag.tensor(1.0)), RuntimeError, "at least 2 dimensions"),
    (lambda: ag.diag(ag.ones(2, 2, 2)), RuntimeError, "1D or 2D"),
    (lambda: ag.diag(ag.tensor(1.0)), RuntimeError, "1D or 2D"),
    (lambda: ag.diagonal(ag.ones(3, 3), 0, 1, 1), RuntimeError, "cannot be identical"),
    (lambda: ag.diagonal(ag.ones(3)), IndexError, "at least 2 dims"),
    (lambda: ag.diagonal(ag.ones(3, 3), 0, 0, 2), IndexError, "out of range"),
    (lambda: ag.diag_embed(ag.ones(3), 0, 0, -2), RuntimeError, "cannot be identical"),
    (lambda: ag.trace(ag.ones(2, 2, 2)), RuntimeError, "expected a matrix"),
    (lambda: ag.trace(ag.ones(2, 2, dtype=ag.bool)), NotImplementedError, "bool"),
    (lambda: ag.tril_indices(-1, 3), RuntimeError, "row must be non-negative"),
    (lambda: ag.triu_indices(3, -2), RuntimeError, "col must be non-negative"),
    (lambda: ag.tril_indices(3, 3, dtype=ag.float32), NotImplementedError, "integer dtype"),
    (lambda: ag.tril_indices(3, 3, device="cuda"), RuntimeError, "tril_indices"),
])
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_tril_triu_keep_integer_and_bool_dtypes_and_work_in_place():
    m = ag.ones(3, 3, dtype=ag.bool)
    assert ag.tril(m).dtype == np.bool_
    x = ag.arange(9).reshape(3, 3)
    assert x.triu_(1) is x
    np.testing.assert_array_equal(x.numpy(), np.triu(np.arange(9).reshape(3, 3), 1))


def test_trace_of_integers_is_int64():
    assert ag.trace(ag.ones(2, 3, dtype=ag.int32)).dtype == np.int64
