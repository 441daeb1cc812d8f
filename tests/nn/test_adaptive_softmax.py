"""nn.AdaptiveLogSoftmaxWithLoss against PyTorch's from the same weights: the cluster
layout and state_dict keys, (output, loss) with gradients of the weights and the
input, log_prob, predict, unbatched input, and the errors for bad cutoffs and targets."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import torch_dtype
from nn_helpers import assert_state_dict_like, close, load_from_torch

CONFIGS = [dict(in_features=8, n_classes=10, cutoffs=[3, 6]),
           dict(in_features=16, n_classes=12, cutoffs=[4], div_value=2.0, head_bias=True),
           dict(in_features=8, n_classes=20, cutoffs=[2, 5, 11], div_value=1.5)]


def _pair(cfg, dtype):
    torch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(**cfg).to(torch_dtype(dtype))
    ours = nn.AdaptiveLogSoftmaxWithLoss(**cfg).to(dtype)
    assert_state_dict_like(ours, theirs)
    load_from_torch(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", CONFIGS)
def test_output_loss_and_gradients_match_torch(cfg, dtype):
    ours, theirs = _pair(cfg, dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, cfg["in_features"])).astype(dtype)
    target = rng.integers(0, cfg["n_classes"], 9)
    target[:2] = [0, cfg["n_classes"] - 1]
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_a, out_t = ours(xa, ag.tensor(target)), theirs(xt, torch.tensor(target))
    close(out_a.output, out_t.output, dtype, "output")
    close(out_a.loss, out_t.loss, dtype, "loss")
    w = rng.standard_normal(9).astype(dtype)
    ((out_a.output * ag.tensor(w)).sum() + out_a.loss).backward()
    ((out_t.output * torch.tensor(w)).sum() + out_t.loss).backward()
    close(xa.grad, xt.grad, dtype, "input grad")
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, params_t[name].grad, dtype, f"grad of {name}")
    close(ours.log_prob(ag.tensor(x)), theirs.log_prob(torch.tensor(x)), dtype, "log_prob")
    np.testing.assert_array_equal(ours.predict(ag.tensor(x)).numpy(), theirs.predict(torch.tensor(x)).numpy())


def test_predict_outside_the_shortlist_and_unbatched_input():
    ours, theirs = _pair(CONFIGS[2], np.float64)
    with torch.no_grad():  # make the clusters likely, so predict looks past the head
        theirs.head.weight[2:] *= 8
    load_from_torch(ours, theirs)
    x = np.random.default_rng(1).standard_normal((30, 8))
    predicted = theirs.predict(torch.tensor(x)).numpy()
    assert (predicted >= 2).any() and (predicted < 2).any()
    np.testing.assert_array_equal(ours.predict(ag.tensor(x)).numpy(), predicted)
    one = ag.tensor(x[0])
    # PyTorch's log_prob refuses 1-D input (IndexError); ours takes it, as forward does
    close(ours.log_prob(one), theirs.log_prob(torch.tensor(x[:1]))[0], np.float64, "unbatched log_prob")
    out_a, out_t = ours(one, ag.tensor(7)), theirs(torch.tensor(x[0]), torch.tensor(7))
    close(out_a.output, out_t.output, np.float64, "unbatched output")
    assert int(ours.predict(one)) == int(theirs.predict(torch.tensor(x[:1]))[0])  # (1-D: as log_prob)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 3]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [0, 3]),
])
def test_bad_cutoffs_raise_value_error(make):
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="cutoffs"):
            make(lib)


@pytest.mark.parametrize("args", [((4, 8), [0, 10, 1, 1]), ((4, 8), [0, 1, 2]), ((8,), [1]),
                                  ((4, 8), [[0], [1], [1], [1]]), ((4, 8), [-1, 0, 0, 0])])
def test_bad_targets_raise_runtime_error(args):
    shape, target = args
    for lib in (ag, torch):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])
        with pytest.raises(RuntimeError):
            m(lib.ones(*shape), lib.tensor(target))
