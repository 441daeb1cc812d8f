"""ctc_loss and CTCLoss beyond the op table: the kernels against a brute-force sum over
every alignment, the gradient's relation to the true derivative, PyTorch's behaviour
for impossible alignments, empty targets and lengths, first-order create_graph, the
refused second derivative, the module, errors."""
import itertools

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from autograd_lite.kernels import ctc as kernels
from helpers import compare


def _log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _collapse(path, blank):
    out = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
    return tuple(out)


def _brute_force_nll(lp, target, blank):
    """-log of the summed probability of every path (over T steps) that collapses to target."""
    t_len, classes = lp.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=t_len):
        if _collapse(path, blank) == tuple(target):
            total += np.exp(sum(lp[t, c] for t, c in enumerate(path)))
    return -np.log(total) if total else np.inf


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernels_match_brute_force(dtype):
    rng = np.random.default_rng(0)
    lp = _log_softmax(rng.standard_normal((5, 4, 3))).astype(dtype)
    targets = np.array([[1, 2, 0], [1, 1, 0], [2, 0, 0], [1, 1, 1]])
    in_len = np.array([5, 4, 3, 4])
    tg_len = np.array([2, 2, 1, 3])
    for blank in (0, 2):
        nll, alpha, beta = kernels.ctc_forward(lp, targets if blank == 0 else targets % 2, in_len, tg_len, blank)
        for n in range(4):
            tgt = (targets if blank == 0 else targets % 2)[n, :tg_len[n]]
            want = _brute_force_nll(lp[:in_len[n], n].astype(np.float64), tgt, blank)
            if np.isinf(want):
                assert np.isinf(nll[n])
            else:
                np.testing.assert_allclose(nll[n], want, rtol=1e-10 if dtype == np.float64 else 1e-5)


def test_gradient_is_the_derivative_through_log_softmax():
    """PyTorch's gradient is exp(log_probs) + d nll / d log_probs; through a log_softmax
    the extra term vanishes, so the gradient for the logits is the true one."""
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 1, 3))
    target, in_len, tg_len = np.array([[1, 2]]), np.array([5]), np.array([2])
    x = ag.tensor(logits, requires_grad=True)
    F.ctc_loss(ag.log_softmax(x, 2), ag.tensor(target), ag.tensor(in_len), ag.tensor(tg_len),
               reduction="sum").backward()
    eps = 1e-6
    numeric = np.zeros_like(logits)
    for idx in np.ndindex(logits.shape):
        for sign in (1, -1):
            shifted = logits.copy()
            shifted[idx] += sign * eps
            numeric[idx] += sign * _brute_force_nll(_log_softmax(shifted, 2)[:, 0], [1, 2], 0) / (2 * eps)
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_matches_torch(reduction, zero_infinity):
    rng = np.random.default_rng(2)
    lp = _log_softmax(rng.standard_normal((7, 4, 5)), 2)
    targets = np.array([[1, 2, 2, 4], [3, 1, 0, 0], [4, 4, 4, 4], [2, 0, 0, 0]])
    in_len, tg_len = np.array([7, 6, 4, 3]), np.array([3, 2, 4, 0])  # sample 2 is impossible

    def fn(lib, x):
        return lib.nn.functional.ctc_loss(x, lib.tensor(targets), lib.tensor(in_len), lib.tensor(tg_len),
                                          reduction=reduction, zero_infinity=zero_infinity)

    if zero_infinity:
        compare(fn, lp)
    else:  # the impossible sample's loss is inf and its gradient nan, in both
        out = fn(ag, ag.tensor(lp))
        want = fn(torch, torch.tensor(lp))
        np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-10)


def test_targets_holding_the_blank_value_as_torch():
    """PyTorch lets a target hold the blank's value (its paths skip by value); so do we."""
    lp = _log_softmax(np.random.default_rng(5).standard_normal((6, 2, 4)), 2)
    targets = np.array([[1, 0, 2], [0, 0, 3]])
    compare(lambda lib, x: lib.nn.functional.ctc_loss(x, lib.tensor(targets), lib.tensor(np.array([6, 6])),
                                                      lib.tensor(np.array([3, 3])), reduction="none"), lp)


def test_create_graph_first_order_then_refused():
    lp = ag.tensor(_log_softmax(np.random.default_rng(3).standard_normal((5, 2, 4)), 2), requires_grad=True)
    loss = F.ctc_loss(lp, ag.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2))
    (g,) = ag.autograd.grad(loss, lp, create_graph=True)
    (g_plain,) = ag.autograd.grad(F.ctc_loss(lp, ag.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2)), lp)
    np.testing.assert_array_equal(g.detach().numpy(), g_plain.numpy())
    with pytest.raises(RuntimeError, match="not implemented"):
        ag.autograd.grad(g.sum(), lp)


def test_module():
    assert repr(nn.CTCLoss()) == repr(torch.nn.CTCLoss())
    lp = _log_softmax(np.random.default_rng(4).standard_normal((6, 2, 4)), 2)
    targets, in_len, tg_len = np.array([1, 2, 3, 3, 1]), np.array([6, 5]), np.array([2, 3])
    compare(lambda lib, x: (nn if lib is ag else torch.nn).CTCLoss(blank=0, zero_infinity=True)(
        x, lib.tensor(targets), lib.tensor(in_len), lib.tensor(tg_len)), lp)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1, 2]] * 2), (7, 5), (2, 2)), ValueError, "at most 6"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1, 2]] * 2), (6, 5), (3, 2)), RuntimeError, "at least 3"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([1, 2, 3]), (6, 5), (2, 2)), RuntimeError, "size 4"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1, 2]] * 2), (6,), (2, 2)), RuntimeError,
     "batch_size"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1, 5]] * 2), (6, 5), (2, 2)), IndexError, "\\[0, 4\\)"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1, 2]] * 2), (6, 5), (2, 2), blank=4), ValueError,
     "blank"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4), ag.tensor([[1.0, 2.0]] * 2), (6, 5), (2, 2)), TypeError, "integer"),
    (lambda: F.ctc_loss(ag.randn(6, 2, 4, 1), ag.tensor([[1, 2]] * 2), (6, 5), (2, 2)), RuntimeError, "(T, N, C)"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
