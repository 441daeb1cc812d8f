"""Adadelta, Adamax, NAdam and RAdam against PyTorch: parameters after each of 25
steps (float64 to 1e-10, float32 close) for each option, the state (names, shapes,
dtypes, values), state dicts loaded both ways, the kernel's layouts and its split over threads,
and PyTorch's argument errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from optim_helpers import (check_against_torch, check_big_parameter, check_layouts, check_state_dict_both_ways,
                           config_ids)

CONFIGS = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3, weight_decay=0.1)),
    ("Adadelta", dict(rho=0.95, eps=1e-8, maximize=True)),
    ("Adadelta", dict(lr=2.0, rho=0.0, weight_decay=0.05, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.3, 0.6), eps=1e-3, weight_decay=0.1)),
    ("Adamax", dict(betas=(0.8, 0.9), maximize=True)),
    ("Adamax", dict(lr=0.01, betas=(0.0, 0.99), weight_decay=0.2, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05, betas=(0.3, 0.6), eps=1e-3, weight_decay=0.1, momentum_decay=0.1)),
    ("NAdam", dict(weight_decay=0.2, decoupled_weight_decay=True, maximize=True)),
    ("NAdam", dict(betas=(0.6, 0.9), momentum_decay=0.0)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.5, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05, betas=(0.3, 0.6), eps=1e-3, weight_decay=0.1)),
    ("RAdam", dict(weight_decay=0.2, decoupled_weight_decay=True, betas=(0.9, 0.8), maximize=True)),
    ("RAdam", dict(lr=0.01, betas=(0.0, 0.5))),
]
IDS = config_ids(CONFIGS)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_steps_and_state_match_torch(name, kw, dtype):
    check_against_torch(name, kw, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (1, 5, 10, 15)], ids=[IDS[i] for i in (1, 5, 10, 15)])
def test_state_dict_both_ways(name, kw, dtype):
    check_state_dict_both_ways(name, kw, dtype)


@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (3, 7, 10, 12, 14)], ids=[IDS[i] for i in (3, 7, 10, 12, 14)])
def test_layouts_and_threads(name, kw):
    check_layouts(name, kw)
    check_big_parameter(name, kw)


def test_radam_switches_to_the_rectified_step():
    """With beta2 = 0.999 rho_t passes 5 at step 6: the steps before are plain
    momentum steps; both regimes match PyTorch (checked above), and they differ."""
    p = ag.ones(3, requires_grad=True)
    opt = optim.RAdam([p], lr=0.1)
    moves = []
    for _ in range(7):
        before = p._data.copy()
        p.grad = ag.full((3,), 2.0)
        opt.step()
        moves.append(float(before[0] - p._data[0]))
    assert moves[0] == pytest.approx(0.2) and moves[4] == pytest.approx(0.2)  # lr * m / (1 - beta1^t) = lr * g
    assert moves[6] != pytest.approx(0.2)


def test_nadam_mu_product_is_kept_in_the_scalar_dtype():
    """PyTorch keeps mu_product as a float32 0-d tensor (default dtype float32) and
    multiplies it in float32: so do we, also for float64 parameters."""
    pa = ag.zeros(2, dtype=ag.float64, requires_grad=True)
    pt = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    oa, ot = optim.NAdam([pa]), torch.optim.NAdam([pt])
    for _ in range(5):
        pa.grad, pt.grad = ag.ones(2, dtype=ag.float64), torch.ones(2, dtype=torch.float64)
        oa.step()
        ot.step()
    mp_a, mp_t = oa.state[pa]["mu_product"], ot.state[pt]["mu_product"]
    assert mp_a.dtype == np.float32 and mp_a.item() == mp_t.item()


@pytest.mark.parametrize("name,kw,message", [
    ("Adadelta", dict(lr=-1.0), "Invalid learning rate"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value"),
    ("Adadelta", dict(eps=-1.0), "Invalid epsilon value"),
    ("Adadelta", dict(weight_decay=-0.1), "Invalid weight_decay value"),
    ("Adamax", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
    ("Adamax", dict(eps=-1e-8), "Invalid epsilon value"),
    ("NAdam", dict(momentum_decay=-0.1), "Invalid momentum_decay value"),
    ("NAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1"),
    ("RAdam", dict(weight_decay=-1.0), "Invalid weight_decay value"),
    ("RAdam", dict(lr=-0.5), "Invalid learning rate"),
])
def test_argument_errors_as_torch(name, kw, message):
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([ag.zeros(2, requires_grad=True)], **kw)


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam"])
def test_defaults_repr_and_unsupported_flags(name):
    pa, pt = ag.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    oa, ot = getattr(optim, name)([pa]), getattr(torch.optim, name)([pt])
    assert oa.defaults == ot.defaults
    assert repr(oa) == repr(ot)
    with pytest.raises(ValueError, match="foreach=True is not supported"):
        getattr(optim, name)([pa], foreach=True)
