"""Activation kernels (sigmoid, fused tanh/sigmoid backward) against plain NumPy, on the
layouts and dtypes their wrappers route to the kernel or to the NumPy form."""
import os
import subprocess
import sys

import numpy as np
import pytest

from autograd_lite.kernels import activations as A


def _layouts(rng, dtype):
    base = rng.standard_normal((6, 5)).astype(dtype) * 4
    return {
        "contiguous": base,
        "transposed": base.T,
        "strided": base[:, ::2],
        "0-d": np.asarray(base[0, 0]),
        "1-element": base[:1, :1].copy(),
        "large": rng.standard_normal(1000).astype(dtype) * 4,  # NumPy path for sigmoid
    }


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_matches_numpy(rng, dtype):
    for name, x in _layouts(rng, dtype).items():
        out = A.sigmoid(x)
        ref = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(dtype)
        assert out.shape == x.shape and out.dtype == x.dtype, name
        tol = dict(rtol=2e-3, atol=1e-5) if dtype == np.float16 else dict(rtol=1e-6, atol=0)
        np.testing.assert_allclose(out, ref, err_msg=name, **tol)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("fn,ref", [
    (A.tanh_backward, lambda g, y: g * (1 - y * y)),
    (A.sigmoid_backward, lambda g, y: g * (y * (1 - y))),
])
def test_fused_backward_equals_the_numpy_form(rng, dtype, fn, ref):
    """Bit for bit: the kernel computes the same float ops in the same dtype."""
    for name, y in _layouts(rng, dtype).items():
        y = np.tanh(y)
        g = rng.standard_normal(y.shape).astype(dtype)
        out = fn(g, y)
        expected = ref(g, y)
        assert out.shape == y.shape and out.dtype == y.dtype, name
        np.testing.assert_array_equal(out, expected, err_msg=name)
    # operands the kernel cannot take (mixed dtypes; shapes that broadcast, which the
    # kernel itself refuses) and a stride-0 gradient it takes
    y = np.tanh(rng.standard_normal((3, 4))).astype(dtype)
    for g in (rng.standard_normal((3, 4)).astype(np.float32 if dtype != np.float32 else np.float64),
              np.broadcast_to(np.asarray(2.0, dtype), (3, 4)),
              rng.standard_normal((1, 4)).astype(dtype), rng.standard_normal(4).astype(dtype),
              rng.standard_normal((2, 3, 4)).astype(dtype)):
        out, expected = fn(g, y), ref(g, y)
        assert out.shape == expected.shape and out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [7, 5000])  # NumPy form below 4096 elements, kernel above
def test_relu_and_its_mask_match_numpy(rng, dtype, size):
    x = (rng.standard_normal(size) * 3).astype(dtype)
    x[:4] = [np.nan, 0.0, -0.0, -np.inf]
    for name, arr in (("contiguous", x), ("2-d", x.reshape(1, -1)), ("strided", x[::2])):
        out, mask = A.relu(arr)
        ref = np.where(arr > 0, arr, 0).astype(dtype)
        ref[np.isnan(arr)] = np.nan
        assert out.dtype == arr.dtype and out.shape == arr.shape and mask.dtype == np.bool_, name
        np.testing.assert_array_equal(out, ref, err_msg=name)
        np.testing.assert_array_equal(mask, ~(ref <= 0), err_msg=name)  # NaN passes, as torch
        g = rng.standard_normal(arr.shape).astype(dtype)
        np.testing.assert_array_equal(A.relu_backward(g, mask), g * mask, err_msg=name)


def test_kernels_under_numba_boundscheck():
    code = (
        "import numpy as np\n"
        "from autograd_lite.kernels import activations as A\n"
        "for dt in (np.float32, np.float64):\n"
        "    x = np.linspace(-5, 5, 24, dtype=dt).reshape(4, 6)\n"
        "    y = A.sigmoid(x)\n"
        "    g = np.ones_like(x)\n"
        "    assert np.array_equal(A.tanh_backward(g, y), g * (1 - y * y))\n"
        "    assert np.array_equal(A.sigmoid_backward(g, y), g * (y * (1 - y)))\n"
        "    x = np.linspace(-5, 5, 5000, dtype=dt)\n"
        "    out, mask = A.relu(x)\n"
        "    assert np.array_equal(out, np.maximum(x, 0)) and np.array_equal(mask, x > 0)\n"
        "    assert np.array_equal(A.relu_backward(np.ones_like(x), mask), mask.astype(dt))\n"
        "print('ok')\n"
    )
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
