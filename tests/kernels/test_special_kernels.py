"""The special-function kernels (kernels/special.py) against references: math.erf /
math.erfc, and erfinv against SciPy's (a test dependency through scikit-learn) and
its own inverse."""
import math

import numpy as np
import pytest

from autograd_lite.kernels import special

scipy_special = pytest.importorskip("scipy.special")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_erf_and_erfc_match_math(dtype):
    x = np.concatenate([np.linspace(-7, 7, 1001), [0.0, -0.0, np.inf, -np.inf]]).astype(dtype)
    np.testing.assert_array_equal(special.erf(x), np.array([math.erf(v) for v in x], dtype))
    np.testing.assert_array_equal(special.erfc(x), np.array([math.erfc(v) for v in x], dtype))


def test_erfinv_matches_scipy_to_a_few_ulp_including_the_tails():
    y = np.concatenate([np.linspace(-1, 1, 40001), 1 - np.logspace(-300, -1, 400),
                        -1 + np.logspace(-16, -1, 100)])
    ours, ref = special.erfinv(y), scipy_special.erfinv(y)
    finite = np.isfinite(ref)
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=4e-15, atol=0)
    np.testing.assert_array_equal(ours[~finite], ref[~finite])


def test_erfinv_outside_the_domain_is_nan_and_keeps_float32():
    y = np.array([1.0000001, -3.0, np.nan], np.float32)
    out = special.erfinv(y)
    assert out.dtype == np.float32 and np.all(np.isnan(out))


def test_noncontiguous_and_zero_d_inputs():
    x = np.linspace(-2, 2, 20).reshape(4, 5).T[::2]
    np.testing.assert_array_equal(special.erf(x), np.vectorize(math.erf)(x))
    assert special.erfinv(np.array(0.5)).shape == ()


WIDE = np.concatenate([np.linspace(-30, 30, 6001), np.geomspace(1e-8, 709, 2000), -np.geomspace(1e-8, 709, 300)])


@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e"])
def test_modified_bessel_functions_match_scipy_over_both_series(name):
    """Power series up to |x| = 20, asymptotic beyond: both within a few ulp of SciPy's (whose
    unscaled i0, i1 are NaN at +-inf, as PyTorch's and ours)."""
    ours, ref = getattr(special, name)(WIDE), getattr(scipy_special, name)(WIDE)
    np.testing.assert_allclose(ours, ref, rtol=2e-15 * 709 if name in ("i0", "i1") else 4e-15, atol=0)
    edges = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 710.0, -710.0])
    with np.errstate(over="ignore", invalid="ignore"):
        np.testing.assert_allclose(getattr(special, name)(edges), getattr(scipy_special, name)(edges), rtol=1e-15)


def test_erfcx_matches_scipy_from_the_product_to_the_continued_fraction():
    x = np.concatenate([np.linspace(-26, 30, 20001), np.geomspace(1, 1e300, 1000), [np.inf, -np.inf, -30.0]])
    with np.errstate(over="ignore"):
        ours, ref = special.erfcx(x), scipy_special.erfcx(x)
    finite = np.isfinite(ref)
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=3e-15, atol=0)
    np.testing.assert_array_equal(ours[~finite], ref[~finite])


def test_hurwitz_zeta_matches_scipy():
    rng = np.random.default_rng(0)
    x, q = rng.uniform(1.01, 40, 20000), rng.uniform(0.01, 50, 20000)
    np.testing.assert_allclose(special.zeta(x, q), scipy_special.zeta(x, q), rtol=2e-15, atol=0)


def test_incomplete_gamma_matches_scipy_on_both_sides_of_a_plus_one():
    rng = np.random.default_rng(1)
    a, x = rng.uniform(0.01, 50, 50000), rng.uniform(0, 80, 50000)
    for ours, ref in ((special.igamma, scipy_special.gammainc), (special.igammac, scipy_special.gammaincc)):
        want = ref(a, x)
        normal = want > 1e-290  # below, both are subnormal roundings
        np.testing.assert_allclose(ours(a, x)[normal], want[normal], rtol=5e-13, atol=0)
