"""The generic data classes (`Dataset[...]`, `Sampler[int]`, ...) subscript as PyTorch's,
without a change in behaviour; `get_worker_info`; and PyTorch's module paths
`utils.data.dataloader`, `utils.data.sampler`, `utils.data.dataset`."""
import collections.abc
import typing
from typing import Dict, Iterator, List, Tuple

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import autograd_lite as ag
import autograd_lite.utils.data as data
from autograd_lite.as_torch import aliased
from autograd_lite.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, DistributedSampler,
                                      IterableDataset, RandomSampler, Sampler, SequentialSampler, Subset,
                                      SubsetRandomSampler, TensorDataset, WeightedRandomSampler)

GENERIC_IN_TORCH = ["Dataset", "IterableDataset", "Subset", "ConcatDataset", "Sampler",
                    "DistributedSampler", "DataLoader"]
NOT_PARAMETERISED = ["TensorDataset", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                     "BatchSampler", "WeightedRandomSampler"]


@pytest.mark.parametrize("name", GENERIC_IN_TORCH)
def test_the_classes_generic_in_torch_are_generic_here(name):
    ours, theirs = getattr(data, name), getattr(tdata, name)
    assert issubclass(ours, typing.Generic)
    assert len(ours.__parameters__) == len(theirs.__parameters__) == 1
    assert ours.__parameters__[0].__covariant__
    alias = ours[int]
    assert typing.get_origin(alias) is ours and typing.get_args(alias) == (int,)


@pytest.mark.parametrize("name", NOT_PARAMETERISED)
def test_the_concrete_classes_take_no_parameter_as_in_torch(name):
    ours, theirs = getattr(data, name), getattr(tdata, name)
    assert issubclass(ours, typing.Generic) and issubclass(theirs, typing.Generic)
    assert ours.__parameters__ == theirs.__parameters__ == ()
    with pytest.raises(TypeError):
        ours[int]
    with pytest.raises(TypeError):
        theirs[int]


def test_iterable_dataset_is_an_iterable_as_in_torch():
    assert issubclass(IterableDataset, collections.abc.Iterable)
    assert issubclass(tdata.IterableDataset, collections.abc.Iterable)


class Pairs(Dataset[Tuple[ag.Tensor, int]]):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ag.tensor([float(i), 2.0 * i]), i


class TorchPairs(tdata.Dataset[Tuple[torch.Tensor, int]]):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([float(i), 2.0 * i]), i


class Stream(IterableDataset[Dict[str, int]]):
    def __iter__(self) -> Iterator[Dict[str, int]]:
        return iter([{"a": i} for i in range(5)])


class EvensFirst(Sampler[int]):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(list(range(0, self.n, 2)) + list(range(1, self.n, 2)))

    def __len__(self):
        return self.n


class TorchEvensFirst(tdata.Sampler[int]):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(list(range(0, self.n, 2)) + list(range(1, self.n, 2)))

    def __len__(self):
        return self.n


def _plain(batch):
    return [(b.detach().numpy().tolist(), str(b.dtype).split(".")[-1], tuple(b.shape)) for b in batch]


def test_subclasses_of_subscripted_classes_load_as_in_torch():
    ours = DataLoader(Pairs(7), batch_size=3, sampler=EvensFirst(7))
    theirs = tdata.DataLoader(TorchPairs(7), batch_size=3, sampler=TorchEvensFirst(7))
    assert len(ours) == len(theirs) == 3
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]
    assert [b["a"].tolist() for b in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert isinstance(Pairs(1) + Pairs(2), ConcatDataset) and len(Pairs(1) + Pairs(2)) == 3
    assert Subset[int](Pairs(4), [3, 1])[0][1] == 3


def test_subscripted_instances_and_containers():
    ds = TensorDataset(ag.arange(6.0))
    loader = DataLoader[List[ag.Tensor]](ds, batch_size=4)
    assert isinstance(loader, DataLoader) and [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5]]
    assert list(SequentialSampler(ds)) == [0, 1, 2, 3, 4, 5]
    assert list(BatchSampler(SequentialSampler(ds), 4, False)) == [[0, 1, 2, 3], [4, 5]]
    assert sorted(SubsetRandomSampler([5, 3])) == [3, 5]
    assert sorted(RandomSampler(ds)) == list(range(6))
    assert list(DistributedSampler(ds, 2, 1, shuffle=False)) == [1, 3, 5]


def test_the_fast_path_still_serves_tensor_datasets(monkeypatch):
    calls = []
    real = data._gather
    monkeypatch.setattr(data, "_gather", lambda t, idx: calls.append(1) or real(t, idx))
    list(DataLoader(TensorDataset(ag.arange(6.0)), batch_size=4))
    assert calls == [1, 1]


def test_get_worker_info_is_none_in_the_main_process():
    assert data.get_worker_info() is None and tdata.get_worker_info() is None
    seen = []

    class Probe(IterableDataset):
        def __iter__(self):
            seen.append(data.get_worker_info())
            return iter(range(3))

    assert [b.tolist() for b in DataLoader(Probe(), batch_size=2, num_workers=2)] == [[0, 1], [2]]
    assert seen == [None]


def test_the_dataloader_module_path():
    from autograd_lite.utils.data import dataloader
    assert dataloader.DataLoader is DataLoader and dataloader.default_collate is data.default_collate
    assert dataloader.default_convert is data.default_convert
    assert dataloader.get_worker_info is data.get_worker_info
    batch = dataloader.default_collate([(np.float32(1), 2), (np.float32(3), 4)])
    want = tdata.dataloader.default_collate([(np.float32(1), 2), (np.float32(3), 4)])
    assert [b.tolist() for b in batch] == [b.tolist() for b in want]
    assert [str(b.dtype).split(".")[-1] for b in batch] == [str(b.dtype).split(".")[-1] for b in want]
    converted = dataloader.default_convert({"x": np.arange(3.0)})
    assert isinstance(converted["x"], ag.Tensor) and converted["x"].dtype == ag.float64


def test_the_sampler_and_dataset_module_paths():
    from autograd_lite.utils.data import dataset, sampler
    for name in sampler.__all__:
        assert getattr(sampler, name) is getattr(data, name)
    for name in dataset.__all__:
        assert getattr(dataset, name) is getattr(data, name)
    assert set(sampler.__all__) == set(tdata.sampler.__all__)


def test_torch_scripts_import_them_under_the_alias():
    with aliased():
        import torch as t  # noqa: F811
        from torch.utils.data.dataloader import DataLoader as L, default_collate
        from torch.utils.data import Dataset as D, Sampler as S, WeightedRandomSampler as W, get_worker_info
        from torch.utils.data.sampler import WeightedRandomSampler as W2
        from torch.utils.data.dataset import Dataset as D2
        assert L is DataLoader and default_collate is data.default_collate and D is Dataset is D2
        assert S is Sampler and W is W2 is WeightedRandomSampler and get_worker_info() is None
        assert t.utils.data.default_convert is data.default_convert

        class Ds(D[Tuple[t.Tensor, int]]):
            def __len__(self):
                return 2

            def __getitem__(self, i):
                return t.ones(2) * i, i

        assert [b[1].tolist() for b in L(Ds(), batch_size=2)] == [[0, 1]]
