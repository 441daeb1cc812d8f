"""median, nanmedian, mode, quantile and nanquantile beyond the op table's samples: float
ties (where gradcheck can't go) with PyTorch's indices and gradients, long rows (where
PyTorch's CPU sort leaves ties in introsort's order), namedtuple results and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare

TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0, 0.5, 2.0],
                 [0.0, 0.0, 1.0, 1.0, 0.0, 2.0, 2.0, 1.0]])
RNG = np.random.default_rng(7)
LONG_TIES = RNG.integers(0, 4, (3, 57)).astype(np.float64)
LONG_TIES[RNG.random(LONG_TIES.shape) < 0.1] = np.nan
MODES = ("linear", "lower", "higher", "midpoint", "nearest")


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_ties_share_or_pick_as_pytorch(name):
    compare(lambda lib, x: getattr(lib, name)(x), TIES)  # shared evenly among the ties
    compare(lambda lib, x: getattr(lib, name)(x, 1), TIES)  # the index PyTorch picks
    compare(lambda lib, x: getattr(lib, name)(x.t(), 0, True), TIES)
    compare(lambda lib, x: getattr(lib, name)(x, 1), LONG_TIES, dtypes=(np.float64,))
    compare(lambda lib, x: getattr(lib, name)(x), LONG_TIES, dtypes=(np.float64,))


def test_mode_ties_pick_pytorchs_index():
    compare(lambda lib, x: lib.mode(x, 1), TIES)
    compare(lambda lib, x: lib.mode(x, 0, True), TIES)
    compare(lambda lib, x: lib.mode(x, 1), np.nan_to_num(LONG_TIES, nan=5.0))
    compare(lambda lib, x: lib.mode(x, 1), RNG.integers(0, 3, (4, 300)).astype(np.float64),
            dtypes=(np.float64,))


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interpolation", MODES)
def test_quantile_ties_follow_pytorchs_sort(name, interpolation):
    q = np.array([0.1, 0.5, 0.77])
    for x in (TIES, LONG_TIES):
        compare(lambda lib, x, q: getattr(lib, name)(x, q, 1, interpolation=interpolation), x, q,
                dtypes=(np.float64,))
        compare(lambda lib, x: getattr(lib, name)(x, 0.3, interpolation=interpolation), x,
                dtypes=(np.float64,))


def test_results_are_named_tuples():
    x = ag.tensor(TIES)
    for name in ("median", "nanmedian", "mode"):
        out = getattr(ag, name)(x, 1)
        assert type(out).__name__ == name and out._fields == ("values", "indices")
        assert out.indices.dtype == np.int64
    assert ag.median(x).shape == ()


@pytest.mark.parametrize("call,error,match", [
    (lambda lib: lib.median(lib.ones(0, 3), 0), IndexError, "median.*non-zero size"),
    (lambda lib: lib.nanmedian(lib.ones(3), 1), IndexError, "out of range"),
    (lambda lib: lib.median(lib.tensor([True, False])), NotImplementedError, "Bool"),
    (lambda lib: lib.mode(lib.ones(0, 3), 0), IndexError, "mode.*non-zero size"),
    (lambda lib: lib.quantile(lib.ones(3), 1.5), RuntimeError, r"range \[0, 1\]"),
    (lambda lib: lib.quantile(lib.ones(3), lib.tensor([0.5, -0.1])), RuntimeError,
     r"range \[0, 1\]"),
    (lambda lib: lib.quantile(lib.ones(3, dtype=lib.int64), 0.5), RuntimeError,
     "float or double"),
    (lambda lib: lib.quantile(lib.ones(3), lib.ones(2, 2) / 2), RuntimeError, "scalar or 1D"),
    (lambda lib: lib.quantile(lib.ones(3), lib.tensor([0.5], dtype=lib.float64)), RuntimeError,
     "same dtype"),
    (lambda lib: lib.nanquantile(lib.ones(3), 0.5, interpolation="cubic"), RuntimeError,
     "interpolation must be one of"),
    (lambda lib: lib.quantile(lib.ones(0, 3), 0.5, 1), RuntimeError, "non-empty"),
])
def test_errors_match_pytorch(call, error, match):
    with pytest.raises(error, match=match):
        call(ag)
    with pytest.raises(error):  # torch agrees it is an error of that kind
        call(torch)
