"""The selection kernels (kernels/selection.py) against NumPy references (the values:
sorted order with NaN last) and against PyTorch's CPU kernels for the order of tied
values, on random rows full of ties and NaNs, on both paths of topk (partial sort
when k * 64 <= n, else nth_element then sort)."""
import numpy as np
import pytest
import torch

from autograd_lite.kernels import selection


def rows(rng, n, levels, nan_share, dtype):
    x = rng.integers(0, levels, (3, n)).astype(dtype)
    if nan_share:
        x[rng.random(x.shape) < nan_share] = np.nan
    return x


def cases(seed, count):
    rng = np.random.default_rng(seed)
    for i in range(count):
        n = int(rng.integers(1, 40 if i % 2 else 400))
        yield rng, n, int(rng.integers(1, 6)), 0.2 if i % 4 == 0 else 0.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_topk_matches_numpy_values_and_torch_indices(dtype):
    for rng, n, levels, nan_share in cases(0, 150):
        x = rows(rng, n, levels, nan_share, dtype)
        k = int(rng.integers(0, n + 1))
        for largest in (True, False):
            for sorted_ in (True, False):
                values, indices = selection.topk(x, k, largest, sorted_)
                np.testing.assert_array_equal(np.take_along_axis(x, indices, 1), values)
                ref = np.sort(x, 1)  # NaN last
                ref = ref[:, ::-1][:, :k] if largest else ref[:, :k]
                if sorted_:
                    np.testing.assert_array_equal(values, ref)
                t = torch.topk(torch.tensor(x), k, largest=largest, sorted=sorted_)
                np.testing.assert_array_equal(indices, t.indices.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kthvalue_matches_numpy_values_and_torch_indices(dtype):
    for rng, n, levels, nan_share in cases(1, 150):
        x = rows(rng, n, levels, nan_share, dtype)
        k = int(rng.integers(1, n + 1))
        values, indices = selection.kthvalue(x, k)
        np.testing.assert_array_equal(values, np.sort(x, 1)[:, k - 1])
        np.testing.assert_array_equal(indices, torch.kthvalue(torch.tensor(x), k).indices.numpy())


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.float64])
def test_sort_indices_is_pytorchs_unstable_sort(dtype):
    for rng, n, levels, _ in cases(2, 100):
        x = rows(rng, n, levels, 0.0, dtype)
        for descending in (False, True):
            indices = selection.sort_indices(x, descending)
            ref = np.sort(x, 1)
            np.testing.assert_array_equal(np.take_along_axis(x, indices, 1),
                                          ref[:, ::-1] if descending else ref)
            if dtype != np.float64:  # PyTorch sorts float64 with its SIMD sort instead
                expected = torch.sort(torch.tensor(x), 1, descending=descending).indices
                np.testing.assert_array_equal(indices, expected.numpy())


def test_empty_rows_and_k_zero():
    values, indices = selection.topk(np.zeros((0, 5)), 2, True, True)
    assert values.shape == indices.shape == (0, 2)
    values, indices = selection.topk(np.ones((2, 3)), 0, True, True)
    assert values.shape == (2, 0)
    assert selection.sort_indices(np.zeros((2, 0)), False).shape == (2, 0)
