"""LR schedulers against PyTorch: the learning rates (and cycled momenta) over 20
epochs are PyTorch's exactly, with one and two param groups; get_last_lr,
state_dict round trips, the closed forms of step(epoch), and the errors."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from autograd_lite.optim import lr_scheduler as ag_sched

EPOCHS = 20


def _optimizers(opt_name="SGD", groups=1, **opt_kw):
    """The same optimizer in both libraries; with two groups the second has lr=0.5."""
    kw = dict(lr=0.1, **opt_kw)
    pairs = []
    for lib_optim, make in ((optim, lambda: ag.zeros(2, requires_grad=True)),
                            (torch.optim, lambda: torch.zeros(2, requires_grad=True))):
        ps = [make() for _ in range(groups)]
        params = ps if groups == 1 else [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5}]
        pairs.append(getattr(lib_optim, opt_name)(params, **kw))
    return pairs


def _momenta(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return out


def _sequence(opt, sched, epochs=EPOCHS, metrics=None):
    """lr of every group, get_last_lr() and momenta, after creation and each step."""
    seq = [([g["lr"] for g in opt.param_groups], list(sched.get_last_lr()), _momenta(opt))]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        seq.append(([g["lr"] for g in opt.param_groups], list(sched.get_last_lr()), _momenta(opt)))
    return seq


CASES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9, 15], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.85)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),  # several half-cycles, through the bottom
    ("CosineAnnealingLR", dict(T_max=20)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.2)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95**e + 0.01 * e)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.25, end_factor=1.0, total_iters=4)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.1, total_iters=12)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=EPOCHS)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=EPOCHS, anneal_strategy="linear", pct_start=0.25)),
    ("OneCycleLR", dict(max_lr=2.0, total_steps=EPOCHS, three_phase=True, div_factor=10.0, final_div_factor=100.0)),
    ("OneCycleLR", dict(max_lr=1.0, epochs=4, steps_per_epoch=5, cycle_momentum=False)),
]


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("opt_name,opt_kw", [("SGD", dict(momentum=0.9)), ("Adam", dict())])
@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_sequence_matches_torch(name, kw, opt_name, opt_kw, groups):
    oa, ot = _optimizers(opt_name, groups, **opt_kw)
    sa = getattr(ag_sched, name)(oa, **kw)
    st = getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    assert _sequence(oa, sa) == _sequence(ot, st)  # exactly: the same float operations
    assert isinstance(sa, ag_sched.LRScheduler)


def test_per_group_arguments():
    """Lists with one value per group: lambdas, OneCycle's max_lr and momenta."""
    for name, kw in [
        ("LambdaLR", dict(lr_lambda=[lambda e: 0.9**e, lambda e: 1.0 / (e + 1)])),
        ("OneCycleLR", dict(max_lr=[1.0, 3.0], total_steps=EPOCHS, base_momentum=[0.8, 0.7],
                            max_momentum=(0.9, 0.99))),
    ]:
        for opt_name in ("SGD", "Adam"):
            oa, ot = _optimizers(opt_name, 2, **({"momentum": 0.5} if opt_name == "SGD" else {}))
            sa = getattr(ag_sched, name)(oa, **kw)
            st = getattr(torch.optim.lr_scheduler, name)(ot, **kw)
            assert _sequence(oa, sa) == _sequence(ot, st)
    oa, _ = _optimizers("SGD", 2)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        ag_sched.LambdaLR(oa, [lambda e: 1.0])
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        ag_sched.OneCycleLR(oa, max_lr=[1.0], total_steps=5)


PLATEAU = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, factor=0.3, threshold=0.05),
    dict(patience=1, threshold_mode="abs", threshold=0.2, cooldown=2),
    dict(mode="max", threshold_mode="abs", patience=0, cooldown=1, min_lr=0.02),
    dict(patience=0, factor=0.5, min_lr=[0.05, 0.2], eps=1e-3),
]


@pytest.mark.parametrize("kw", PLATEAU)
def test_reduce_lr_on_plateau(kw):
    rng = np.random.default_rng(0)
    metrics = list(np.round(1.0 / np.arange(1, EPOCHS + 1) + rng.uniform(0, 0.3, EPOCHS), 3))
    metrics[8:14] = [metrics[7]] * 6  # a plateau
    oa, ot = _optimizers("SGD", 2)
    sa = ag_sched.ReduceLROnPlateau(oa, **kw)
    st = torch.optim.lr_scheduler.ReduceLROnPlateau(ot, **kw)
    seq_a = _sequence(oa, sa, metrics=metrics)
    assert seq_a == _sequence(ot, st, metrics=metrics)
    assert len({tuple(s[0]) for s in seq_a}) > 1 or kw == {}  # the rate did change
    assert (sa.best, sa.num_bad_epochs, sa.cooldown_counter, sa.last_epoch) == \
           (st.best, st.num_bad_epochs, st.cooldown_counter, st.last_epoch)
    # metrics may be 0-d tensors
    sa.step(ag.tensor(0.5))
    st.step(torch.tensor(0.5))
    assert sa.get_last_lr() == st.get_last_lr()


