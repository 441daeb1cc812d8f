"""torch.linalg's LU family, `_ex` forms, lstsq, matrix_exp and friends beyond the op
table: singular and non-positive-definite inputs (info codes, NaN results, errors),
lstsq's singular values and its rules for empty outputs per driver, rank-deficient
systems, and the errors for bad shapes and dtypes against PyTorch's."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare

RNG = np.random.default_rng(0)
SINGULAR = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)])


def test_lu_factor_ex_reports_singular_matrices_as_lapack():
    compare(lambda lib, a: tuple(lib.linalg.lu_factor_ex(a)), SINGULAR, grad=False)
    with pytest.raises(ag.linalg.LinAlgError, match=r"lu_factor \(batch element \(0,\)\): U\[2,2\]"):
        ag.linalg.lu_factor(ag.tensor(SINGULAR))
    with pytest.raises(ag.linalg.LinAlgError, match="singular"):
        ag.linalg.lu_factor_ex(ag.tensor(SINGULAR), check_errors=True)


def test_lu_of_a_singular_matrix_matches_torch():
    compare(lambda lib, a: tuple(lib.linalg.lu(a)), SINGULAR[:1], grad=False)


@pytest.mark.parametrize("name", ["inv_ex", "solve_ex"])
def test_ex_forms_give_info_and_nan_for_singular_matrices(name):
    A = ag.tensor(SINGULAR)
    args = (A,) if name == "inv_ex" else (A, ag.tensor(np.ones((2, 2))))
    out, info = getattr(ag.linalg, name)(*args)
    targs = [torch.tensor(a.numpy()) for a in args]
    _, tinfo = getattr(torch.linalg, name)(*targs)
    np.testing.assert_array_equal(info.numpy(), tinfo.numpy())
    assert info.dtype == np.int32
    assert np.all(np.isnan(out.numpy()[0])) and np.all(np.isfinite(out.numpy()[1]))
    with pytest.raises(ag.linalg.LinAlgError, match=name):
        getattr(ag.linalg, name)(*args, check_errors=True)
    with pytest.raises(torch.linalg.LinAlgError):
        getattr(torch.linalg, name)(*targs, check_errors=True)


def test_cholesky_ex_info_is_the_first_bad_minor():
    A = np.stack([np.diag([1.0, 2.0, 3.0]), np.array([[1.0, 0, 0], [0, 1, 2], [0, 2, 1]])])
    L, info = ag.linalg.cholesky_ex(ag.tensor(A))
    _, tinfo = torch.linalg.cholesky_ex(torch.tensor(A))
    np.testing.assert_array_equal(info.numpy(), tinfo.numpy())
    np.testing.assert_allclose(L.numpy()[0], np.sqrt(np.diag([1.0, 2.0, 3.0])))
    assert np.all(np.isnan(L.numpy()[1]))
    with pytest.raises(ag.linalg.LinAlgError, match=r"cholesky_ex \(batch element \(1,\)\).*order 3"):
        ag.linalg.cholesky_ex(ag.tensor(A), check_errors=True)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("shapes", [((2, 5, 3), (2, 5, 2)), ((3, 5), (3, 2)), ((1, 5, 3), (4, 5, 2)),
                                    ((5, 3), (5,)), ((0, 5, 3), (0, 5, 2)), ((4, 4), (4, 1))])
def test_lstsq_outputs_and_empty_ones_match_torch(driver, shapes):
    a, b = (RNG.standard_normal(s) for s in shapes)
    if a.shape[-1] == a.shape[-2]:
        a = a + 3 * np.eye(a.shape[-1])  # well conditioned: float32 gradients agree
    compare(lambda lib, A, B: tuple(lib.linalg.lstsq(A, B, driver=driver)), a, b)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_rank_deficient_gives_the_minimum_norm_solution(driver):
    a = RNG.standard_normal((2, 6, 4))
    a[0, :, 3] = a[0, :, 1]
    b = RNG.standard_normal((2, 6, 2))
    compare(lambda lib, A, B: tuple(lib.linalg.lstsq(A, B, driver=driver)), a, b, grad=False)
    with pytest.raises(ag.linalg.LinAlgError, match="full rank"):
        ag.linalg.lstsq(ag.tensor(a), ag.tensor(b), driver="gels")


def test_lstsq_rcond_cuts_small_singular_values():
    u, _ = np.linalg.qr(RNG.standard_normal((5, 3)))
    a = (u * [3.0, 1.0, 1e-4]) @ np.linalg.qr(RNG.standard_normal((3, 3)))[0]
    b = RNG.standard_normal((5, 2))
    compare(lambda lib, A, B: tuple(lib.linalg.lstsq(A, B, 1e-3, driver="gelsd")), a, b,
            dtypes=[np.float64], grad=False)


def test_matrix_exp_of_large_and_nilpotent_matrices():
    big = RNG.standard_normal((2, 4, 4)) * 6
    nil = np.triu(RNG.standard_normal((3, 3)), 1)
    compare(lambda lib, A: lib.linalg.matrix_exp(A), big, dtypes=[np.float64])
    compare(lambda lib, A: lib.linalg.matrix_exp(A), nil)


def test_matrix_exp_second_derivative_matches_torch():
    a = RNG.standard_normal((3, 3))

    def second(lib, A):
        (g,) = lib.autograd.grad(lib.linalg.matrix_exp(A).sin().sum(), A, create_graph=True)
        return g
    compare(second, a, dtypes=[np.float64])


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.lstsq(lib.ones(5), lib.ones(5)),
    lambda lib: lib.linalg.lstsq(lib.ones(5, 3), lib.ones(4, 2)),
    lambda lib: lib.linalg.lstsq(lib.ones(2, 5, 3), lib.ones(5)),
    lambda lib: lib.linalg.lstsq(lib.ones(5, 3), lib.ones(5, 2, dtype=lib.float64)),
    lambda lib: lib.linalg.lstsq(lib.ones(5, 3), lib.ones(5, 2), driver="foo"),
    lambda lib: lib.linalg.lu_factor(lib.ones(3)),
    lambda lib: lib.linalg.lu(lib.ones(3, 3), pivot=False),
    lambda lib: lib.linalg.lu_solve(*lib.linalg.lu_factor(lib.eye(3)), lib.ones(4, 2)),
    lambda lib: lib.linalg.lu_solve(*lib.linalg.lu_factor(lib.eye(3)), lib.ones(3)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.ones(3, dtype=lib.int64), lib.ones(3, 1)),
    lambda lib: lib.linalg.matrix_exp(lib.ones(2, 3)),
    lambda lib: lib.linalg.multi_dot([lib.ones(3)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(3), lib.ones(4, 2)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 3, 3), lib.ones(3, 2)]),
    lambda lib: lib.linalg.householder_product(lib.ones(3, 4), lib.ones(2)),
    lambda lib: lib.linalg.householder_product(lib.ones(4, 3), lib.ones(4)),
    lambda lib: lib.linalg.tensorinv(lib.ones(4, 6, 8, 2), ind=2),
    lambda lib: lib.linalg.tensorsolve(lib.ones(6, 2, 3), lib.ones(2, 4)),
    lambda lib: lib.linalg.vander(lib.ones(3), N=1),
    lambda lib: lib.linalg.inv_ex(lib.ones(2, 3)),
])
def test_bad_input_raises_as_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ag)
    assert isinstance(ours.value, (RuntimeError, ValueError, IndexError)), ours.value
    assert isinstance(theirs.value, (RuntimeError, ValueError, IndexError, NotImplementedError))


def test_multi_dot_picks_the_cheap_order_and_keeps_values():
    mats = [RNG.standard_normal(s) for s in [(10, 100), (100, 5), (5, 50)]]
    compare(lambda lib, *ms: lib.linalg.multi_dot(list(ms)), *mats)


def test_ldl_factor_matches_lapacks_bunch_kaufman_pivots():
    rng = np.random.default_rng(3)
    two_by_two = 0
    for trial in range(60):
        n = int(rng.integers(1, 8))
        a = rng.standard_normal((n, n))
        a = a + a.T
        if trial % 3 == 0:  # small leading entries force 2 x 2 pivots
            a[:, 0] *= 0.01
            a[0, :] *= 0.01
        for dtype in (np.float64, np.float32):
            LD, piv, info = ag.linalg.ldl_factor_ex(ag.tensor(a.astype(dtype)))
            tLD, tpiv, tinfo = torch.linalg.ldl_factor_ex(torch.tensor(a.astype(dtype)))
            np.testing.assert_array_equal(piv.numpy(), tpiv.numpy())
            tol = 1e-10 if dtype == np.float64 else 2e-4
            np.testing.assert_allclose(LD.numpy(), tLD.numpy(), rtol=tol, atol=tol)
            assert int(info) == int(tinfo) == 0
        two_by_two += int((piv.numpy() < 0).any())
        b = rng.standard_normal((n, 2))
        x = ag.linalg.ldl_solve(*ag.linalg.ldl_factor(ag.tensor(a)), ag.tensor(b))
        np.testing.assert_allclose(a @ x.numpy(), b, atol=1e-8)
    assert two_by_two >= 10


def test_ldl_singular_info_and_no_derivative():
    zero = np.zeros((3, 3))
    compare(lambda lib, a: tuple(lib.linalg.ldl_factor_ex(a)), zero, grad=False)
    with pytest.raises(ag.linalg.LinAlgError, match="singular"):
        ag.linalg.ldl_factor(ag.tensor(zero))
    with pytest.raises(ag.linalg.LinAlgError, match="singular"):
        ag.linalg.ldl_factor_ex(ag.tensor(zero), check_errors=True)
    a = ag.tensor(np.eye(3) * 2, requires_grad=True)
    LD, piv = ag.linalg.ldl_factor(a)
    assert LD.requires_grad
    with pytest.raises(RuntimeError, match="derivative for linalg.ldl_factor is not implemented"):
        LD.sum().backward()
    b = ag.ones(3, 1, dtype=ag.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for linalg.ldl_solve"):
        ag.linalg.ldl_solve(LD.detach(), piv, b).sum().backward()
