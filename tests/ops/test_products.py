"""kron, cross, cdist, meshgrid, cartesian_prod, take and ravel beyond the op table:
cdist's zero distances and its matmul form, PyTorch's errors and warnings."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.0, np.inf])
@pytest.mark.parametrize("rows", [3, 30])
def test_cdist_gradient_is_zero_at_zero_distance(p, rows):
    """Repeated points: distance 0 (or PyTorch's sqrt(1e-30) in the matmul form).
    The matmul form (p = 2 from 26 rows) gives the distance of a point to itself as the
    square root of the rounding left in |x|^2 + |y|^2 - 2 x.y: 1e-15 (clamped) or ~2e-8
    depending on how the BLAS rounded the products (OpenBLAS against PyTorch's MKL on an
    AMD EPYC), so values are held to that, gradients (zero there) as everywhere."""
    x = np.random.default_rng(0).standard_normal((rows, 4))
    y = np.concatenate([x[:2], x[:2] + 1.0])
    tol = dict(rtol=1e-7, atol=1e-7) if p == 2.0 and rows > 25 else None
    compare(lambda lib, a, b: lib.cdist(a, b, p=p), x, y, dtypes=(np.float64,), tol=tol)


def _cdist_form(d, exact):
    """'matmul' or 'direct': which form computed the distances `d`. Close points far from
    the origin lose ~6 digits to cancellation in |x|^2 + |y|^2 - 2 x.y, none in the
    direct form. (Comparing values bit for bit with PyTorch's told the forms apart only
    while both libraries used one BLAS.)"""
    err = np.max(np.abs(d - exact) / exact)
    assert err > 1e-9 or err < 1e-13, err
    return "matmul" if err > 1e-9 else "direct"


def test_cdist_picks_the_matmul_form_where_pytorch_does():
    x = 100 + np.random.default_rng(1).standard_normal((2, 30, 3))
    y = x[:, :5] + 1e-3
    exact = np.sqrt(((x[:, :, None] - y[:, None]) ** 2).sum(-1))
    for mode, form in (("use_mm_for_euclid_dist_if_necessary", "matmul"), ("use_mm_for_euclid_dist", "matmul"),
                       ("donot_use_mm_for_euclid_dist", "direct")):
        ours = ag.cdist(ag.tensor(x), ag.tensor(y), compute_mode=mode).numpy()
        theirs = torch.cdist(torch.tensor(x), torch.tensor(y), compute_mode=mode).numpy()
        assert _cdist_form(ours, exact) == _cdist_form(theirs, exact) == form, mode
        np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    small = x[:, :20]  # if necessary: the matmul form from 26 rows only
    mode = "use_mm_for_euclid_dist_if_necessary"
    ours = ag.cdist(ag.tensor(small), ag.tensor(y), compute_mode=mode).numpy()
    theirs = torch.cdist(torch.tensor(small), torch.tensor(y), compute_mode=mode).numpy()
    assert _cdist_form(ours, exact[:, :20]) == _cdist_form(theirs, exact[:, :20]) == "direct"


def test_cdist_second_derivatives():
    x = ag.tensor(np.random.default_rng(2).standard_normal((3, 2)), requires_grad=True)
    y = ag.tensor(np.random.default_rng(3).standard_normal((4, 2)), requires_grad=True)
    for p in (1.5, 2.0, 3.0):
        assert ag.autograd.gradgradcheck(lambda a, b: ag.cdist(a, b, p), [x, y])
    big = ag.tensor(np.random.default_rng(4).standard_normal((27, 2)), requires_grad=True)
    assert ag.autograd.gradgradcheck(lambda a, b: ag.cdist(a, b), [big, y])


@pytest.mark.parametrize("call, error, match", [
    (lambda: ag.cdist(ag.ones(3), ag.ones(3)), RuntimeError, "at least 2D"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(4, 2)), RuntimeError, "same number of columns"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(4, 3), p=-1), RuntimeError, "non-negative p"),
    (lambda: ag.cdist(ag.ones(2, 3, dtype=ag.int64), ag.ones(4, 3, dtype=ag.int64)),
     RuntimeError, "floating-point"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(4, 3, dtype=ag.float64)), RuntimeError, "dtype"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(4, 3), compute_mode="x"), ValueError, "compute_mode"),
    (lambda: ag.cross(ag.ones(3, 4), ag.ones(3, 4), dim=1), RuntimeError, "length 3"),
    (lambda: ag.cross(ag.ones(2, 3), ag.ones(3), dim=-1), RuntimeError, "number of dimensions"),
    (lambda: ag.cross(ag.ones(3), ag.ones(3, dtype=ag.float64), dim=0), RuntimeError, "dtype"),
    (lambda: ag.linalg.cross(ag.ones(3, 4), ag.ones(3, 4)), RuntimeError, "length 3"),
    (lambda: ag.take(ag.ones(2, 3), ag.tensor([6])), IndexError, "out of range"),
    (lambda: ag.take(ag.ones(2, 3), ag.tensor([-7])), IndexError, "out of range"),
    (lambda: ag.take(ag.ones(2, 3), ag.tensor([1.0])), RuntimeError, "long tensor"),
    (lambda: ag.meshgrid(ag.ones(2), ag.ones(3, 2), indexing="ij"), RuntimeError, "0D or 1D"),
    (lambda: ag.meshgrid(ag.ones(2), ag.ones(2, dtype=ag.float64), indexing="ij"),
     RuntimeError, "same dtype"),
    (lambda: ag.meshgrid(ag.ones(2), indexing="yx"), RuntimeError, "indexing"),
    (lambda: ag.cartesian_prod(ag.ones(2, 2)), RuntimeError, "1D vector"),
])
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_cross_without_dim_warns_and_takes_the_first_dim_of_size_3():
    a, b = np.random.default_rng(0).standard_normal((2, 3, 3))
    with pytest.warns(UserWarning, match="dim"):
        ours = ag.cross(ag.tensor(a), ag.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_meshgrid_without_indexing_warns_and_grids_are_views():
    x = ag.arange(3.0)
    with pytest.warns(UserWarning, match="indexing"):
        gx, gy = ag.meshgrid(x, ag.arange(2.0))
    assert gx.shape == (3, 2)
    assert not gx.is_contiguous()  # an expanded view, as PyTorch's


def test_kron_matches_numpy_on_larger_shapes():
    a = np.random.default_rng(0).standard_normal((2, 3, 2))
    b = np.random.default_rng(1).standard_normal((3, 1, 2))
    np.testing.assert_allclose(ag.kron(ag.tensor(a), ag.tensor(b)).numpy(), np.kron(a, b))


def test_ravel_is_a_view_of_contiguous_tensors_and_take_scatters_repeats():
    x = ag.arange(6.0).reshape(2, 3)
    r = ag.ravel(x)
    r[0] = 10.0
    assert x[0, 0].item() == 10.0
    compare(lambda lib, t: lib.take(t, lib.tensor([[0, 0], [5, -1]])), np.arange(6.0).reshape(2, 3))


# ---- addmm, addmv, baddbmm, addbmm, tensordot: errors ------------------------------------
@pytest.mark.parametrize("name,shapes", [
    ("addmm", [(2, 4), (2, 3), (2, 4)]), ("addmm", [(3, 4), (2, 3), (3, 4)]),
    ("addmm", [(2, 4), (2, 3, 1), (3, 4)]), ("addmv", [(2,), (2, 3), (2,)]),
    ("addmv", [(3,), (2, 3), (3,)]), ("baddbmm", [(2, 3, 4), (2, 3, 2), (3, 2, 4)]),
    ("baddbmm", [(2, 3, 4), (2, 3), (2, 3, 4)]), ("addbmm", [(3, 4), (2, 3, 2), (2, 3, 4)]),
])
def test_product_with_input_shape_errors_name_the_op(name, shapes):
    args = [ag.ones(*s) for s in shapes]
    with pytest.raises(RuntimeError, match=name):
        getattr(ag, name)(*args)
    with pytest.raises(RuntimeError):  # torch agrees it is an error
        getattr(torch, name)(*[torch.ones(*s) for s in shapes])


def test_addmm_errors_on_mixed_dtypes_and_float_scalars_of_integers():
    with pytest.raises(RuntimeError, match=r"addmm: .*same dtype.*float64.*float32"):
        ag.addmm(ag.ones(2, 2, dtype=ag.float64), ag.ones(2, 2), ag.ones(2, 2))
    ints = [ag.ones(2, 2, dtype=ag.int64)] * 3
    with pytest.raises(RuntimeError, match="addmm: .*beta"):
        ag.addmm(*ints, beta=0.5)
    assert ag.addmm(*ints, beta=2, alpha=3).tolist() == \
        torch.addmm(*[torch.ones(2, 2, dtype=torch.long)] * 3, beta=2, alpha=3).tolist()


def test_addmm_beta_zero_ignores_nan_input_and_gives_it_a_zero_gradient():
    x = np.full((2, 3), np.nan)
    m1, m2 = np.ones((2, 4)), np.ones((4, 3))
    compare(lambda lib, a, b, c: lib.addmm(a, b, c, beta=0), x, m1, m2, dtypes=(np.float64,))


def test_tensordot_errors():
    a, b = ag.ones(2, 3), ag.ones(4, 2)
    with pytest.raises(RuntimeError, match="tensordot: contracted dimensions"):
        ag.tensordot(a, b, 1)
    with pytest.raises(RuntimeError, match="tensordot expects dims >= 0"):
        ag.tensordot(a, b, -1)
    with pytest.raises(RuntimeError, match="same length"):
        ag.tensordot(a, b, ([0, 1], [1]))
    with pytest.raises(IndexError, match="tensordot"):
        ag.tensordot(a, b, ([2], [0]))
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.tensordot(a, ag.ones(3, 2, dtype=ag.float64), 1)
