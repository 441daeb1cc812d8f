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
