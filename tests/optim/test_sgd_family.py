"""ASGD and Rprop against PyTorch: parameters after each of 25 steps (float64 to
1e-10, float32 close) for each option, the state (ASGD's eta, mu and ax; Rprop's prev
and step_size), state dicts loaded both ways, the kernel's layouts and its split over threads,
and PyTorch's argument errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from optim_helpers import (check_against_torch, check_big_parameter, check_layouts, check_state_dict_both_ways,
                           config_ids, make_pair, set_grads)

CONFIGS = [
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(maximize=True, t0=0, lambd=1e-2)),
    ("ASGD", dict(lr=0.3, t0=10.5, alpha=1.0, weight_decay=0.01, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(maximize=True, etas=(0.7, 1.1))),
    ("Rprop", dict(lr=0.5, step_sizes=(0.1, 0.6), maximize=True)),
]
IDS = config_ids(CONFIGS)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_steps_and_state_match_torch(name, kw, dtype):
    check_against_torch(name, kw, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (1, 3, 5)], ids=[IDS[i] for i in (1, 3, 5)])
def test_state_dict_both_ways(name, kw, dtype):
    check_state_dict_both_ways(name, kw, dtype)


@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (1, 3, 5, 7)], ids=[IDS[i] for i in (1, 3, 5, 7)])
def test_layouts_and_threads(name, kw):
    check_layouts(name, kw)
    check_big_parameter(name, kw)


def test_asgd_averages_from_t0():
    """mu = 1 / max(1, step - t0) is used at the next step: ax follows the iterate up to
    step t0 + 2, then is the running mean of the iterates from step t0 + 2 on (mu is
    rounded to float32, hence the tolerance)."""
    oa, ot, pa, pt = make_pair("ASGD", dict(lr=0.1, t0=3, lambd=0.0), [np.zeros(2)])
    iterates = []
    for s in range(8):
        set_grads(pa, [np.array([1.0, -2.0])])
        set_grads(pt, [np.array([1.0, -2.0])])
        oa.step()
        ot.step()
        iterates.append(pa[0]._data.copy())
        st = oa.state[pa[0]]
        np.testing.assert_array_equal(st["ax"]._data, ot.state[pt[0]]["ax"].numpy())
        assert st["mu"].item() == ot.state[pt[0]]["mu"].item() and st["eta"].item() == ot.state[pt[0]]["eta"].item()
    np.testing.assert_allclose(oa.state[pa[0]]["ax"]._data, np.mean(iterates[4:], axis=0), rtol=1e-6)


def test_rprop_sign_changes():
    """A coordinate whose gradient flips sign shrinks its step and does not move; one
    that keeps its sign grows it (up to the bounds)."""
    oa, ot, pa, pt = make_pair("Rprop", dict(lr=0.1, step_sizes=(0.01, 0.15)), [np.zeros(2)])
    for g in ([1.0, 1.0], [1.0, -1.0], [1.0, -1.0], [1.0, 1.0]):
        set_grads(pa, [np.array(g)])
        set_grads(pt, [np.array(g)])
        oa.step()
        ot.step()
        np.testing.assert_array_equal(pa[0]._data, pt[0].detach().numpy())
    st = oa.state[pa[0]]
    # coordinate 0 grows 0.1 -> 0.12 -> 0.144 -> 0.15 (clamped); coordinate 1 halves at each
    # flip (0.1 -> 0.05, then 1 after the flip was forgotten, then 0.025)
    np.testing.assert_allclose(st["step_size"]._data, [0.15, 0.025], rtol=1e-12)
    np.testing.assert_array_equal(st["prev"]._data, ot.state[pt[0]]["prev"].numpy())


@pytest.mark.parametrize("name,kw,message", [
    ("ASGD", dict(lr=-1.0), "Invalid learning rate"),
    ("ASGD", dict(weight_decay=-0.1), "Invalid weight_decay value"),
    ("Rprop", dict(lr=-1.0), "Invalid learning rate"),
    ("Rprop", dict(etas=(1.2, 0.5)), "Invalid eta values"),
    ("Rprop", dict(etas=(0.0, 1.2)), "Invalid eta values"),
])
def test_argument_errors_as_torch(name, kw, message):
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([ag.zeros(2, requires_grad=True)], **kw)


@pytest.mark.parametrize("name", ["ASGD", "Rprop"])
def test_defaults_repr_and_unsupported_flags(name):
    pa, pt = ag.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    oa, ot = getattr(optim, name)([pa]), getattr(torch.optim, name)([pt])
    assert oa.defaults == ot.defaults
    assert repr(oa) == repr(ot)
    with pytest.raises(ValueError, match="differentiable=True is not supported"):
        getattr(optim, name)([pa], differentiable=True)
