"""autograd_lite.utils.data against torch.utils.data: batches, lengths, collate,
random_split, shuffling repeatability, and the TensorDataset fast path."""
import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import autograd_lite as ag
import autograd_lite.utils.data as data
from autograd_lite.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                      RandomSampler, SequentialSampler, Subset, TensorDataset,
                                      default_collate, random_split)

Pair = collections.namedtuple("Pair", "x y")


def plain(obj):
    """A comparable form of a (possibly nested) batch from either library:
    tensors become (dtype, shape, values); containers keep their type."""
    if isinstance(obj, (ag.Tensor, torch.Tensor)):
        arr = obj.detach().numpy() if isinstance(obj, torch.Tensor) else obj._data
        return ("tensor", arr.dtype.str, arr.shape, arr.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, plain(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return (type(obj).__name__, obj)


def both(rng, n=10):
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = rng.integers(0, 5, n)
    return (TensorDataset(ag.tensor(x), ag.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


# ---- batches and lengths ------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 16])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_and_len_match_torch(rng, batch_size, drop_last):
    ds, tds = both(rng)
    ours = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(tds, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want) == len(ours)
    assert [plain(b) for b in got] == [plain(b) for b in want]


def test_drop_last_sizes():
    ds = TensorDataset(ag.arange(10))
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4)] == [4, 4, 2]
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(ds, batch_size=20, drop_last=True)) == 0
    assert list(DataLoader(ds, batch_size=20, drop_last=True)) == []


def test_batch_is_a_list_of_tensors_with_kept_dtypes():
    ds = TensorDataset(ag.zeros(6, 2, 3, dtype=ag.float64), ag.arange(6, dtype=ag.int32), ag.ones(6, dtype=ag.bool))
    xb, yb, mb = next(iter(DataLoader(ds, batch_size=4)))
    assert (xb.shape, xb.dtype, yb.dtype, mb.dtype) == ((4, 2, 3), np.float64, np.int32, np.bool_)
    assert isinstance(next(iter(DataLoader(ds, batch_size=4))), list)


def test_batch_size_none_matches_torch(rng):
    ds, tds = both(rng, 4)
    got = list(DataLoader(ds, batch_size=None))
    want = list(tdata.DataLoader(tds, batch_size=None))
    assert [plain(b) for b in got] == [plain(b) for b in want]


def test_user_sampler_and_batch_sampler(rng):
    ds, tds = both(rng, 9)
    order = [8, 0, 3, 3, 5]
    assert [plain(b) for b in DataLoader(ds, batch_size=2, sampler=order)] == \
        [plain(b) for b in tdata.DataLoader(tds, batch_size=2, sampler=order)]
    batches = [[1, 2], [7], [0, 4, 6]]
    assert [plain(b) for b in DataLoader(ds, batch_sampler=batches)] == \
        [plain(b) for b in tdata.DataLoader(tds, batch_sampler=batches)]
    assert len(DataLoader(ds, batch_sampler=batches)) == 3


def test_option_conflicts_raise_like_torch():
    ds = TensorDataset(ag.arange(4))
    with pytest.raises(ValueError):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError):
        DataLoader(ds, batch_size=0)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": np.full(2, i, np.float32), "i": i, "name": f"item{i}", "w": i / 2}


def test_map_dataset_of_dicts_matches_torch():
    got = list(DataLoader(Squares(5), batch_size=2))
    want = list(tdata.DataLoader(Squares(5), batch_size=2))
    assert [plain(b) for b in got] == [plain(b) for b in want]


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TorchStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_matches_torch(drop_last):
    ours = DataLoader(Stream(7), batch_size=3, drop_last=drop_last)
    theirs = tdata.DataLoader(TorchStream(7), batch_size=3, drop_last=drop_last)
    assert [plain(b) for b in ours] == [plain(b) for b in theirs]
    assert len(ours) == len(theirs)
    with pytest.raises(ValueError):
        DataLoader(Stream(3), shuffle=True)


# ---- shuffling ----------------------------------------------------------------------------------
def epoch_values(loader):
    return [b[0]._data.tolist() for b in loader]


def test_shuffle_is_repeatable_with_manual_seed_and_reshuffles_each_epoch():
    ds = TensorDataset(ag.arange(50))
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    ag.manual_seed(123)
    first, second = epoch_values(loader), epoch_values(loader)
    ag.manual_seed(123)
    assert epoch_values(loader) == first
    assert epoch_values(loader) == second
    assert first != second
    for ep in (first, second):
        flat = [v for b in ep for v in b]
        assert sorted(flat) == list(range(50)) and flat != list(range(50))


