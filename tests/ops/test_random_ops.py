"""multinomial and bernoulli: the distributions (frequencies within a few standard
errors, from fixed seeds), never a zero-weight category, no repeats without
replacement, generator= streams, gradients and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag

P = np.array([0.0, 0.1, 0.0, 0.25, 0.6, 0.05, 0.0])


def within(counts, expected, total, sigmas=5.0):
    """counts agree with expected probabilities within `sigmas` binomial errors."""
    p = np.asarray(expected)
    err = np.sqrt(total * p * (1 - p)) + 1e-9
    return np.all(np.abs(counts - total * p) <= sigmas * err + 1)


def test_with_replacement_the_frequencies_follow_the_weights():
    g = ag.Generator().manual_seed(0)
    n = 200_000
    draws = ag.multinomial(ag.tensor(P * 7.0), n, replacement=True, generator=g).numpy()
    counts = np.bincount(draws, minlength=len(P))
    assert counts[P == 0].sum() == 0  # never a zero-weight category, first or last included
    assert within(counts, P, n)


def test_zero_weights_at_both_ends_are_never_drawn():
    w = np.array([0.0, 0.0, 1e-12, 1.0, 0.0, 0.0])
    ag.manual_seed(3)
    draws = ag.multinomial(ag.tensor(w, dtype=ag.float64), 50_000, True).numpy()
    assert set(np.unique(draws)) <= {2, 3}


def test_rows_are_independent_distributions():
    w = np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 5.0]], np.float32)
    ag.manual_seed(1)
    draws = ag.multinomial(ag.tensor(w), 40_000, True).numpy()
    assert draws.shape == (2, 40_000) and draws.dtype == np.int64
    assert within(np.bincount(draws[0], minlength=3), w[0] / w[0].sum(), 40_000)
    assert within(np.bincount(draws[1], minlength=3), w[1] / w[1].sum(), 40_000)


def test_without_replacement_no_repeats_and_the_draw_order_follows_the_weights():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    p = w / w.sum()
    ag.manual_seed(2)
    rows = ag.multinomial(ag.tensor(w).expand(30_000, 4), 4).numpy()
    assert all(len(set(r)) == 4 for r in rows[:2000])
    assert within(np.bincount(rows[:, 0], minlength=4), p, 30_000)
    # the second draw: P(j second) = sum_i p_i p_j / (1 - p_i)
    second = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j)
                       for j in range(4)])
    assert within(np.bincount(rows[:, 1], minlength=4), second, 30_000)


def test_without_replacement_zero_weights_come_only_after_every_positive_one():
    ag.manual_seed(4)
    rows = ag.multinomial(ag.tensor(P).expand(500, len(P)), len(P)).numpy()
    positive = set(np.flatnonzero(P > 0))
    assert all(set(r[:len(positive)]) == positive for r in rows)
    assert ag.multinomial(ag.tensor([0.5, 0.0]), 2).tolist() == [0, 1]


def test_generators_repeat_and_keep_off_the_global_stream():
    w = ag.tensor([0.2, 0.3, 0.5])
    a = ag.multinomial(w, 20, True, generator=ag.Generator().manual_seed(7))
    ag.manual_seed(0)
    state = ag.get_rng_state()
    b = ag.multinomial(w, 20, True, generator=ag.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()
    assert ag.get_rng_state() == state


@pytest.mark.parametrize("call, match", [
    (lambda: ag.multinomial(ag.tensor([1, 2]), 1), "floating-point"),
    (lambda: ag.multinomial(ag.tensor([0.5, 0.5]), 3), "without replacement"),
    (lambda: ag.multinomial(ag.tensor([-0.5, 1.0]), 1), "element < 0"),
    (lambda: ag.multinomial(ag.tensor([np.nan, 1.0]), 1), "nan"),
    (lambda: ag.multinomial(ag.tensor([np.inf, 1.0]), 1), "inf"),
    (lambda: ag.multinomial(ag.tensor([0.0, 0.0]), 1), "sum of probabilities"),
    (lambda: ag.multinomial(ag.ones(2, 3, 4), 1), "1 or 2 dim"),
    (lambda: ag.multinomial(ag.ones(3), 0), "n_sample <= 0"),
    (lambda: ag.multinomial(ag.ones(3), 1, generator=np.random.RandomState(0)), "generator"),
])
def test_multinomial_errors_as_pytorch(call, match):
    with pytest.raises((RuntimeError, TypeError), match=match):
        call()


def test_bernoulli_frequencies_follow_the_input_probabilities():
    p = np.linspace(0.0, 1.0, 11)
    ag.manual_seed(5)
    draws = ag.bernoulli(ag.tensor(np.tile(p, (20_000, 1)), dtype=ag.float64)).numpy()
    assert draws.dtype == np.float64 and set(np.unique(draws)) <= {0.0, 1.0}
    means = draws.mean(0)
    assert means[0] == 0 and means[-1] == 1
    assert np.all(np.abs(means - p) <= 5 * np.sqrt(p * (1 - p) / 20_000) + 1e-12)


def test_bernoulli_with_p_ignores_the_values_and_keeps_the_dtype():
    ag.manual_seed(6)
    draws = ag.bernoulli(ag.zeros(50_000, dtype=ag.int64), 0.3)
    assert draws.dtype == np.int64
    assert abs(draws.numpy().mean() - 0.3) < 5 * np.sqrt(0.21 / 50_000)


def test_bernoulli_gradient_is_zero_and_the_p_overload_has_none():
    x = ag.full((3,), 0.5, requires_grad=True)
    ag.bernoulli(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    t = torch.full((3,), 0.5, requires_grad=True)
    torch.bernoulli(t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 0)
    y = ag.bernoulli(ag.full((3,), 0.5, requires_grad=True), 0.3)
    with pytest.raises(RuntimeError, match="not differentiable"):
        y.sum().backward()


def test_bernoulli_in_place_with_a_tensor_p_and_a_generator():
    p = ag.tensor([0.0, 1.0, 0.0, 1.0])
    x = ag.empty(4)
    assert x.bernoulli_(p) is x
    np.testing.assert_array_equal(x.numpy(), [0, 1, 0, 1])
    a = ag.empty(100).bernoulli_(0.5, generator=ag.Generator().manual_seed(1))
    b = ag.empty(100).bernoulli_(0.5, generator=ag.Generator().manual_seed(1))
    assert a.tolist() == b.tolist()
    ints = ag.zeros(1000, dtype=ag.int64).bernoulli_(0.5)
    assert ints.dtype == np.int64 and 300 < ints.sum().item() < 700


@pytest.mark.parametrize("call", [
    lambda: ag.bernoulli(ag.tensor([1.5])),
    lambda: ag.bernoulli(ag.ones(3), 1.5),
    lambda: ag.ones(3).bernoulli_(-0.1),
])
def test_probabilities_outside_0_1_are_refused(call):
    with pytest.raises(RuntimeError, match="p to be in"):
        call()


def test_bernoulli_of_integer_probabilities_is_refused():
    with pytest.raises(NotImplementedError, match="bernoulli"):
        ag.bernoulli(ag.tensor([1, 0]))
