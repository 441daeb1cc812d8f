"""The schedulers added to match all of torch.optim.lr_scheduler (MultiplicativeLR,
ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, SequentialLR,
ChainedScheduler) against PyTorch: rates, get_last_lr() and cycled momenta over 60
steps (exactly: the same float operations), the closed forms of step(epoch),
state_dict round trips, argument errors and warnings."""
import warnings

import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from autograd_lite.optim import lr_scheduler as ag_sched

EPOCHS = 60


def _optimizers(opt_name="SGD", groups=1, **opt_kw):
    """The same optimizer in both libraries; with two groups the second has lr=0.5."""
    kw = dict(lr=0.1, **opt_kw)
    out = []
    for lib_optim, make in ((optim, lambda: ag.zeros(2, requires_grad=True)),
                            (torch.optim, lambda: torch.zeros(2, requires_grad=True))):
        ps = [make() for _ in range(groups)]
        params = ps if groups == 1 else [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5}]
        out.append(getattr(lib_optim, opt_name)(params, **kw))
    return out


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _sequence(opt, sched, epochs=EPOCHS):
    seq = [([g["lr"] for g in opt.param_groups], list(sched.get_last_lr()), _momenta(opt))]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seq.append(([g["lr"] for g in opt.param_groups], list(sched.get_last_lr()), _momenta(opt)))
    return seq