def test_shuffle_draws_from_the_seed_at_iteration_time():
    loader = DataLoader(TensorDataset(ag.arange(30)), batch_size=30, shuffle=True)  # made before seeding
    ag.manual_seed(5)
    a = epoch_values(loader)
    ag.manual_seed(5)
    assert epoch_values(DataLoader(TensorDataset(ag.arange(30)), batch_size=30, shuffle=True)) == a


def test_explicit_generator():
    ds = TensorDataset(ag.arange(40))
    a = epoch_values(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(7)))
    ag.manual_seed(0)
    b = epoch_values(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(7)))
    assert a == b
    state = ag.get_rng_state()
    epoch_values(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(7)))
    assert ag.get_rng_state() == state  # the global generator was not used


def test_random_sampler_with_replacement_and_num_samples():
    ag.manual_seed(0)
    idx = list(RandomSampler(range(5), replacement=True, num_samples=40))
    assert len(idx) == 40 and set(idx) <= set(range(5))
    idx = list(RandomSampler(range(5), num_samples=12))
    assert len(idx) == 12 and sorted(idx[:5]) == list(range(5)) and sorted(idx[5:10]) == list(range(5))
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]


# ---- collate ------------------------------------------------------------------------------------
COLLATE_CASES = {
    "python ints": [1, 2, 3],
    "python floats": [1.5, 2.0],
    "bools": [True, False],
    "numpy float32 scalars": [np.float32(1), np.float32(2)],
    "numpy int32 scalars": [np.int32(1), np.int32(2)],
    "numpy arrays": [np.ones((2, 2), np.int16), np.zeros((2, 2), np.int16)],
    "strings": ["a", "b"],
    "tuples": [(1, "a", 0.5), (2, "b", 1.5)],
    "lists": [[1, 2], [3, 4]],
    "dicts": [{"x": 1, "y": [1.0, 2]}, {"x": 3, "y": [3.0, 4]}],
    "ordered dicts": [collections.OrderedDict(b=1, a=2.0), collections.OrderedDict(b=3, a=4.0)],
    "namedtuples": [Pair(1, 2.0), Pair(3, 4.0)],
}


@pytest.mark.parametrize("name", COLLATE_CASES)
def test_default_collate_matches_torch(name):
    batch = COLLATE_CASES[name]
    assert plain(default_collate(batch)) == plain(tdata.default_collate(batch))


def test_default_collate_of_tensors():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    got = default_collate([(ag.tensor(a), i) for i, a in enumerate(arrays)])
    want = tdata.default_collate([(torch.tensor(a), i) for i, a in enumerate(arrays)])
    assert plain(got) == plain(want)


def test_default_collate_keeps_the_graph():
    w = ag.ones(3, requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad._data, np.full(3, 5.0, np.float32))


@pytest.mark.parametrize("batch, error", [
    ([None, None], TypeError),
    ([np.array(["a"]), np.array(["b"])], TypeError),
    ([[1, 2], [1]], RuntimeError),
    ([ag.zeros(2), ag.zeros(3)], RuntimeError),
])
def test_default_collate_errors_like_torch(batch, error):
    with pytest.raises(error):
        default_collate(batch)
    tbatch = [torch.tensor(b._data) if isinstance(b, ag.Tensor) else b for b in batch]
    with pytest.raises(error):
        tdata.default_collate(tbatch)


# ---- datasets -----------------------------------------------------------------------------------
def test_tensor_dataset():
    x, y = ag.arange(12.0).reshape(4, 3), ag.arange(4)
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi._data.tolist() == [6.0, 7.0, 8.0] and yi.item() == 2
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(ag.zeros(3), ag.zeros(4))
    with pytest.raises(ValueError):
        TensorDataset()
    with pytest.raises(ValueError):
        TensorDataset(ag.tensor(1.0))
    arr = np.arange(5)
    assert TensorDataset(arr).tensors[0]._data is arr  # arrays are wrapped, not copied


def test_subset_and_concat():
    ds = TensorDataset(ag.arange(10))
    sub = Subset(ds, [9, 2, 4])
    assert len(sub) == 3 and sub[0][0].item() == 9 and sub[-1][0].item() == 4
    cat = ds + TensorDataset(ag.arange(100, 103))
    assert isinstance(cat, ConcatDataset) and len(cat) == 13
    assert cat[10][0].item() == 100 and cat[-1][0].item() == 102 and cat[9][0].item() == 9
    with pytest.raises(IndexError):
        cat[13]


