"""Matrix products compared with PyTorch: matmul for every rank combination, mm, bmm,
dot, outer, einsum and `@`, with gradcheck/gradgradcheck and shape errors."""
import re

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare, gradcheck, randn

MATMUL_SHAPES = {
    "1d@1d": ((3,), (3,)),
    "1d@2d": ((3,), (3, 2)),
    "2d@1d": ((2, 3), (3,)),
    "2d@2d": ((2, 3), (3, 4)),
    "3d@3d": ((2, 3, 4), (2, 4, 2)),
    "3d@2d": ((2, 3, 4), (4, 2)),
    "2d@3d": ((3, 4), (2, 4, 2)),
    "3d@1d": ((2, 3, 4), (4,)),
    "1d@3d": ((4,), (2, 4, 3)),
    "broadcast batch": ((2, 1, 3, 4), (5, 4, 2)),
    "broadcast both": ((2, 1, 2, 3), (1, 3, 3, 2)),
    "4d@1d": ((2, 2, 2, 3), (3,)),
}
SMALL_SHAPES = {  # for gradcheck / gradgradcheck
    "1d@1d": ((3,), (3,)),
    "1d@2d": ((3,), (3, 2)),
    "2d@1d": ((2, 3), (3,)),
    "2d@2d": ((2, 3), (3, 2)),
    "3d@3d": ((2, 2, 3), (2, 3, 2)),
    "3d@2d": ((2, 2, 3), (3, 2)),
    "3d@1d": ((2, 2, 3), (3,)),
    "1d@3d": ((3,), (2, 3, 2)),
    "broadcast batch": ((2, 1, 2, 3), (3, 3, 2)),
}


def _pair(shapes, seed):
    rng = np.random.default_rng(seed)
    return randn(*shapes[0], rng=rng), randn(*shapes[1], rng=rng)


@pytest.mark.parametrize("case", list(MATMUL_SHAPES))
def test_matmul(case):
    a, b = _pair(MATMUL_SHAPES[case], 0)
    compare(lambda lib, x, y: (lib.matmul(x, y), x.matmul(y), x @ y), a, b)


@pytest.mark.parametrize("case", list(SMALL_SHAPES))
def test_matmul_gradcheck(case):
    a, b = _pair(SMALL_SHAPES[case], 1)
    gradcheck(lambda x, y: ag.matmul(x, y), a, b, second_order=True)


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


def test_matmul_integer():
    a = np.arange(6).reshape(2, 3)
    b = np.arange(12).reshape(3, 4) - 5
    compare(lambda lib, x, y: (x @ y, lib.matmul(x[0], y), lib.mm(x, y)), a, b, grad=False)


def test_matmul_empty():
    compare(lambda lib, x, y: x @ y, np.zeros((2, 0)), np.zeros((0, 3)))
    compare(lambda lib, x, y: x @ y, np.zeros((0, 3)), randn(3, 2, seed=5))
    compare(lambda lib, x, y: lib.bmm(x, y), np.zeros((0, 2, 3)), np.zeros((0, 3, 4)))


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


# ---- mm, bmm, dot, outer -----------------------------------------------------------------
def test_mm():
    a, b = _pair(((2, 3), (3, 4)), 7)
    compare(lambda lib, x, y: (lib.mm(x, y), x.mm(y)), a, b)
    gradcheck(lambda x, y: ag.mm(x, y), *_pair(((2, 3), (3, 2)), 8), second_order=True)


def test_bmm():
    a, b = _pair(((3, 2, 4), (3, 4, 2)), 9)
    compare(lambda lib, x, y: (lib.bmm(x, y), x.bmm(y)), a, b)
    gradcheck(lambda x, y: ag.bmm(x, y), *_pair(((2, 2, 3), (2, 3, 2)), 10), second_order=True)


def test_dot():
    a, b = _pair(((5,), (5,)), 11)
    compare(lambda lib, x, y: (lib.dot(x, y), x.dot(y), lib.inner(x, y)), a, b)
    gradcheck(lambda x, y: ag.dot(x, y), *_pair(((4,), (4,)), 12), second_order=True)
    compare(lambda lib, x, y: lib.dot(x, y), np.arange(4), np.arange(4) - 2, grad=False)


def test_outer():
    a, b = _pair(((3,), (4,)), 13)
    compare(lambda lib, x, y: (lib.outer(x, y), x.outer(y)), a, b)
    gradcheck(lambda x, y: ag.outer(x, y), *_pair(((3,), (2,)), 14), second_order=True)


def test_same_dtype_results():
    for dt in (np.float32, np.float64):
        x = ag.tensor(randn(2, 3, seed=15).astype(dt))
        y = ag.tensor(randn(3, 2, seed=16).astype(dt))
        for out in (x @ y, ag.mm(x, y), ag.dot(x[0], y[:, 0]), ag.outer(x[0], y[0]),
                    ag.einsum("ij,jk->ik", x, y)):
            assert out.dtype == dt


# ---- einsum -------------------------------------------------------------------------------
EINSUM_CASES = {
    "matrix product": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "batch matmul": ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(4,)] * 2),
    "matvec": ("ij,j->i", [(2, 3), (3,)]),
    "hadamard": ("ij,ij->ij", [(2, 3)] * 2),
    "transpose": ("ij->ji", [(2, 3)]),
    "sum": ("ij->", [(2, 3)]),
    "row sum": ("ij->i", [(2, 3)]),
    "trace": ("ii->", [(3, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "bilinear": ("bi,ij,bj->b", [(2, 3), (3, 4), (2, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
    "ellipsis broadcast": ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    "ellipsis transpose": ("...ij->...ji", [(2, 3, 2)]),
    "ellipsis one side": ("...ij,jk->...ik", [(2, 2, 3), (3, 2)]),
    "ellipsis elementwise broadcast": ("...,...->...", [(2, 3), (3,)]),
    "ellipsis sum leading": ("i...->...", [(2, 3, 2)]),
    "implicit ellipsis": ("...ij,...jk", [(2, 2, 3), (2, 3, 2)]),
    "implicit matmul": ("ij,jk", [(2, 3), (3, 4)]),
    "implicit transpose": ("ba", [(2, 3)]),
    "implicit trace": ("ii", [(3, 3)]),
    "spaces": ("i j , j k -> i k", [(2, 3), (3, 2)]),
    "uppercase": ("Ab,bC->AC", [(2, 3), (3, 2)]),
    "diag times vector": ("ii,i->i", [(3, 3), (3,)]),
    "sum out a dim of one operand": ("ij,k->ik", [(2, 3), (4,)]),
}


def _operands(shapes, seed):
    rng = np.random.default_rng(seed)
    return [randn(*s, rng=rng) for s in shapes]


@pytest.mark.parametrize("case", list(EINSUM_CASES))
def test_einsum(case):
    eq, shapes = EINSUM_CASES[case]
    compare(lambda lib, *ops: lib.einsum(eq, *ops), *_operands(shapes, 20))


@pytest.mark.parametrize("case", list(EINSUM_CASES))
def test_einsum_gradcheck(case):
    eq, shapes = EINSUM_CASES[case]
    gradcheck(lambda *ops: ag.einsum(eq, *ops), *_operands(shapes, 21), second_order=True)


def test_einsum_operands_as_list():
    ops = _operands([(2, 3), (3, 4)], 22)
    compare(lambda lib, x, y: lib.einsum("ij,jk->ik", [x, y]), *ops)


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