def test_reduce_lr_on_plateau_errors():
    oa, _ = _optimizers("SGD", 2)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        ag_sched.ReduceLROnPlateau(oa, factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        ag_sched.ReduceLROnPlateau(oa, mode="up")
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        ag_sched.ReduceLROnPlateau(oa, min_lr=[0.1])


@pytest.mark.parametrize("name,kw", [CASES[i] for i in (0, 2, 3, 4, 7, 9, 13)] +
                         [("ReduceLROnPlateau", dict(patience=1, cooldown=1))])
def test_state_dict_round_trip(name, kw):
    """Stop after 7 epochs, save optimizer and scheduler, load both into fresh ones,
    continue: the same rates as an uninterrupted run (and PyTorch's)."""
    metrics = [1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.85, 0.7, 0.7, 0.7, 0.7, 0.6, 0.65, 0.65, 0.65, 0.6, 0.6, 0.6, 0.6]
    use_metric = name == "ReduceLROnPlateau"

    def advance(opt, sched, epochs):
        out = []
        for _ in range(epochs):
            opt.step()
            sched.step(metrics[sched.last_epoch]) if use_metric else sched.step()
            out.append((list(sched.get_last_lr()), _momenta(opt)))
        return out

    oa, ot = _optimizers("SGD", 2, momentum=0.9)
    sa, st = getattr(ag_sched, name)(oa, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    first = advance(oa, sa, 7)
    assert first == advance(ot, st, 7)
    opt_sd, sched_sd = oa.state_dict(), sa.state_dict()
    assert sorted(k for k in sched_sd if not k.startswith("_")) == \
           sorted(k for k in st.state_dict() if not k.startswith("_"))
    rest_a = advance(oa, sa, EPOCHS - 7)
    assert rest_a == advance(ot, st, EPOCHS - 7)

    ob, _ = _optimizers("SGD", 2, momentum=0.9)
    kw_b = dict(kw, **({"max_lr": 5.0} if name == "OneCycleLR" else {}))  # overwritten by the load
    sb = getattr(ag_sched, name)(ob, **kw_b)
    ob.load_state_dict(opt_sd)
    sb.load_state_dict(sched_sd)
    assert sb.get_last_lr() == first[-1][0]
    assert advance(ob, sb, EPOCHS - 7) == rest_a


def test_lambda_state_dict_keeps_callable_objects_state():
    class Warmup:
        def __init__(self, n):
            self.n = n

        def __call__(self, e):
            return min(1.0, (e + 1) / self.n)

    oa, _ = _optimizers()
    sa = ag_sched.LambdaLR(oa, Warmup(4))
    sd = sa.state_dict()
    assert sd["lr_lambdas"] == [{"n": 4}]
    ob, _ = _optimizers()
    sb = ag_sched.LambdaLR(ob, Warmup(10))
    sb.load_state_dict(sd)
    assert sb.lr_lambdas[0].n == 4
    sf = ag_sched.LambdaLR(_optimizers()[0], lambda e: 1.0)
    assert sf.state_dict()["lr_lambdas"] == [None]


@pytest.mark.parametrize("name,kw", [CASES[i] for i in (0, 2, 3, 4, 9)])
def test_step_with_epoch_uses_closed_form(name, kw):
    oa, ot = _optimizers("SGD", 2)
    sa, st = getattr(ag_sched, name)(oa, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 10, 4, 17):
            oa.step()
            ot.step()
            sa.step(epoch)
            st.step(epoch)
            assert sa.get_last_lr() == st.get_last_lr()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sa.step(2)


def test_initial_lr_and_resuming():
    oa, ot = _optimizers("SGD", 2)
    sa = ag_sched.ExponentialLR(oa, gamma=0.5)
    assert [g["initial_lr"] for g in oa.param_groups] == [0.1, 0.5]
    assert sa.base_lrs == [0.1, 0.5] and sa.last_epoch == 0
    with pytest.raises(KeyError, match="initial_lr"):
        ag_sched.StepLR(_optimizers("SGD", 1)[0], step_size=2, last_epoch=3)
    # resuming from last_epoch (the groups carry initial_lr): as PyTorch
    for name, kw in [("StepLR", dict(step_size=2)), ("ExponentialLR", dict(gamma=0.5)),
                     ("CosineAnnealingLR", dict(T_max=6)), ("LinearLR", dict())]:
        oa, ot = _optimizers("SGD", 2)
        for o in (oa, ot):
            for g in o.param_groups:
                g["initial_lr"] = g["lr"] * 2
        sa = getattr(ag_sched, name)(oa, last_epoch=4, **kw)
        st = getattr(torch.optim.lr_scheduler, name)(ot, last_epoch=4, **kw)
        assert _sequence(oa, sa, epochs=6) == _sequence(ot, st, epochs=6)


def test_order_warning_and_get_lr_warning():
    oa, _ = _optimizers()
    sa = ag_sched.StepLR(oa, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sa.step()
    ob, _ = _optimizers()
    sb = ag_sched.StepLR(ob, step_size=2)
    ob.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sb.get_lr()


def test_one_cycle_errors():
    oa, _ = _optimizers("SGD", 1, momentum=0.9)
    with pytest.raises(ValueError, match="total_steps OR"):
        ag_sched.OneCycleLR(oa, max_lr=1.0)
    with pytest.raises(ValueError, match="pct_start"):
        ag_sched.OneCycleLR(oa, max_lr=1.0, total_steps=10, pct_start=2.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        ag_sched.OneCycleLR(oa, max_lr=1.0, total_steps=10, anneal_strategy="exp")
    ob, _ = _optimizers("Adagrad", 1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        ag_sched.OneCycleLR(ob, max_lr=1.0, total_steps=10)
    s = ag_sched.OneCycleLR(oa, max_lr=1.0, total_steps=3)
    for _ in range(3):
        oa.step()
        s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        oa.step()
        s.step()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ag_sched.StepLR(object(), step_size=1)