class Halving:
    """A callable object: its state is saved by state_dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, x):
        return 0.5 ** (x // self.every)


CASES = [
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95)),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 1.0 + 0.05 * (e % 3) - 0.06)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=7)),
    ("ConstantLR", dict(factor=0.25, total_iters=0)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=40, power=2.0)),
    ("PolynomialLR", dict(total_iters=25, power=0.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=7)),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=3, eta_min=1e-3)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=3, step_size_down=7, mode="triangular2")),
    ("CyclicLR", dict(base_lr=[0.01], max_lr=0.3, step_size_up=5, mode="exp_range", gamma=0.97,
                      base_momentum=0.7, max_momentum=0.95)),
    ("CyclicLR", dict(base_lr=0.05, max_lr=0.5, step_size_up=6, cycle_momentum=False)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=Halving(2), scale_mode="iterations")),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


def _kw_for(kw, groups):
    """A per-group base_lr list (CyclicLR) gets one value per group."""
    if isinstance(kw.get("base_lr"), list):
        return dict(kw, base_lr=[0.01 * (i + 1) for i in range(groups)])
    return kw


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("opt_name,opt_kw", [("SGD", dict(momentum=0.9)), ("Adam", dict())], ids=["SGD", "Adam"])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_sequence_matches_torch(name, kw, opt_name, opt_kw, groups):
    oa, ot = _optimizers(opt_name, groups, **opt_kw)
    kw = _kw_for(kw, groups)
    sa, st = getattr(ag_sched, name)(oa, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    assert _sequence(oa, sa) == _sequence(ot, st)
    assert isinstance(sa, ag_sched.LRScheduler)


@pytest.mark.parametrize("name,kw", [CASES[i] for i in (1, 3, 6, 9, 12, 15)], ids=[IDS[i] for i in (1, 3, 6, 9, 12, 15)])
def test_state_dict_round_trip(name, kw):
    """Save after 11 steps, load into a fresh optimizer and scheduler, continue: the same
    rates as the uninterrupted run; the saved keys are PyTorch's."""
    oa, ot = _optimizers("SGD", 2, momentum=0.9)
    kw = _kw_for(kw, 2)
    sa, st = getattr(ag_sched, name)(oa, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    assert _sequence(oa, sa, 11) == _sequence(ot, st, 11)
    sd_opt, sd_sched = oa.state_dict(), sa.state_dict()
    assert sorted(sd_sched) == sorted(st.state_dict())
    rest = _sequence(oa, sa, 20)
    ob, _ = _optimizers("SGD", 2, momentum=0.9)
    if name == "CyclicLR" and "scale_fn" in kw:
        kw = dict(kw, scale_fn=Halving(5))  # its state comes from the saved dict
    sb = getattr(ag_sched, name)(ob, **kw)
    ob.load_state_dict(sd_opt)
    sb.load_state_dict(sd_sched)
    assert _sequence(ob, sb, 20) == rest


def test_closed_forms_of_step_with_epoch():
    """step(epoch) jumps by the closed form where PyTorch has one (ConstantLR,
    PolynomialLR), and warns; MultiplicativeLR has none (chainable get_lr);
    CosineAnnealingWarmRestarts takes fractional epochs without a warning."""
    for name, kw in [CASES[3], CASES[6], CASES[0], CASES[9], CASES[10]]:
        oa, ot = _optimizers("SGD", 2)
        sa, st = getattr(ag_sched, name)(oa, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (3, 10, 4, 17, 2.5, 30.25, 0):
                oa.step()
                ot.step()
                sa.step(epoch)
                st.step(epoch)
                assert sa.get_last_lr() == st.get_last_lr(), (name, epoch)
                assert sa.last_epoch == st.last_epoch
    oa, _ = _optimizers()
    s = ag_sched.PolynomialLR(oa)
    oa.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(3)
    r = ag_sched.CosineAnnealingWarmRestarts(oa, T_0=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.step(1.5)
    with pytest.raises(ValueError, match="Expected non-negative epoch"):
        r.step(-1)


@pytest.mark.parametrize("opt_name,opt_kw", [("SGD", dict(momentum=0.9)), ("Adam", dict()), ("RMSprop", dict())])
def test_sequential_lr(opt_name, opt_kw):
    for make, milestones in [
        (lambda lib, o: [lib.LinearLR(o, start_factor=0.1, total_iters=5), lib.CosineAnnealingLR(o, T_max=20)], [5]),
        (lambda lib, o: [lib.ConstantLR(o, factor=0.3, total_iters=4), lib.ExponentialLR(o, gamma=0.9),
                         lib.StepLR(o, step_size=4, gamma=0.5)], [3, 12]),
        (lambda lib, o: [lib.MultiplicativeLR(o, lambda e: 0.97), lib.PolynomialLR(o, total_iters=30, power=1.5)],
         [10]),
    ]:
        oa, ot = _optimizers(opt_name, 2, **opt_kw)
        sa = ag_sched.SequentialLR(oa, make(ag_sched, oa), milestones)
        st = torch.optim.lr_scheduler.SequentialLR(ot, make(torch.optim.lr_scheduler, ot), milestones)
        assert _sequence(oa, sa, 40) == _sequence(ot, st, 40)
        assert sa.last_epoch == st.last_epoch


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")  # SequentialLR restarts them
def test_chained_scheduler_and_nesting():
    def make(lib, o):
        return [lib.ConstantLR(o, factor=0.1, total_iters=2), lib.ExponentialLR(o, gamma=0.9),
                lib.StepLR(o, step_size=5, gamma=0.5)]

    oa, ot = _optimizers("SGD", 2, momentum=0.9)
    sa, st = ag_sched.ChainedScheduler(make(ag_sched, oa)), torch.optim.lr_scheduler.ChainedScheduler(make(
        torch.optim.lr_scheduler, ot))
    assert _sequence(oa, sa, 30) == _sequence(ot, st, 30)
    # a ChainedScheduler first in a SequentialLR: its sub-schedulers' creation steps are
    # undone too; after a milestone it can't restart (it has no get_lr), in PyTorch too
    seqs = []
    for lib, o in zip((ag_sched, torch.optim.lr_scheduler), _optimizers("Adam", 2)):
        chain = lib.ChainedScheduler([lib.ExponentialLR(o, gamma=0.95), lib.MultiStepLR(o, [3, 5], gamma=0.5)],
                                     optimizer=o)
        seqs.append(_sequence(o, lib.SequentialLR(o, [chain, lib.StepLR(o, 3, gamma=0.2)], milestones=[6]), 25))
        warm = lib.LinearLR(o, start_factor=0.2, total_iters=4)
        late = lib.ChainedScheduler([lib.ExponentialLR(o, gamma=0.95)], optimizer=o)
        with pytest.raises(NotImplementedError):
            _sequence(o, lib.SequentialLR(o, [warm, late], milestones=[2]), 3)
    assert seqs[0] == seqs[1]


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
def test_composite_state_dict_round_trip(kind):
    def build(o):
        subs = [ag_sched.ConstantLR(o, factor=0.5, total_iters=3), ag_sched.ExponentialLR(o, gamma=0.9)]
        return ag_sched.SequentialLR(o, subs, [3]) if kind == "SequentialLR" else ag_sched.ChainedScheduler(subs)

    oa, _ = _optimizers("SGD", 2)
    sa = build(oa)
    _sequence(oa, sa, 6)
    sd_opt, sd = oa.state_dict(), sa.state_dict()
    assert isinstance(sd["_schedulers"], list) and len(sd["_schedulers"]) == 2
    rest = _sequence(oa, sa, 10)
    ob, _ = _optimizers("SGD", 2)
    sb = build(ob)
    ob.load_state_dict(sd_opt)
    sb.load_state_dict(sd)
    assert _sequence(ob, sb, 10) == rest


def test_argument_errors_as_torch():
    def both(fn, exc, match):
        for lib, o in zip((ag_sched, torch.optim.lr_scheduler), _optimizers("SGD", 1, momentum=0.9)):
            with pytest.raises(exc, match=match):
                fn(lib, o)

    both(lambda lib, o: lib.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1")
    both(lambda lib, o: lib.MultiplicativeLR(o, lr_lambda=0.9), TypeError, "lr_lambda should be a function")

    def zero_factor(lib, o):
        s = lib.ConstantLR(o, factor=0.0, total_iters=1)
        o.step()
        s.step()

    both(zero_factor, ZeroDivisionError, None)
    both(lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "Expected positive integer T_0")
    both(lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult >= 1")
    both(lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), ValueError, "float or int eta_min")
    both(lambda lib, o: lib.CyclicLR(o, 0.01, 0.1, mode="square"), ValueError, "mode is invalid and scale_fn is None")
    both(lambda lib, o: lib.CyclicLR(o, [0.01, 0.02], 0.1), ValueError, "base_lr must have the same length")
    both(lambda lib, o: lib.SequentialLR(o, [], []), ValueError, "expects at least one scheduler")
    both(lambda lib, o: lib.SequentialLR(o, [lib.StepLR(o, 2), lib.StepLR(o, 3)], [2, 4]), ValueError,
         "one more than the number of milestone points")
    both(lambda lib, o: lib.SequentialLR(o, [lib.ReduceLROnPlateau(o)], []), ValueError,
         "does not support `ReduceLROnPlateau`")
    both(lambda lib, o: lib.ChainedScheduler([lib.StepLR(o, 2), object()]), TypeError,
         "should have `optimizer` as its attribute")
    both(lambda lib, o: lib.ChainedScheduler([]), ValueError, "at least one scheduler")
    other = _optimizers("SGD", 1)
    for lib, o, o2 in zip((ag_sched, torch.optim.lr_scheduler), _optimizers("SGD", 1), other):
        with pytest.raises(ValueError, match="belong to the same optimizer"):
            lib.ChainedScheduler([lib.StepLR(o, 2), lib.StepLR(o2, 2)])
    for lib, o in zip((ag_sched, torch.optim.lr_scheduler), _optimizers("Adagrad", 1)):
        with pytest.raises(ValueError, match="momentum or beta1"):
            lib.CyclicLR(o, 0.01, 0.1)


def test_public_names_and_base_classes():
    assert set(torch.optim.lr_scheduler.__all__) <= set(dir(ag_sched))
    assert set(ag_sched.__all__) == set(torch.optim.lr_scheduler.__all__)
    assert issubclass(ag_sched._LRScheduler, ag_sched.LRScheduler)

    class Halve(ag_sched.LRScheduler):  # a user's scheduler on the public base, as in PyTorch
        def get_lr(self):
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

    class HalveTorch(torch.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

    oa, ot = _optimizers("SGD", 2)
    assert _sequence(oa, Halve(oa), 8) == _sequence(ot, HalveTorch(ot), 8)


def test_overridden_optimizer_step_warns():
    oa, _ = _optimizers()
    s = ag_sched.StepLR(oa, step_size=2)
    oa.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="has been overridden"):
        s.step()
