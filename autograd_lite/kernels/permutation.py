"""The permutation `torch.randperm(n, generator=g)` draws on the CPU: a forward
Fisher-Yates shuffle where step i swaps i with i + draw_i % (n - i), draw_i being
the i-th 32-bit output of the generator's MT19937 (seeded by `manual_seed`).
NumPy's legacy `RandomState(seed)` is the same MT19937 with the same seeding, so
its raw 32-bit outputs are those draws. PyTorch takes this path for
n < 2**32 / 20; DistributedSampler uses it to give PyTorch's exact order.
"""
import numpy as np

from ._numba import njit

LIMIT = (2**32 - 1) // 20  # PyTorch draws larger permutations another way


@njit(cache=True)
def _shuffle_with_draws(draws, n):
    perm = np.arange(n)
    for i in range(n - 1):
        j = i + draws[i] % (n - i)
        tmp = perm[i]
        perm[i] = perm[j]
        perm[j] = tmp
    return perm


def torch_randperm(n, seed):
    """int64 array equal to `torch.randperm(n, generator=torch.Generator().manual_seed(seed))`."""
    if not 0 <= n < LIMIT:
        raise ValueError(f"torch_randperm: n must be in [0, {LIMIT}), got {n}")
    draws = np.random.RandomState(seed % 2**32).randint(0, 2**32, size=max(n - 1, 0), dtype=np.uint32)
    return _shuffle_with_draws(draws.astype(np.int64), n)
