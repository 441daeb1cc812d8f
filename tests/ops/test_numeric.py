"""fmax, fmin, float_power, gcd, lcm, isposinf/isneginf/isreal, unravel_index, histc
(ops/numeric.py) and trapezoid, cumulative_trapezoid, vander (ops/integration.py) beyond
the op table's samples: errors as PyTorch's, histc's binning at many values and bin
edges, and vander's gradient (PyTorch's backward raises there)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import assert_same, gradcheck


@pytest.mark.parametrize("call,error,match", [
    (lambda lib: lib.fmax(lib.ones(2), 2.0), TypeError, "must be Tensor"),
    (lambda lib: lib.fmin(lib.ones(2), 2.0), TypeError, "must be Tensor"),
    (lambda lib: lib.ones(2).float_power_(2), RuntimeError, "float_power_"),
    (lambda lib: lib.gcd(lib.ones(2), lib.ones(2)), NotImplementedError, "gcd"),
    (lambda lib: lib.lcm(lib.tensor([True]), lib.tensor([True])), NotImplementedError, "lcm"),
    (lambda lib: lib.gcd(lib.tensor([4]), 2), TypeError, "must be Tensor"),
    (lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 3)), TypeError, "integer dtype"),
    (lambda lib: lib.unravel_index(lib.tensor([1]), (2, -3)), ValueError, "negative"),
    (lambda lib: lib.histc(lib.tensor([1, 2, 3]), 3), RuntimeError, "histogram_cpu"),
    (lambda lib: lib.histc(lib.ones(3), 0), RuntimeError, "bins must be > 0"),
    (lambda lib: lib.histc(lib.ones(3), 3, min=3, max=1), RuntimeError, "max must be larger"),
    (lambda lib: lib.histc(lib.tensor([1.0, float("inf")]), 3), RuntimeError, "not finite"),
    (lambda lib: lib.trapezoid(lib.ones(3), lib.ones(4)), RuntimeError, "one `x` value"),
    (lambda lib: lib.cumulative_trapezoid(lib.ones(3), lib.ones(2)), RuntimeError,
     "one `x` value"),
    (lambda lib: lib.trapezoid(lib.ones(3, dtype=lib.bool)), RuntimeError, "bool"),
    (lambda lib: lib.trapezoid(lib.tensor(1.0)), IndexError, "Dimension specified as -1"),
    (lambda lib: lib.vander(lib.ones(2, 2)), RuntimeError, "one-dimensional"),
    (lambda lib: lib.vander(lib.ones(2), -1), RuntimeError, "non-negative"),
])
def test_errors_match_pytorch(call, error, match):
    with pytest.raises(error, match=match):
        call(ag)
    with pytest.raises(error):  # torch agrees it is an error of that kind
        call(torch)


@pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16"])
def test_histc_bins_values_as_pytorch_at_the_edges(dtype):
    rng = np.random.default_rng(3)
    edges = np.linspace(-2.0, 3.0, 12)  # values exactly on bin edges, and between
    values = np.concatenate([rng.uniform(-2.5, 3.5, 2000), edges, edges + 1e-7, edges - 1e-7])
    for bins, lo, hi in ((11, -2.0, 3.0), (7, -1.3, 2.9), (100, 0, 0), (3, 0.1, 0.2)):
        x = ag.tensor(values).to(getattr(ag, dtype))
        t = torch.tensor(values).to(getattr(torch, dtype))
        assert_same(ag.histc(x, bins, lo, hi), torch.histc(t, bins, lo, hi), dict(rtol=0, atol=0))


def test_float_power_in_place_on_float64_matches_pytorch():
    x = ag.tensor([1.5, 2.0, 0.5], dtype=ag.float64)
    t = torch.tensor([1.5, 2.0, 0.5], dtype=torch.float64)
    assert x.float_power_(ag.tensor([2, 3, 1])) is x
    t.float_power_(torch.tensor([2, 3, 1]))
    assert_same(x, t)


def test_vander_is_differentiable_where_pytorchs_backward_raises():
    x = np.array([0.5, -1.5, 2.0, 0.0])
    gradcheck(lambda t: ag.vander(t), x, second_order=True)
    gradcheck(lambda t: ag.vander(t, 5, increasing=True), x, second_order=True)
    with pytest.raises(RuntimeError):
        torch.vander(torch.tensor(x, requires_grad=True)).sum().backward()


def test_unravel_index_wraps_out_of_range_indices_as_pytorch():
    idx = np.array([-7, -1, 0, 5, 6, 13])
    ours = ag.unravel_index(ag.tensor(idx), (2, 3))
    theirs = torch.unravel_index(torch.tensor(idx), (2, 3))
    for a, t in zip(ours, theirs):
        assert_same(a, t)
