"""autograd_lite.profiler and autograd_lite.autograd.profiler against torch.profiler:
the rows and counts of a small model's step, nesting, schedules, traces, the legacy
profiler, and that the timed entry points are swapped out again after a profile."""
import gzip
import json
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd.node import Node
from autograd_lite.profiler import _record

P = ag.profiler


def _mlp_step(lib, rf):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 1))
    opt = lib.optim.Adam(model.parameters(), lr=0.01)
    x = lib.tensor(np.arange(15.0).reshape(5, 3) / 10, dtype=lib.float32)
    t = lib.tensor(np.ones((5, 1)), dtype=lib.float32)

    def step():
        with rf("model"):
            loss = lib.nn.functional.mse_loss(model(x), t)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return step


def _counts(averages):
    return {ev.key: ev.count for ev in averages}


def _entry_points():
    """Every class attribute a profile swaps, as it is now."""
    found = {}
    for cls in _record._subclasses(Node):
        for name in ("forward", "backward", "fast_backward"):
            if name in cls.__dict__:
                found[(cls, name)] = cls.__dict__[name]
    for cls in _record._subclasses(ag.optim.Optimizer):
        for name in ("step", "zero_grad"):
            if name in cls.__dict__:
                found[(cls, name)] = cls.__dict__[name]
    found[(ag.autograd.Function, "apply")] = ag.autograd.Function.__dict__["apply"]
    for owner, name in ((ag, "exp"), (ag.Tensor, "exp"), (ag.Tensor, "add_"), (ag.Tensor, "__mul__"),
                        (ag.nn.functional, "linear"), (ag.linalg, "norm")):
        found[(owner, name)] = owner.__dict__[name]
    for owner, name, _ in _record._patches():  # every one (the public op functions too)
        found[(owner, name)] = owner.__dict__[name]
    return {k: v for k, v in found.items() if v is not None}


