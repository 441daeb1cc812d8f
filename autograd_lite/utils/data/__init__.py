"""Datasets, samplers and the DataLoader, with PyTorch's names and behaviour
(`torch.utils.data`), loading in the main process.

Shuffling and `random_split` draw from `autograd_lite.random.generator()` (or a
`numpy.random.Generator` given as `generator=`), so `ag.manual_seed(n)` makes them
repeatable; the permutations differ from PyTorch's.

A DataLoader over a `TensorDataset` (or a `Subset` of one, at any depth) with the
default collate gathers each batch with one fancy index per tensor instead of
fetching and stacking item by item; the batches are identical.
"""
import bisect
import collections.abc
import math
import warnings
from typing import Generic, Iterable, List, TypeVar

import numpy as np

from ... import random as _random
from ..._dtypes import bfloat16
from ...ops.creation import as_tensor, tensor
from ...ops.shape import stack
from ...tensor import Tensor

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "DataLoader", "default_collate", "default_convert", "random_split", "DistributedSampler",
    "WeightedRandomSampler", "get_worker_info",
]

# The type parameter of the generic classes, as PyTorch's: `Dataset[Tuple[Tensor, int]]`,
# `Sampler[int]` (subscripting is for type checkers; it changes nothing at run time).
_T_co = TypeVar("_T_co", covariant=True)

_COLLATE_TYPES = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


# ---- datasets ---------------------------------------------------------------------------------
class Dataset(Generic[_T_co]):
    """A map-style dataset: subclasses define `__getitem__(index)` and `__len__()`.
    Generic in the item type, as PyTorch's: `class D(Dataset[Tuple[Tensor, int]])`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[_T_co], Iterable[_T_co]):
    """A dataset that is a stream: subclasses define `__iter__()`. Generic in the item
    type, as PyTorch's."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset):
    """Samples are `(t[i] for t in tensors)`; every tensor has the same first dim.
    NumPy arrays are accepted and wrapped as tensors without a copy."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        ts = []
        for i, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                t = as_tensor(t)
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, expected a Tensor")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is a 0-d tensor; it needs a first dim to index")
            ts.append(t)
        sizes = [t.shape[0] for t in ts]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"TensorDataset: size mismatch between tensors: first dims are {sizes}")
        self.tensors = tuple(ts)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset[_T_co]):
    """The items of `dataset` at `indices`, in that order (generic, as PyTorch's)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset[_T_co]):
    """Datasets one after the other (generic, as PyTorch's)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += n
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which >= len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for length {n}")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths.
    Lengths may be counts summing to `len(dataset)` or fractions summing to 1 (the
    floor of each share, the remainder handed out one by one from the first)."""
    n = len(dataset)
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            counts.append(int(math.floor(n * frac)))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
        lengths = counts
    for i, length in enumerate(lengths):
        if int(length) != length or length < 0:
            raise ValueError(f"random_split: length at index {i} must be a non-negative integer, got {length}")
    lengths = [int(length) for length in lengths]
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = _gen(generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + length]))
        start += length
    return out


# ---- samplers ---------------------------------------------------------------------------------
def _gen(generator):
    """The generator to draw from: the given one, else the global one *now* (so a later
    `ag.manual_seed` takes effect)."""
    return generator if generator is not None else _random.generator()


