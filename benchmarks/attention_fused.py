"""Is scaled_dot_product_attention faster as one fused op (ops/attention.py) than as
the composition softmax(q k^T * scale + mask) v of existing ops? Forward + backward
at the transformer workload's size, interleaved medians, PyTorch for reference.

    python -m benchmarks.attention_fused
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402

CASES = [  # (batch, heads, length, head dim, mask)
    (32, 4, 64, 32, None),
    (32, 4, 64, 32, "causal"),
    (32, 4, 64, 32, "padding"),
    (8, 8, 256, 64, None),
]


def composed(q, k, v, mask=None, is_causal=False):
    """The same attention from matmul, mul, add, softmax and matmul (no zero rows)."""
    scores = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(q.shape[-1]))
    if is_causal:
        length = q.shape[-2]
        mask = ag.tensor(np.triu(np.full((length, length), -np.inf, np.float32), 1))
    if mask is not None:
        scores = scores + mask
    return F.softmax(scores, -1) @ v


def _case(lib, fn, b, h, length, d, mask_kind, rng):
    q, k, v = (lib.tensor(rng.standard_normal((b, h, length, d)).astype(np.float32), requires_grad=True)
               for _ in range(3))
    g = lib.tensor(rng.standard_normal((b, h, length, d)).astype(np.float32))
    mask, causal = None, mask_kind == "causal"
    if mask_kind == "padding":
        pad = np.zeros((b, 1, 1, length), np.float32)
        pad[:, :, :, length * 3 // 4:] = -np.inf
        mask = lib.tensor(pad)

    def step():
        out = fn(q, k, v, mask, is_causal=causal) if mask is not None or causal else fn(q, k, v)
        (out * g).sum().backward()
        q.grad = k.grad = v.grad = None
    return step


def _median(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(rounds=21):
    torch.set_num_threads(1)
    ag.set_num_threads(1)
    print(f"{'B x H x L x D, mask':<28}{'fused':>10}{'composed':>10}{'torch':>10}{'composed/fused':>16}")
    for b, h, length, d, mask in CASES:
        impls = {
            "fused": _case(ag, F.scaled_dot_product_attention, b, h, length, d, mask,
                           np.random.default_rng(0)),
            "composed": _case(ag, composed, b, h, length, d, mask, np.random.default_rng(0)),
            "torch": _case(torch, torch.nn.functional.scaled_dot_product_attention, b, h, length, d,
                           mask, np.random.default_rng(0)),
        }
        for fn in impls.values():
            fn()
        times = {k: [] for k in impls}
        for r in range(rounds):
            for k in (impls if r % 2 == 0 else list(impls)[::-1]):
                times[k].append(_median(impls[k], 1))
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        label = f"{b}x{h}x{length}x{d}, {mask or 'none'}"
        print(f"{label:<28}{med['fused']:>8.2f}ms{med['composed']:>8.2f}ms{med['torch']:>8.2f}ms"
              f"{med['composed'] / med['fused']:>15.2f}x")


if __name__ == "__main__":
    main()