def test_mlp_step_rows_and_counts():
    step = _mlp_step(ag, P.record_function)
    step()  # compile what the first step compiles outside the profile
    with P.profile(activities=[P.ProfilerActivity.CPU]) as prof:
        step()
    averages = prof.key_averages()
    counts = _counts(averages)
    assert counts["model"] == 1
    assert counts["aten::linear"] == 2
    assert counts["aten::relu"] == 1
    assert counts["LinearBackward"] == 2
    assert counts["ReluBackward"] == 1
    assert counts["Optimizer.step#Adam.step"] == 1
    assert counts["Optimizer.zero_grad#Adam.zero_grad"] == 1
    for ev in averages:
        assert 0 <= ev.self_cpu_time_total <= ev.cpu_time_total + 1e-9, ev
        assert ev.cpu_time == pytest.approx(ev.cpu_time_total / ev.count)
    # the self times add up to the table's total; each event's self time is its
    # length less its children's
    events = prof.events()
    assert averages.self_cpu_time_total == pytest.approx(events.self_cpu_time_total)
    # every range sits inside its parent, so the roots' lengths are all the self times
    roots = [ev for ev in events if ev.cpu_parent is None]
    assert sum(ev.cpu_time_total for ev in roots) == pytest.approx(events.self_cpu_time_total)
    for ev in events:
        assert 0 <= ev.self_cpu_time_total <= ev.cpu_time_total
        if ev.cpu_parent is not None:
            assert ev.cpu_parent.start_us <= ev.start_us <= ev.end_us <= ev.cpu_parent.end_us
    model = next(ev for ev in events if ev.name == "model")
    assert {c.name for c in model.cpu_children} >= {"aten::linear", "aten::relu"}
    assert model.cpu_parent is None
    table = averages.table(sort_by="self_cpu_time_total", row_limit=-1)
    lines = table.splitlines()
    header = lines[1].split("  ")
    assert [h.strip() for h in header if h.strip()] == [
        "Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
    rows = lines[3:-2]
    assert len(rows) == len(averages)
    percents = [float(r.split()[1].rstrip("%")) for r in rows]
    assert sum(percents) == pytest.approx(100.0, abs=0.05 * len(rows))
    assert percents == sorted(percents, reverse=True)
    assert lines[-1].startswith("Self CPU time total: ")
    assert len(averages.table(row_limit=3).splitlines()) == 3 + 3 + 2


def test_same_program_under_torch_profiler_has_the_same_structure():
    ours = _mlp_step(ag, P.record_function)
    theirs = _mlp_step(torch, torch.profiler.record_function)
    ours()
    theirs()
    with P.profile(activities=[P.ProfilerActivity.CPU]) as prof:
        ours()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as tprof:
        theirs()
    a, b = _counts(prof.key_averages()), _counts(tprof.key_averages())
    # PyTorch's node names end in a version number; Linear is addmm there
    shared = ["model", "aten::linear", "aten::relu", "Optimizer.step#Adam.step",
              "Optimizer.zero_grad#Adam.zero_grad"]
    assert [a[k] for k in shared] == [b[k] for k in shared]
    assert a["ReluBackward"] == b["ReluBackward0"]

    def parents(events, name):
        out = set()
        for ev in events:
            if ev.name == name:
                p = ev.cpu_parent
                while p is not None and not p.name.startswith("model"):
                    p = p.cpu_parent
                out.add(None if p is None else p.name)
        return out

    for name in ("aten::linear", "aten::relu", "Optimizer.step#Adam.step"):
        assert parents(prof.events(), name) == parents(tprof.events(), name), name


def test_input_shapes_column():
    def run(lib):
        x = lib.ones(4, 3)
        w = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        with lib.profiler.profile(record_shapes=True) as prof:
            lib.nn.functional.linear(x, w, b).relu().mul(2.0)
        return prof

    ours, theirs = run(ag), run(torch)
    grouped = ours.key_averages(group_by_input_shape=True)
    shapes = {ev.key: ev.input_shapes for ev in grouped}
    torch_shapes = {ev.key: ev.input_shapes for ev in theirs.key_averages(group_by_input_shape=True)}
    for name in ("aten::linear", "aten::relu", "aten::mul"):
        assert shapes[name] == torch_shapes[name], name
    assert shapes["aten::linear"] == [[4, 3], [2, 3], [2]]
    assert "Input Shapes" in grouped.table()
    assert "Input Shapes" not in ours.key_averages().table()


def test_record_function_nesting_and_decorator():
    @P.record_function("decorated")
    def inner(x):
        return x.exp()

    x = ag.randn(10)
    with P.profile() as prof:
        with P.record_function("outer"):
            with P.record_function("middle"):
                inner(x)
            x.sin()
    events = {ev.name: ev for ev in prof.events()}
    outer, middle, dec = events["outer"], events["middle"], events["decorated"]
    assert middle.cpu_parent is outer and dec.cpu_parent is middle
    assert events["aten::exp"].cpu_parent is dec
    assert events["aten::sin"].cpu_parent is outer
    assert outer.cpu_time_total >= middle.cpu_time_total >= dec.cpu_time_total
    assert outer.self_cpu_time_total == pytest.approx(
        outer.cpu_time_total - middle.cpu_time_total - events["aten::sin"].cpu_time_total)
    assert inner.__name__ == "inner"
    # outside a profile it records nothing and passes the result through
    assert inner(x).shape == (10,)


def test_backward_and_custom_function_are_recorded():
    class Square(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ag.randn(3, requires_grad=True)
    with P.profile() as prof:
        Square.apply(x).tanh().sum().backward()
    counts = _counts(prof.key_averages())
    assert counts["Square"] == 1 and counts["SquareBackward"] == 1
    assert counts["TanhBackward"] == 1 and counts["aten::tanh"] == 1
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy() * (1 - np.tanh(x.detach().numpy() ** 2) ** 2))


def test_threads_record_their_own_nesting():
    x = ag.randn(8)
    barrier = threading.Barrier(2)

    def work(name):
        with P.record_function(name):
            barrier.wait()
            x.exp()
            barrier.wait()

    with P.profile() as prof:
        threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    events = prof.events()
    exps = [ev for ev in events if ev.name == "aten::exp"]
    assert len(exps) == 2
    for ev in exps:
        assert ev.cpu_parent is not None and ev.cpu_parent.name in ("t0", "t1")
        assert ev.cpu_parent.thread == ev.thread
    assert len({ev.thread for ev in exps}) == 2


@pytest.mark.parametrize("kw", [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=0, active=1, repeat=2),
                                dict(wait=2, warmup=1, active=2, repeat=1, skip_first=1),
                                dict(wait=3, warmup=0, active=1, skip_first=2, skip_first_wait=1)])
def test_schedule_matches_pytorch(kw):
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = P.schedule(**kw)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = torch.profiler.schedule(**kw)
    assert [str(w.message) for w in ours_warned] == [str(w.message) for w in theirs_warned]
    assert [ours(s).name for s in range(20)] == [theirs(s).name for s in range(20)]


def test_schedule_refuses_bad_counts():
    with pytest.raises(ValueError, match="active > 0"):
        P.schedule(wait=0, warmup=0, active=0)


def _run_scheduled(lib, kw, steps):
    ready = []

    def on_ready(prof):
        ready.append((prof.step_num, _counts(prof.key_averages()).get("ProfilerStep*"),
                      _counts(prof.key_averages()).get("aten::exp")))

    x = lib.ones(4)
    with lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU],
                              schedule=lib.profiler.schedule(**kw), on_trace_ready=on_ready) as prof:
        for _ in range(steps):
            x.exp()
            prof.step()
    return ready


@pytest.mark.parametrize("kw,steps", [(dict(wait=1, warmup=1, active=2, repeat=2), 10),
                                      (dict(wait=1, warmup=0, active=2), 6),
                                      (dict(wait=0, warmup=1, active=3), 3), (dict(wait=0, warmup=1, active=3), 5)])
def test_on_trace_ready_as_pytorch(kw, steps):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _run_scheduled(ag, kw, steps) == _run_scheduled(torch, kw, steps)


