"""The in-place samplers exponential_, geometric_, cauchy_, log_normal_, random_ and
torch.poisson: the distributions (moments and quantiles within a few standard errors,
from fixed seeds), the ranges per dtype, generator= streams, the zero gradient and the
errors PyTorch raises. The streams differ from PyTorch's."""
import numpy as np
import pytest
import torch

import autograd_lite as ag

N = 200_000


def _mean_within(x, mean, std, sigmas=5.0):
    return abs(x.mean() - mean) <= sigmas * std / np.sqrt(x.size)


def test_exponential_mean_and_variance():
    ag.manual_seed(0)
    x = ag.empty(N, dtype=ag.float64).exponential_(2.5).numpy()
    assert x.min() >= 0 and _mean_within(x, 1 / 2.5, 1 / 2.5)
    assert abs(x.var() - 1 / 2.5 ** 2) < 0.02 * (1 / 2.5 ** 2) * 5


def test_geometric_counts_trials_from_one():
    ag.manual_seed(1)
    for dtype in (ag.float32, ag.int64, ag.int32):
        x = ag.empty(N, dtype=dtype).geometric_(0.3).numpy().astype(np.float64)
        assert x.min() == 1 and np.all(x == np.round(x))
        assert _mean_within(x, 1 / 0.3, np.sqrt(0.7) / 0.3)
        assert abs(np.mean(x == 1) - 0.3) < 5 * np.sqrt(0.3 * 0.7 / N)


def test_cauchy_median_and_quartiles():
    ag.manual_seed(2)
    x = ag.empty(N, dtype=ag.float64).cauchy_(1.5, 0.5).numpy()
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(med - 1.5) < 0.01 and abs(q1 - 1.0) < 0.015 and abs(q3 - 2.0) < 0.015


def test_log_normal_log_moments():
    ag.manual_seed(3)
    x = ag.empty(N, dtype=ag.float64).log_normal_(0.5, 0.25).numpy()
    assert x.min() > 0 and _mean_within(np.log(x), 0.5, 0.25)
    assert abs(np.log(x).std() - 0.25) < 0.005


@pytest.mark.parametrize("dtype, high", [
    ("float32", 2 ** 24), ("float64", 2 ** 53), ("bfloat16", 2 ** 8), ("float16", 2 ** 11),
    ("int64", 2 ** 63 - 1), ("int32", 2 ** 31 - 1), ("int16", 2 ** 15 - 1), ("int8", 127),
    ("uint8", 255), ("bool", 1)])
def test_random_default_ranges_per_dtype_as_pytorch(dtype, high):
    ag.manual_seed(4)
    dt = ag.bfloat16 if dtype == "bfloat16" else np.dtype(dtype)
    x = ag.empty(50_000, dtype=dt).random_().numpy()
    values = x.astype(np.float64) if dtype != "int64" else x
    assert values.min() >= 0 and values.max() <= high
    assert values.max() > 0.99 * high if high > 1000 else values.max() == high
    ref = torch.empty(50_000, dtype=getattr(torch, dtype)).random_().double()
    assert ref.max().item() <= float(high)  # the same range in PyTorch


def test_random_from_to_forms_are_uniform_over_the_range():
    ag.manual_seed(5)
    x = ag.empty(N, dtype=ag.int64).random_(-3, 4).numpy()
    counts = np.bincount(x + 3, minlength=7)
    assert x.min() == -3 and x.max() == 3 and np.all(np.abs(counts - N / 7) < 5 * np.sqrt(N / 7))
    y = ag.empty(1000).random_(5).numpy()
    assert set(np.unique(y)) <= set(range(5))
    z = ag.empty(1000).random_(0, to=2).numpy()
    assert set(np.unique(z)) == {0.0, 1.0}
    w = ag.empty(1000, dtype=ag.uint8).random_(250, None).numpy()
    assert w.min() >= 250 and w.max() <= 255


def test_generator_is_honoured():
    for name, args in (("exponential_", ()), ("geometric_", (0.4,)), ("cauchy_", ()),
                       ("log_normal_", ()), ("random_", (10,))):
        a = getattr(ag.empty(6), name)(*args, generator=ag.Generator().manual_seed(7)).numpy()
        ag.manual_seed(99)
        b = getattr(ag.empty(6), name)(*args, generator=ag.Generator().manual_seed(7)).numpy()
        c = getattr(ag.empty(6), name)(*args, generator=ag.Generator().manual_seed(8)).numpy()
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c), name
    rates = ag.full((6,), 3.0)
    p1 = ag.poisson(rates, ag.Generator().manual_seed(1)).numpy()
    p2 = ag.poisson(rates, generator=ag.Generator().manual_seed(1)).numpy()
    np.testing.assert_array_equal(p1, p2)


def test_poisson_moments_dtype_and_zero_gradient():
    ag.manual_seed(6)
    rates = ag.tensor(np.repeat([0.0, 0.5, 4.0, 50.0], N // 4), dtype=ag.float32, requires_grad=True)
    x = ag.poisson(rates)
    assert x.dtype == ag.float32 and x.requires_grad
    v = x.detach().numpy().reshape(4, -1).astype(np.float64)
    assert np.all(v[0] == 0) and np.all(v == np.round(v))
    for row, lam in zip(v[1:], (0.5, 4.0, 50.0)):
        assert _mean_within(row, lam, np.sqrt(lam))
    x.sum().backward()
    np.testing.assert_array_equal(rates.grad.numpy(), 0)


def test_in_place_samples_on_a_recorded_tensor_have_a_zero_gradient():
    a = ag.ones(4, requires_grad=True)
    t = torch.ones(4, requires_grad=True)
    ya, yt = a * 2, t * 2
    ya.exponential_()
    yt.exponential_()
    (ya * 3).sum().backward()
    (yt * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())


def test_errors_as_pytorch():
    x = ag.empty(3)
    with pytest.raises(RuntimeError, match="lambda > 0.0"):
        x.exponential_(0)
    with pytest.raises(RuntimeError, match=r"p to be in \(0, 1\)"):
        x.geometric_(1.0)
    with pytest.raises(RuntimeError, match="sigma > 0.0"):
        x.cauchy_(0, -1)
    with pytest.raises(RuntimeError, match="std > 0.0"):
        x.log_normal_(1, 0)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.empty(3, dtype=ag.int64).exponential_()
    with pytest.raises(RuntimeError, match="floating point"):
        ag.empty(3, dtype=ag.int64).cauchy_()
    with pytest.raises(NotImplementedError):
        ag.empty(3, dtype=ag.bool).geometric_(0.5)
    with pytest.raises(RuntimeError, match="'from' to be less than 'to'"):
        x.random_(5, 3)
    with pytest.raises(RuntimeError, match="out of bounds for int8"):
        ag.empty(3, dtype=ag.int8).random_(0, 1000)
    with pytest.raises(RuntimeError, match="out of bounds for bool"):
        ag.empty(3, dtype=ag.bool).random_(3)
    with pytest.raises(TypeError, match="ints"):
        x.random_(1.5)
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.poisson(ag.tensor([1.0, -1.0]))
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.poisson(ag.tensor([float("nan")]))
    with pytest.raises(NotImplementedError):
        ag.poisson(ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="leaf"):
        ag.ones(3, requires_grad=True).exponential_()
