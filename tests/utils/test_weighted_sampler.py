"""WeightedRandomSampler: PyTorch's argument checks and errors, lengths, and the
distribution of its draws (the stream differs from PyTorch's, so draws are compared
by their statistics), repeatable under a seed or a generator."""
import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import autograd_lite as ag
from autograd_lite.utils.data import DataLoader, TensorDataset, WeightedRandomSampler


def _error(make):
    try:
        make()
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("args,kwargs", [
    (([1.0, 2.0], 0), {}), (([1.0, 2.0], -3), {}), (([1.0, 2.0], 2.0), {}), (([1.0, 2.0], True), {}),
    (([1.0, 2.0], "3"), {}), (([1.0, 2.0], 2), {"replacement": 1}), (([1.0, 2.0], 2), {"replacement": None}),
    (([[1.0, 2.0]], 2), {}), ((5.0, 2), {}), ((np.ones((2, 2)), 1), {}),
])
def test_bad_arguments_raise_as_in_torch(args, kwargs):
    ours = _error(lambda: WeightedRandomSampler(*args, **kwargs))
    theirs = _error(lambda: tdata.WeightedRandomSampler(*args, **kwargs))
    assert theirs is not None and ours == theirs


@pytest.mark.parametrize("weights,n,replacement,problem", [
    ([1.0, -1.0], 2, True, "< 0"), ([1.0, -1.0], 1, False, "< 0"), ([0.0, 0.0], 1, True, "sum of probabilities <= 0"),
    ([1.0, float("nan")], 1, True, "nan"), ([1.0, float("inf")], 1, False, "inf"),
    ([1.0, 2.0], 3, False, "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    ([0.0, 0.0, 0.0], 2, False, "sum of probabilities <= 0"),
])
def test_bad_distributions_raise_on_iteration_as_torch(weights, n, replacement, problem):
    ours = WeightedRandomSampler(weights, n, replacement)  # accepted until drawn, as in torch
    theirs = tdata.WeightedRandomSampler(weights, n, replacement)
    with pytest.raises(RuntimeError) as info:
        list(ours)
    with pytest.raises(RuntimeError) as torch_info:
        list(theirs)
    # torch words a negative weight two ways depending on the kernel; both name the problem
    assert problem in str(info.value) and problem in str(torch_info.value)


def test_bad_weight_types_raise_a_clear_error():
    with pytest.raises(TypeError, match="weights must be a sequence of numbers"):
        WeightedRandomSampler(["a", "b"], 2)
    with pytest.raises(TypeError, match="weights must be a sequence of numbers"):
        WeightedRandomSampler(None, 2)


@pytest.mark.parametrize("weights", [[0.1, 0.9, 0.4], np.array([1, 2, 3]), (3, 1),
                                     "tensor64", "tensor32"])
def test_attributes_and_len_match_torch(weights):
    ours_w, theirs_w = weights, weights
    if isinstance(weights, str) and weights == "tensor64":
        ours_w, theirs_w = ag.tensor([0.5, 1.5], dtype=ag.float64), torch.tensor([0.5, 1.5], dtype=torch.float64)
    elif isinstance(weights, str):
        ours_w, theirs_w = ag.tensor([0.5, 1.5]), torch.tensor([0.5, 1.5])
    ours = WeightedRandomSampler(ours_w, 7, replacement=True)
    theirs = tdata.WeightedRandomSampler(theirs_w, 7, replacement=True)
    assert len(ours) == len(theirs) == 7 and ours.num_samples == theirs.num_samples
    assert ours.replacement is theirs.replacement is True
    assert isinstance(ours.weights, ag.Tensor) and ours.weights.dtype == ag.float64
    assert theirs.weights.dtype == torch.float64
    np.testing.assert_array_equal(ours.weights.numpy(), theirs.weights.numpy())
    drawn = list(ours)
    assert len(drawn) == 7 and all(isinstance(i, int) for i in drawn)


def test_frequencies_follow_the_weights_with_replacement():
    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    ag.manual_seed(0)
    torch.manual_seed(0)
    n = 60_000
    ours = np.bincount(list(WeightedRandomSampler(weights, n)), minlength=6) / n
    theirs = np.bincount(list(tdata.WeightedRandomSampler(weights, n)), minlength=6) / n
    p = np.array(weights) / sum(weights)
    tol = 4 * np.sqrt(p * (1 - p) / n)  # four standard errors
    assert np.all(np.abs(ours - p) < tol) and np.all(np.abs(theirs - p) < tol)


def test_without_replacement_draws_distinct_indices_heaviest_first_more_often():
    weights = [0.9, 0.4, 0.05, 0.2, 0.3, 0.1]
    ag.manual_seed(1)
    runs = [list(WeightedRandomSampler(weights, 6, replacement=False)) for _ in range(3000)]
    assert all(sorted(r) == list(range(6)) for r in runs)
    firsts = np.bincount([r[0] for r in runs], minlength=6) / len(runs)
    p = np.array(weights) / sum(weights)
    assert np.all(np.abs(firsts - p) < 4 * np.sqrt(p * (1 - p) / len(runs)) + 1e-9)
    # zero weights are never drawn while positive ones remain (as torch.multinomial)
    assert all(set(WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 2, replacement=False)) == {1, 3}
               for _ in range(20))


def test_repeatable_with_a_seed_or_a_generator_and_new_each_epoch():
    weights = np.linspace(0.1, 1.0, 10)
    ag.manual_seed(3)
    first = list(WeightedRandomSampler(weights, 50))
    ag.manual_seed(3)
    again = WeightedRandomSampler(weights, 50)
    assert list(again) == first
    assert list(again) != first  # the next epoch draws anew
    gen = ag.Generator().manual_seed(7)
    a = list(WeightedRandomSampler(weights, 50, generator=gen))
    b = list(WeightedRandomSampler(weights, 50, generator=ag.Generator().manual_seed(7)))
    assert a == b
    ag.manual_seed(3)
    list(WeightedRandomSampler(weights, 5, generator=ag.Generator().manual_seed(1)))
    assert list(WeightedRandomSampler(weights, 50)) == first  # a generator leaves the global stream alone


def test_as_a_dataloader_sampler():
    ds = TensorDataset(ag.arange(4.0))
    ag.manual_seed(0)
    batches = list(DataLoader(ds, batch_size=3, sampler=WeightedRandomSampler([0, 0, 1, 0], 7)))
    assert [b[0].tolist() for b in batches] == [[2.0] * 3, [2.0] * 3, [2.0]]