def test_chrome_trace_and_tensorboard_handler(tmp_path):
    x = ag.randn(5, requires_grad=True)
    with P.profile(on_trace_ready=P.tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w")) as prof:
        with P.record_function("region"):
            x.exp().sum().backward()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    names = {ev["name"] for ev in events}
    assert {"region", "aten::exp", "aten::sum", "ExpBackward"} <= names
    for ev in events:
        assert ev["ph"] == "X" and ev["dur"] >= 0 and isinstance(ev["ts"], float)
    files = list((tmp_path / "tb").iterdir())
    assert len(files) == 1 and files[0].name.startswith("w.") and files[0].name.endswith(".pt.trace.json")
    assert {ev["name"] for ev in json.loads(files[0].read_text())["traceEvents"]} == names


def test_entry_points_are_restored_even_after_an_exception():
    _mlp_step(ag, P.record_function)  # loads optim
    before = _entry_points()
    with P.profile():
        during = _entry_points()
        assert all(during[k] is not v for k, v in before.items())
        assert all(getattr(during[k], "__func__", during[k]).__wrapped__ is v for k, v in before.items())
    assert _entry_points() == before
    with pytest.raises(ZeroDivisionError):
        with P.profile():
            ag.randn(3).exp()
            1 / 0
    assert _entry_points() == before
    assert not _record.is_active()
    with pytest.raises(RuntimeError, match="already active"):
        with P.profile():
            with ag.autograd.profiler.profile():
                pass
    assert _entry_points() == before
    # ops, backward and steps still work (and record nothing) after it
    _mlp_step(ag, P.record_function)()


def test_legacy_profiler():
    x = ag.randn(6, 6, requires_grad=True)
    with ag.autograd.profiler.profile(record_shapes=True) as prof:
        with ag.autograd.profiler.record_function("block"):
            (x @ x).sum().backward()
    counts = _counts(prof.key_averages())
    assert counts["block"] == 1 and counts["aten::matmul"] == 1
    assert prof.self_cpu_time_total == pytest.approx(sum(ev.self_cpu_time_total for ev in prof.function_events))
    assert prof.self_cpu_time_total > 0
    assert "aten::matmul" in prof.key_averages().table(sort_by="cpu_time_total")
    assert "Self CPU time total" in prof.table()
    with pytest.warns(UserWarning, match="no cuda"):
        ag.autograd.profiler.profile(use_cuda=True)
    with ag.autograd.profiler.profile(enabled=False) as off:
        x.exp()
    with pytest.raises(RuntimeError, match="disabled"):
        off.key_averages()
    with pytest.raises(RuntimeError, match="NVTX ranges need CUDA"):
        with ag.autograd.profiler.emit_nvtx():
            pass


def test_table_sort_by_unknown_attribute_is_named():
    with P.profile() as prof:
        ag.randn(3).exp()
    with pytest.raises(AttributeError, match="cannot sort by 'nope'"):
        prof.key_averages().table(sort_by="nope")
    assert "aten::exp" in prof.key_averages().table(sort_by="cuda_time_total")


def test_with_stack_and_gzip_trace(tmp_path):
    x = ag.randn(3)
    with P.profile(with_stack=True) as prof:
        x.exp()
    ev = next(ev for ev in prof.events() if ev.name == "aten::exp")
    assert ev.stack and "test_profiler.py" in ev.stack[0] and "test_with_stack_and_gzip_trace" in ev.stack[0]
    assert "Source Location" in prof.key_averages(group_by_stack_n=1).table()
    prof.export_stacks(str(tmp_path / "stacks.txt"))
    assert "test_with_stack_and_gzip_trace" in (tmp_path / "stacks.txt").read_text()
    prof.export_chrome_trace(str(tmp_path / "t.json.gz"))
    with gzip.open(tmp_path / "t.json.gz") as f:
        assert [ev["name"] for ev in json.load(f)["traceEvents"]] == ["aten::exp"]


def test_import_autograd_lite_does_not_load_the_profiler():
    code = ("import sys, autograd_lite as ag; assert 'autograd_lite.profiler' not in sys.modules; "
            "ag.autograd.profiler.profile; ag.profiler.profile; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ag.autograd.nope


def test_activities():
    x = ag.randn(3)
    with P.profile(activities=[P.ProfilerActivity.CPU, P.ProfilerActivity.CUDA]) as prof:
        x.exp()
    table = prof.key_averages().table()
    assert "aten::exp" in table and "CUDA" not in table
    assert P.supported_activities() == {P.ProfilerActivity.CPU}
    with pytest.raises(TypeError, match="ProfilerActivity members, got 'CPU'"):
        P.profile(activities=["CPU"])
    assert not _record.is_active()


def test_a_range_closed_on_another_thread_is_no_parent_after_it():
    with P.profile() as prof:
        rng = P.record_function("cross").__enter__()
        t = threading.Thread(target=rng.__exit__, args=(None, None, None))
        t.start()
        t.join()
        ag.randn(2).exp()
    parents = {ev.name: ev.cpu_parent for ev in prof.events()}
    assert parents["aten::exp"] is None and parents["cross"] is None