class Sampler(Generic[_T_co]):
    """Iterates over dataset indices. Generic in what it yields, as PyTorch's:
    `class S(Sampler[int])`."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """The indices 0, 1, ..., len(data_source) - 1, in order (`DataLoader`'s default
    without `shuffle`)."""

    def __init__(self, data_source):
        self.data_source = data_source

    def _order(self):
        return np.arange(len(self.data_source))

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A fresh permutation each epoch (or `num_samples` draws with replacement)."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        """How many indices an epoch yields: `num_samples`, or the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self):
        n, k = len(self.data_source), self.num_samples
        gen = _gen(self.generator)
        if self.replacement:
            return gen.integers(0, n, size=k)
        reps = [gen.permutation(n) for _ in range(-(-k // n))]
        return np.concatenate(reps)[:k] if len(reps) != 1 or k != n else reps[0]

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        perm = _gen(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in perm.tolist())

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler[List[int]]):
    """Groups the indices of `sampler` into lists of `batch_size`."""

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _array_batches(self):
        """The batches as integer arrays when the sampler can give its whole order at
        once (the built-in ones), else None."""
        if type(self.sampler) not in (SequentialSampler, RandomSampler, DistributedSampler):
            return None
        order = self.sampler._order()
        n, b = len(order), self.batch_size
        stop = n - n % b if self.drop_last else n
        return (order[i:i + b] for i in range(0, stop, b))

    def __iter__(self):
        batches = self._array_batches()
        if batches is not None:
            return (b.tolist() for b in batches)
        return self._python_batches()

    def _python_batches(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ---- collate ----------------------------------------------------------------------------------
def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _stack_tensors(batch):
    first = batch[0]
    if (any(t._requires_grad for t in batch) or any(t.dtype != first.dtype for t in batch)
            or any(t.shape != first.shape for t in batch)):
        return stack(batch)  # keeps the graph, promotes dtypes, or reports the bad shape
    return Tensor._make(np.stack([t._data for t in batch]), False, None, 0, [0, 0])


def default_collate(batch):
    """Merge a list of samples into a batch, as PyTorch's `default_collate`: tensors and
    NumPy arrays are stacked, Python ints become an int64 tensor, floats a float64
    tensor, bools a bool tensor, NumPy scalars keep their dtype; strings stay as they
    are; dicts, tuples and lists are collated field by field (a tuple gives a list)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "SaUOV" and elem.dtype != bfloat16:
            raise TypeError(_COLLATE_TYPES.format(elem.dtype))
        return _stack_tensors([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        if elem.dtype.kind in "SaUOV" and elem.dtype != bfloat16:
            raise TypeError(_COLLATE_TYPES.format(elem.dtype))
        return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, int):  # bools too: all bools give a bool tensor
        return tensor(batch)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        if type(elem) is dict:
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple) or type(elem) is list:
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_COLLATE_TYPES.format(type(elem)))


def default_convert(data):
    """What a DataLoader with `batch_size=None` does to each sample: NumPy arrays and
    scalars become tensors, containers are converted element by element (a tuple
    gives a list, as PyTorch)."""
    if isinstance(data, Tensor) or isinstance(data, (str, bytes)):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind in "SaUOV" and data.dtype != bfloat16:
            return data
        return as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(v) for key, v in data.items()}
        if type(data) is dict:
            return fields
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        fields = [default_convert(d) for d in data]
        if type(data) is list:
            return fields
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    return data


# ---- the fast path over tensors -----------------------------------------------------------------
def _tensor_source(dataset):
    """`(tensors, index_map)` when every item of `dataset` is `(t[index_map[i]] for t in
    tensors)`: a TensorDataset, or Subsets of one (whose `__getitem__` is not
    overridden); index_map is None for the identity. Otherwise None."""
    maps = []
    while type(dataset).__getitem__ is Subset.__getitem__:
        idx = np.asarray(dataset.indices)
        if idx.size == 0:
            idx = idx.astype(np.intp)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            return None
        maps.append(idx)
        dataset = dataset.dataset
    if type(dataset).__getitem__ is not TensorDataset.__getitem__:
        return None
    tensors = getattr(dataset, "tensors", None)
    if not isinstance(tensors, tuple) or not all(isinstance(t, Tensor) for t in tensors):
        return None
    n = len(dataset)
    index_map = None
    for idx in reversed(maps):  # innermost Subset first
        if idx.size and (idx.min() < -n or idx.max() >= n):
            return None  # out of range: let the item-wise path raise the usual IndexError
        idx = np.where(idx < 0, idx + n, idx) if idx.size and idx.min() < 0 else idx
        index_map = idx if index_map is None else index_map[idx]
        n = len(idx)
    return tensors, index_map


def _gather(t, idx):
    """`stack([t[i] for i in idx])` in one fancy index."""
    if t._requires_grad:
        return t[idx]  # differentiable, like the stacked items
    return Tensor._make(t._data[idx], False, None, 0, [0, 0])


# ---- the loader -------------------------------------------------------------------------------
class DataLoader(Generic[_T_co]):
    """Iterates over `dataset` in batches, as `torch.utils.data.DataLoader`. Loading
    runs in the main process: `num_workers`, `pin_memory` and the other worker
    options are accepted and ignored (`get_worker_info()` is always None). `generator`
    is a `numpy.random.Generator` (default: the global one, so `ag.manual_seed` makes
    shuffling repeatable). Generic in the batch type, as PyTorch's."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif self._iterable and batch_size is not None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
                raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and batch_size is not None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self):
        if self._iterable:
            return self._iter_stream()
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        if self.collate_fn is default_collate and type(self.batch_sampler) is BatchSampler:
            source = _tensor_source(self.dataset)
            if source is not None:
                batches = self.batch_sampler._array_batches()
                if batches is not None:
                    return self._iter_tensors(source, batches)
        return self._iter_items()

    def _iter_tensors(self, source, batches):
        tensors, index_map = source
        for idx in batches:
            if index_map is not None:
                idx = index_map[idx]
            yield [_gather(t, idx) for t in tensors]

    def _iter_items(self):
        getitems = getattr(self.dataset, "__getitems__", None)
        for batch in self.batch_sampler:
            samples = getitems(batch) if getitems else [self.dataset[i] for i in batch]
            yield self.collate_fn(samples)

    def _iter_stream(self):
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


from .distributed import DistributedSampler  # noqa: E402 (it builds on Sampler above)
from .sampler import WeightedRandomSampler  # noqa: E402 (likewise)
from .dataloader import get_worker_info  # noqa: E402 (the module imports the loader above)
