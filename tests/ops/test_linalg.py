"""Matrix products beyond the op table (autograd_lite/ops/table/linalg.py, run by
tests/ops/test_op_table.py): gradients of one operand only, a tensor used twice,
NumPy and constant operands, second derivatives against PyTorch, the reflected `@`,
and shape errors naming the op and both shapes."""
import re

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare, gradcheck, randn

def _pair(shapes, seed):
    rng = np.random.default_rng(seed)
    return randn(*shapes[0], rng=rng), randn(*shapes[1], rng=rng)


def test_matmul_grad_of_one_operand_only():
    a, b = _pair(((2, 1, 3, 4), (5, 4, 2)), 2)
    for k in range(2):
        ag_in = [ag.tensor(a), ag.tensor(b)]
        t_in = [torch.tensor(a), torch.tensor(b)]
        ag_in[k].requires_grad_()
        t_in[k].requires_grad_()
        (ag_in[0] @ ag_in[1]).sum().backward()
        (t_in[0] @ t_in[1]).sum().backward()
        np.testing.assert_allclose(ag_in[k].grad._data, t_in[k].grad.numpy(), rtol=1e-10)
        assert ag_in[1 - k].grad is None


def test_matmul_same_tensor_twice():
    a = randn(3, 3, seed=3)
    compare(lambda lib, x: x @ x @ x.mT, a)
    gradcheck(lambda x: x @ x, a, second_order=True)


def test_matmul_operand_not_requiring_grad_and_ndarray():
    a, b = _pair(((2, 3), (3, 4)), 4)
    compare(lambda lib, x: x @ lib.tensor(b, dtype=x.dtype), a)
    compare(lambda lib, x: lib.tensor(b.T, dtype=x.dtype) @ x.T, a)


def test_matmul_second_order_matches_torch():
    """A Hessian-vector product through a two-layer product, against torch."""
    rng = np.random.default_rng(6)
    a, w, v = randn(2, 3, rng=rng), randn(3, 3, rng=rng), randn(3, 3, rng=rng)

    def hvp(lib):
        W = lib.tensor(w, requires_grad=True)
        y = ((lib.tensor(a) @ W).tanh() @ W).sum()
        (g,) = lib.autograd.grad(y, W, create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(v)).sum(), W)
        return h.detach().numpy()

    np.testing.assert_allclose(hvp(ag), hvp(torch), rtol=1e-10, atol=1e-12)


# ---- einsum -------------------------------------------------------------------------------
def _operands(shapes, seed):
    rng = np.random.default_rng(seed)
    return [randn(*s, rng=rng) for s in shapes]


def test_einsum_sublist_form_like_torch():
    """einsum(a, [0, 1], b, [1, 2]): subscripts as numbers (0-25 sort before 26-51 in the
    implicit output, as PyTorch's), an optional output sublist, Ellipsis."""
    a, b, c = _operands([(2, 3), (3, 4), (5, 2, 3)], 29)
    compare(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2]), a, b)
    compare(lambda lib, x, y: lib.einsum(x, [30, 1], y, [1, 2]), a, b)
    compare(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [2, 0]), a, b)
    compare(lambda lib, x: lib.einsum(x, [Ellipsis, 0, 1], [Ellipsis, 1, 0]), c)
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="valid range"):
            lib.einsum(lib.ones(2, 3), [0, 60])


def test_einsum_same_operand_twice():
    (a,) = _operands([(3, 3)], 23)
    compare(lambda lib, x: lib.einsum("ij,jk->ik", x, x), a)
    compare(lambda lib, x: lib.einsum("ij,ij->", x, x), a)


# ---- the @ operator -----------------------------------------------------------------------
def test_matmul_operator_and_reflected():
    a, b = _pair(((2, 3), (3, 2)), 24)
    compare(lambda lib, x, y: (x @ y, y @ x, x.__matmul__(y), y.__rmatmul__(x)), a, b)


# ---- shape errors name the op and both shapes ---------------------------------------------
def _shape_pattern(*shapes):
    return "".join(f"(?=.*{re.escape(str(tuple(s)))})" for s in shapes)


ERROR_CASES = {
    "matmul 2d": ("matmul", lambda lib, x, y: lib.matmul(x, y), (2, 3), (4, 5)),
    "matmul 1d": ("matmul", lambda lib, x, y: lib.matmul(x, y), (3,), (4,)),
    "matmul 2d@1d": ("matmul", lambda lib, x, y: lib.matmul(x, y), (2, 3), (4,)),
    "matmul 1d@2d": ("matmul", lambda lib, x, y: lib.matmul(x, y), (3,), (4, 2)),
    "matmul batch": ("matmul", lambda lib, x, y: lib.matmul(x, y), (2, 3, 4), (3, 4, 5)),
    "operator": ("matmul", lambda lib, x, y: x @ y, (2, 3), (2, 3)),
    "mm inner": ("mm", lambda lib, x, y: lib.mm(x, y), (2, 3), (4, 5)),
    "mm rank": ("mm", lambda lib, x, y: lib.mm(x, y), (2, 3), (3,)),
    "bmm inner": ("bmm", lambda lib, x, y: lib.bmm(x, y), (2, 3, 4), (2, 5, 6)),
    "bmm batch": ("bmm", lambda lib, x, y: lib.bmm(x, y), (2, 3, 4), (3, 4, 5)),
    "bmm rank": ("bmm", lambda lib, x, y: lib.bmm(x, y), (3, 4), (4, 5)),
    "dot": ("dot", lambda lib, x, y: lib.dot(x, y), (3,), (4,)),
    "dot rank": ("dot", lambda lib, x, y: lib.dot(x, y), (3, 1), (3,)),
    "outer rank": ("outer", lambda lib, x, y: lib.outer(x, y), (3, 1), (3,)),
    "inner": ("inner", lambda lib, x, y: lib.inner(x, y), (2, 3), (3, 2)),
    "einsum": ("einsum", lambda lib, x, y: lib.einsum("ij,jk->ik", x, y), (2, 3), (4, 5)),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_shape_errors(case):
    op, fn, sa, sb = ERROR_CASES[case]
    a, b = np.zeros(sa), np.zeros(sb)
    with pytest.raises(RuntimeError):
        fn(torch, torch.tensor(a), torch.tensor(b))
    with pytest.raises(RuntimeError) as info:
        fn(ag, ag.tensor(a), ag.tensor(b))
    msg = str(info.value)
    assert re.match(rf"{op}\b", msg) or f"{op}:" in msg or f"{op}(" in msg, msg
    assert re.search(_shape_pattern(sa, sb), msg, re.S), msg


def test_matmul_0d_raises():
    with pytest.raises(RuntimeError):
        torch.matmul(torch.tensor(1.0), torch.ones(3))
    with pytest.raises(RuntimeError, match="matmul"):
        ag.matmul(ag.tensor(1.0), ag.ones(3))


def test_einsum_subscript_count_mismatch_raises():
    with pytest.raises(RuntimeError, match="einsum"):
        ag.einsum("ij,jk->ik", ag.ones(2, 3))
    with pytest.raises(RuntimeError, match="einsum"):
        ag.einsum("ijk->i", ag.ones(2, 3))
