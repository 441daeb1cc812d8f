"""kernels/dropout.py against a NumPy reference of the same counter-based draws: the
same masks bit for bit, the product in one pass, chunks that agree with one pass,
the keep rate, and the layer's repeatability under ag.manual_seed."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.kernels import dropout as kd
from autograd_lite.ops.dropout import KERNEL_MIN


def _reference_draws(seed, n, start=0):
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(start, start + n, dtype=np.uint64) + np.uint64(1)) * np.uint64(
            0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z >> np.uint64(64 - kd.BITS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1 - 2.0 ** -30])
def test_masks_match_the_reference(dtype, p):
    seed = np.uint64(0x1234_5678_9ABC_DEF0)
    n = 10_007
    cut = np.uint64(kd.threshold(p))
    scale = np.dtype(dtype).type(1 / (1 - p))
    out = np.empty(n, dtype)
    kd.mask(seed, cut, scale, out, 0)
    want = np.where(_reference_draws(seed, n) >= cut, scale, dtype(0)).astype(dtype)
    np.testing.assert_array_equal(out, want)
    x = np.random.default_rng(0).standard_normal(n).astype(dtype)
    y, keep = np.empty_like(x), np.empty_like(x)
    kd.apply(x, seed, cut, scale, y, keep, 0)
    np.testing.assert_array_equal(keep, want)
    np.testing.assert_array_equal(y, x * want)
    # two chunks with their offsets give the one-pass mask
    a, b = np.empty(4000, dtype), np.empty(n - 4000, dtype)
    kd.mask(seed, cut, scale, a, 0)
    kd.mask(seed, cut, scale, b, 4000)
    np.testing.assert_array_equal(np.concatenate([a, b]), want)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_keep_rate(p):
    n = 1 << 20
    out = np.empty(n, np.float32)
    kd.mask(np.uint64(7), np.uint64(kd.threshold(p)), np.float32(1), out, 0)
    kept = out.mean()
    assert abs(kept - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    halves = out.reshape(2, -1).mean(1)  # no drift along the array
    assert abs(halves[0] - halves[1]) < 10 * np.sqrt(p * (1 - p) / n)


def test_threshold_edges():
    assert kd.threshold(0.0) == 0
    assert kd.threshold(1.0) == 1 << kd.BITS
    assert kd.threshold(0.5) == 1 << (kd.BITS - 1)


def test_layer_on_the_kernel_is_repeatable_and_scaled():
    x = ag.ones(4 * KERNEL_MIN)
    ag.manual_seed(3)
    a = ag.nn.functional.dropout(x, 0.25).numpy()
    b = ag.nn.functional.dropout(x, 0.25).numpy()
    ag.manual_seed(3)
    np.testing.assert_array_equal(ag.nn.functional.dropout(x, 0.25).numpy(), a)
    assert not np.array_equal(a, b)
    assert set(np.unique(a).tolist()) <= {0.0, np.float32(1 / 0.75)}


def test_split_over_threads_gives_the_same_mask():
    n = 3 * (1 << 16) + 5
    seed = np.uint64(99)
    before = ag.get_num_threads()
    results = []
    try:
        for threads in (1, 2, 3):
            ag.set_num_threads(threads)
            out = np.empty(n, np.float32)
            kd.make_mask(seed, 0.3, out)
            x = np.arange(n, dtype=np.float32)
            y, keep = np.empty_like(x), np.empty_like(x)
            kd.apply_mask(x, seed, 0.3, y, keep)
            np.testing.assert_array_equal(keep, out)
            np.testing.assert_array_equal(y, x * out)
            results.append(out)
    finally:
        ag.set_num_threads(before)
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
