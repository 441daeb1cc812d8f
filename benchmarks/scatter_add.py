"""Which scatter-add backs indexing and embedding gradients: NumPy 2's `np.add.at`
or the Numba row kernel? Interleaved medians on embedding-sized cases.

    python -m benchmarks.scatter_add
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from autograd_lite.kernels.scatter import index_add_rows  # noqa: E402

CASES = [  # (vocabulary rows, row width, number of indices)
    (1000, 64, 32 * 20),
    (10000, 128, 32 * 50),
    (50000, 256, 64 * 64),
    (100, 16, 10000),
]


def _median_time(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(rounds=15):
    rng = np.random.default_rng(0)
    print(f"{'rows x width, indices':<26}{'np.add.at':>12}{'numba':>12}{'speedup':>9}")
    for v, d, n in CASES:
        idx = rng.integers(0, v, n)
        src = rng.standard_normal((n, d)).astype(np.float32)
        out_a = np.zeros((v, d), np.float32)
        out_b = np.zeros((v, d), np.float32)
        index_add_rows(out_b, idx, src)  # compile / load the cache
        np.add.at(out_a, idx, src)
        assert np.allclose(out_a, out_b)
        ta, tb = [], []
        for _ in range(rounds):
            ta.append(_median_time(lambda: np.add.at(out_a, idx, src), 3))
            tb.append(_median_time(lambda: index_add_rows(out_b, idx, src), 3))
        a, b = statistics.median(ta), statistics.median(tb)
        print(f"{f'{v} x {d}, {n}':<26}{a * 1e3:>10.3f}ms{b * 1e3:>10.3f}ms{a / b:>8.1f}x")


if __name__ == "__main__":
    main()
