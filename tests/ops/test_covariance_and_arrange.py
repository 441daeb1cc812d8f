"""mv, addr, cov, corrcoef (ops/covariance.py) and rot90, atleast_nd, the stacks and
splits, block_diag and combinations (ops/arrange.py) beyond the op table's samples:
errors as PyTorch's, cov's degrees-of-freedom warning, results that are tuples."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare


@pytest.mark.parametrize("call,error,match", [
    (lambda lib: lib.mv(lib.ones(3, 4), lib.ones(5)), RuntimeError, "size mismatch"),
    (lambda lib: lib.mv(lib.ones(3), lib.ones(3)), RuntimeError, "vector \\+ matrix @ vector"),
    (lambda lib: lib.mv(lib.ones(3, 4), lib.ones(4, dtype=lib.float64)), RuntimeError,
     "same dtype"),
    (lambda lib: lib.addr(lib.ones(3, 4), lib.ones(3, 4), lib.ones(4)), RuntimeError,
     "Expected 1-D argument vec1"),
    (lambda lib: lib.addr(lib.ones(2, 4), lib.ones(3), lib.ones(4)), RuntimeError,
     "can't be broadcast"),
    (lambda lib: lib.addr(lib.ones(3, 4, dtype=lib.int64), lib.ones(3, dtype=lib.int64),
                          lib.ones(4, dtype=lib.int64), alpha=0.5), RuntimeError,
     "must not be a floating point"),
    (lambda lib: lib.cov(lib.ones(2, 3, 4)), RuntimeError, "two or fewer dimensions"),
    (lambda lib: lib.cov(lib.ones(2, 3, dtype=lib.bool)), RuntimeError, "bool"),
    (lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.ones(3)), RuntimeError, "integral dtype"),
    (lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.ones(4, dtype=lib.int64)), RuntimeError,
     "same numel"),
    (lambda lib: lib.cov(lib.ones(2, 3), fweights=-lib.ones(3, dtype=lib.int64)), RuntimeError,
     "cannot be negative"),
    (lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.ones(3, dtype=lib.int64)), RuntimeError,
     "floating point dtype"),
    (lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.zeros(3)), RuntimeError, "sum to zero"),
    (lambda lib: lib.corrcoef(lib.ones(2, 3, 4)), RuntimeError, "two or fewer dimensions"),
    (lambda lib: lib.rot90(lib.ones(3)), RuntimeError, "total dims >= 2"),
    (lambda lib: lib.rot90(lib.ones(3, 3), 1, [0]), RuntimeError, "rotation dims == 2"),
    (lambda lib: lib.rot90(lib.ones(3, 3), 1, [1, 1]), RuntimeError, "to be different"),
    (lambda lib: lib.rot90(lib.ones(3, 3), 1, [0, 3]), IndexError, "out of range"),
    (lambda lib: lib.rot90(lib.ones(3, 3), 1, [0, 2]), IndexError, "out of range"),
    (lambda lib: lib.rot90(lib.ones(3, 3), 1, [0, -2]), RuntimeError, "to be different"),
    (lambda lib: lib.hsplit(lib.tensor(1.0), 1), RuntimeError, "at least 1 dimension"),
    (lambda lib: lib.hsplit(lib.ones(2, 5), 2), RuntimeError, "not divisible"),
    (lambda lib: lib.vsplit(lib.ones(4), 2), RuntimeError, "at least 2 dimensions"),
    (lambda lib: lib.dsplit(lib.ones(2, 4), 2), RuntimeError, "at least 3 dimensions"),
    (lambda lib: lib.dstack([]), RuntimeError, "non-empty"),
    (lambda lib: lib.block_diag(lib.ones(1, 2, 3)), RuntimeError, "2 or fewer dimensions"),
    (lambda lib: lib.combinations(lib.ones(2, 2)), RuntimeError, "1D vector"),
    (lambda lib: lib.combinations(lib.ones(3), -1), RuntimeError, "non-negative"),
])
def test_errors_match_pytorch(call, error, match):
    with pytest.raises(error, match=match):
        call(ag)
    with pytest.raises(error):  # torch agrees it is an error of that kind
        call(torch)


def test_cov_with_no_degrees_of_freedom_warns_and_divides_by_zero():
    x = np.array([[1.0], [2.0]])
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ours = ag.cov(ag.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cov(torch.tensor(x))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_cov_weights_get_gradients_as_pytorch():
    rng = np.random.default_rng(0)
    x, aw = rng.standard_normal((3, 6)), rng.uniform(0.5, 2.0, 6)
    fw = np.array([1, 2, 0, 3, 1, 2])
    compare(lambda lib, x, aw, fw: lib.cov(x, fweights=fw, aweights=aw), x, aw, fw)
    compare(lambda lib, x, aw, fw: lib.cov(x, correction=3, fweights=fw, aweights=aw), x, aw, fw)


def test_atleast_and_split_results_are_tuples_as_pytorchs():
    x = ag.ones(2, 4)
    assert ag.atleast_1d(x) is x
    assert isinstance(ag.atleast_2d(x, x), tuple) and isinstance(ag.atleast_3d([x]), tuple)
    assert [tuple(p.shape) for p in x.hsplit(1, 3)] == [(2, 1), (2, 2), (2, 1)]
    assert [tuple(p.shape) for p in x.vsplit([1])] == [(1, 4), (1, 4)]
    assert ag.row_stack is not ag.vstack  # its own entry, PyTorch's deprecated alias
