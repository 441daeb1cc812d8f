"""`DistributedSampler`: each rank's share of a dataset, in PyTorch's exact order."""
import math

import numpy as np

from ... import distributed
from ...kernels import lazy
from . import Sampler, _T_co


class DistributedSampler(Sampler[_T_co]):
    """Rank `rank` of `num_replicas` gets indices rank, rank + num_replicas, ... of
    the dataset's order: with `shuffle`, the permutation `torch.randperm` draws from
    seed `seed + epoch` (the same indices as PyTorch's sampler, so runs can be
    compared); the order is padded by repeating its start to a multiple of
    `num_replicas`, or cut with `drop_last`. Call `set_epoch(epoch)` each epoch for
    a new shuffle. `num_replicas` and `rank` default to the process group's. Generic,
    as PyTorch's."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if not isinstance(num_replicas, (int, np.integer)) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = drop_last
        self.shuffle = shuffle
        self.seed = seed
        n = len(dataset)
        if drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def _order(self):
        n = len(self.dataset)
        if self.shuffle:
            order = lazy.permutation.torch_randperm(n, self.seed + self.epoch)
        else:
            order = np.arange(n)
        if not self.drop_last:
            padding = self.total_size - n
            if padding > 0:
                order = np.concatenate([order, np.resize(order, padding)])
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch seeds the shuffle: call it before each epoch's iteration."""
        self.epoch = epoch
