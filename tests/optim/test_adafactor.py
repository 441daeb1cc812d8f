"""Adafactor against PyTorch: parameters after each of 25 steps (float64 to 1e-10,
float32 close) for each option, on vectors, scalars, matrices and stacks of matrices
(factored over the last two dims: 'row_var' (..., rows, 1) and 'col_var' (..., 1,
cols) instead of 'variance'), state dicts loaded both ways, and the errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from optim_helpers import (assert_params_close, check_against_torch, check_state_dict_both_ways, config_ids, make_pair,
                           set_grads)

SHAPES = [(3, 4), (5,), (), (2, 3, 2), (6, 1), (1, 5)]
CONFIGS = [
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-3, 1e-2), d=2.0, weight_decay=0.1)),
    ("Adafactor", dict(maximize=True, lr=0.3, eps=(None, 0.1))),
    ("Adafactor", dict(lr=1.0, beta2_decay=0.0, d=1.5, weight_decay=0.01, maximize=True)),
    ("Adafactor", dict(lr=0.02, eps=(1e-30, 0.0), beta2_decay=-1.0)),
]
IDS = config_ids(CONFIGS)
# float32: PyTorch's norms and means sum in another order than NumPy's (measured up to
# 6e-6 absolute, 5e-5 relative after 25 steps)
TOL32 = {np.float64: None, np.float32: dict(rtol=2e-4, atol=2e-5)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_steps_and_state_match_torch(name, kw, dtype):
    check_against_torch(name, kw, dtype, shapes=SHAPES, tol=TOL32[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS[:2], ids=IDS[:2])
def test_state_dict_both_ways(name, kw, dtype):
    check_state_dict_both_ways(name, kw, dtype, shapes=SHAPES, tol=TOL32[dtype])


def test_factored_state_shapes():
    oa, _, pa, _ = make_pair("Adafactor", {}, [np.ones((2, 3, 4)), np.ones(4), np.ones(())])
    set_grads(pa, [np.ones((2, 3, 4)), np.ones(4), np.ones(())])
    oa.step()
    st = [oa.state[p] for p in pa]
    assert list(st[0]) == ["step", "row_var", "col_var"]
    assert st[0]["row_var"].shape == (2, 3, 1) and st[0]["col_var"].shape == (2, 1, 4)
    assert list(st[1]) == ["step", "variance"] and st[1]["variance"].shape == (4,)
    assert st[2]["variance"].shape == ()


def test_eps1_comes_from_the_groups_first_parameter():
    """With eps=(None, ...) PyTorch takes eps1 from the first parameter's dtype and keeps
    it for the rest of the group: a float64 parameter after a float32 one uses float32's."""
    rng = np.random.default_rng(5)
    values = [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((2, 4)) * 1e-9]
    oa, ot, pa, pt = make_pair("Adafactor", dict(lr=0.1), values)
    for _ in range(4):
        grads = [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((2, 4)) * 1e-9]
        set_grads(pa, grads)
        set_grads(pt, grads)
        oa.step()
        ot.step()
        assert_params_close(pa[1:], pt[1:], np.float64, "float64 after float32")


def test_load_checks_factored_shapes_and_errors():
    oa, _, pa, _ = make_pair("Adafactor", {}, [np.ones((2, 3))])
    set_grads(pa, [np.ones((2, 3))])
    oa.step()
    sd = oa.state_dict()
    other = optim.Adafactor([ag.ones(3, 2, requires_grad=True)])
    with pytest.raises(ValueError, match=r"'row_var' of parameter 0 has shape \(2, 1\), but \(3, 1\) was expected"):
        other.load_state_dict(sd)
    pa[0].grad = ag.ones(2, 3, dtype=pa[0].dtype)
    pa[0].grad.data = ag.ones(3, 2)  # a shape assignment to .grad refuses (as PyTorch's); .data doesn't
    with pytest.raises(RuntimeError, match=r"Adafactor.step: the gradient of a parameter of shape \(2, 3\)"):
        oa.step()
    for kw, message in [(dict(lr=-1.0), "Learning rate should be >= 0"), (dict(beta2_decay=0.5), "beta2_decay"),
                        (dict(eps=(-1.0, 1e-3)), "epsilon1"), (dict(eps=(None, -1.0)), "epsilon2"),
                        (dict(d=0.5), "Clipping threshold d"), (dict(weight_decay=-1.0), "weight_decay")]:
        with pytest.raises(ValueError, match=message):
            torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kw)
        with pytest.raises(ValueError, match=message):
            optim.Adafactor([ag.zeros(2, requires_grad=True)], **kw)


def test_defaults_and_repr():
    pa, pt = ag.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    oa, ot = optim.Adafactor([pa]), torch.optim.Adafactor([pt])
    assert oa.defaults == ot.defaults
    assert repr(oa) == repr(ot)
