"""DistributedSampler gives PyTorch's exact indices: the shuffle is torch.randperm's
permutation for seed + epoch, split by stride, padded by repetition or cut."""
import itertools

import numpy as np
import pytest
import torch
from torch.utils.data import DistributedSampler as TorchSampler

import autograd_lite as ag
from autograd_lite.utils.data import DataLoader, DistributedSampler, TensorDataset
from autograd_lite.utils.data.distributed import DistributedSampler as FromModulePath


@pytest.mark.parametrize("n,replicas", [(1, 1), (3, 2), (10, 3), (17, 4), (100, 7), (2, 5), (0, 2)])
@pytest.mark.parametrize("shuffle,drop_last", list(itertools.product([True, False], [True, False])))
def test_indices_equal_pytorchs(n, replicas, shuffle, drop_last):
    for rank in range(replicas):
        for seed, epoch in [(0, 0), (5, 3), (2**32 + 1, 1)]:
            mine = DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            theirs = TorchSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            mine.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(mine) == list(theirs)
            assert len(mine) == len(theirs) and mine.total_size == theirs.total_size


def test_epochs_reshuffle_and_ranks_cover_the_dataset():
    n, replicas = 23, 4
    samplers = [DistributedSampler(range(n), replicas, r, seed=1) for r in range(replicas)]
    first = [list(s) for s in samplers]
    assert set(sum(first, [])) == set(range(n))
    assert len(sum(first, [])) == 24  # padded to a multiple of 4 by repeating the start
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != first


def test_in_a_data_loader_batches_follow_the_sampler():
    ds = TensorDataset(ag.arange(20))
    sampler = DistributedSampler(ds, num_replicas=3, rank=2, seed=4)
    batches = [b[0].tolist() for b in DataLoader(ds, batch_size=3, sampler=sampler)]
    expected = list(TorchSampler(range(20), 3, 2, seed=4))
    assert sum(batches, []) == expected and [len(b) for b in batches] == [3, 3, 1]
    assert FromModulePath is DistributedSampler


def test_bad_rank_and_missing_process_group():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(5))


def test_large_permutation_matches_torch_randperm():
    g = torch.Generator()
    g.manual_seed(11)
    expected = torch.randperm(300_000, generator=g).numpy()
    sampler = DistributedSampler(range(300_000), num_replicas=1, rank=0, seed=11)
    np.testing.assert_array_equal(sampler._order(), expected)
