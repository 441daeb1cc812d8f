"""The randperm kernel against a plain-Python reference and against torch.randperm."""
import numpy as np
import pytest
import torch

from autograd_lite.kernels import permutation


def reference(n, seed):
    draws = np.random.RandomState(seed % 2**32).randint(0, 2**32, size=max(n - 1, 0), dtype=np.uint32)
    perm = list(range(n))
    for i in range(n - 1):
        j = i + int(draws[i]) % (n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return perm


@pytest.mark.parametrize("n", [0, 1, 2, 5, 64, 1001])
@pytest.mark.parametrize("seed", [0, 1, 12345, 2**32 - 1, 2**40 + 3])
def test_matches_reference_and_torch(n, seed):
    mine = permutation.torch_randperm(n, seed)
    assert mine.dtype == np.int64 and mine.tolist() == reference(n, seed)
    g = torch.Generator()
    g.manual_seed(seed)
    assert mine.tolist() == torch.randperm(n, generator=g).tolist()


def test_out_of_range_sizes_raise():
    with pytest.raises(ValueError, match="torch_randperm: n must be in"):
        permutation.torch_randperm(permutation.LIMIT, 0)
    with pytest.raises(ValueError, match="torch_randperm"):
        permutation.torch_randperm(-1, 0)