# ---- random_split -------------------------------------------------------------------------------
@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]), (7, [0.1, 0.1, 0.8]), (100, [0.7, 0.2, 0.1]),
    (5, [1.0]), (3, [0, 3]),
])
def test_random_split_lengths_match_torch_and_are_disjoint(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = random_split(range(n), lengths)
        want = [len(p) for p in tdata.random_split(range(n), lengths)]
    assert [len(p) for p in parts] == want
    items = [p[i] for p in parts for i in range(len(p))]
    assert sorted(items) == list(range(n))  # disjoint and covering
    assert all(isinstance(p, Subset) for p in parts)


def test_random_split_is_repeatable_and_random():
    ag.manual_seed(3)
    a = [list(p.indices) for p in random_split(range(20), [0.5, 0.5])]
    ag.manual_seed(3)
    b = [list(p.indices) for p in random_split(range(20), [0.5, 0.5])]
    assert a == b
    assert a[0] != list(range(10))
    c = [list(p.indices) for p in random_split(range(20), [10, 10], generator=np.random.default_rng(1))]
    d = [list(p.indices) for p in random_split(range(20), [10, 10], generator=np.random.default_rng(1))]
    assert c == d


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0"):
        random_split(range(10), [1.5, -0.5])
    with pytest.warns(UserWarning, match="index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


# ---- the fast path ------------------------------------------------------------------------------
def item_wise(loader):
    """The same loader forced onto the item-by-item path (a collate_fn that is not
    `default_collate` itself)."""
    return DataLoader(loader.dataset, batch_size=loader.batch_size, shuffle=isinstance(loader.sampler, RandomSampler),
                      drop_last=loader.drop_last, collate_fn=lambda b: default_collate(b))


@pytest.fixture
def gathers(monkeypatch):
    calls = []
    real = data._gather

    def spy(t, idx):
        calls.append(len(idx))
        return real(t, idx)

    monkeypatch.setattr(data, "_gather", spy)
    return calls


def make_datasets(rng):
    x = ag.tensor(rng.standard_normal((37, 2, 3)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 4, 37))
    m = ag.tensor(rng.random(37) > 0.5)
    ds = TensorDataset(x, y, m)
    return {
        "tensor dataset": ds,
        "subset": Subset(ds, rng.permutation(37)[:25].tolist()),
        "subset with negative indices": Subset(ds, [-1, -5, 0, 3, -37]),
        "nested subset": Subset(Subset(ds, list(range(5, 35))), [29, 0, 4, 4, 10, -2]),
        "random_split part": random_split(ds, [0.6, 0.4])[1],
        "empty subset": Subset(ds, []),
    }


@pytest.mark.parametrize("name", list(make_datasets(np.random.default_rng(0))))
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_fast_path_equals_item_wise_path(gathers, name, shuffle, drop_last):
    ds = make_datasets(np.random.default_rng(0))[name]
    fast = DataLoader(ds, batch_size=4, shuffle=shuffle and len(ds) > 0, drop_last=drop_last)
    slow = item_wise(fast)
    ag.manual_seed(11)
    got = [plain(b) for b in fast]
    n_gathers = len(gathers)
    ag.manual_seed(11)
    want = [plain(b) for b in slow]
    assert got == want
    assert len(got) == len(fast)
    assert n_gathers == 3 * len(got)  # one gather per tensor per batch: the fast path ran
    assert len(gathers) == n_gathers  # and the item-wise loader did not use it


def test_fast_path_keeps_gradients_like_the_item_wise_path(gathers):
    w = ag.tensor(np.arange(12.0).reshape(6, 2), requires_grad=True)
    loader = DataLoader(TensorDataset(w), batch_size=4)
    grads = []
    for lo in (loader, item_wise(loader)):
        w.grad = None
        for (xb,) in lo:
            (xb * xb).sum().backward()
        grads.append(w.grad._data.copy())
    assert gathers  # the first loader took the fast path
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(grads[0], 2 * w._data)


def test_fast_path_subset_out_of_range_raises_like_item_wise():
    ds = Subset(TensorDataset(ag.arange(5)), [0, 7])
    with pytest.raises(IndexError):
        list(DataLoader(ds, batch_size=2))
    with pytest.raises(IndexError):
        list(item_wise(DataLoader(ds, batch_size=2)))


def test_overridden_getitem_is_respected(gathers):
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] * 2 for t in self.tensors)

    out = list(DataLoader(Doubled(ag.arange(4)), batch_size=4))
    assert out[0][0]._data.tolist() == [0, 2, 4, 6]
    assert not gathers
