"""DDP's gradients as views of its buckets (one case per run, argv[1]): buffers reused
from step to step, every way of zeroing gradients, optimizer steps and checkpoints,
each step checked against one process on the whole batch; and DDP at world size 1."""
import gc
import os

import pytest
from worker_common import ag, case, dist, new_grad_arrays, max_diff, np, params_of, report, start

from autograd_lite import nn, optim
import autograd_lite.nn.functional as F
from autograd_lite.nn.parallel import DistributedDataParallel as DDP
from autograd_lite.tensor import post_accumulate_hooks

rank, n = start()
B = 4  # per-rank batch
data_rng = np.random.default_rng(7)
X = data_rng.standard_normal((12, n * B, 2, 12))
Y = data_rng.integers(0, 3, (12, n * B))


def make_model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Conv1d(2, 4, 3), nn.Tanh(), nn.Flatten(), nn.Linear(40, 16), nn.ReLU(),
                         nn.Linear(16, 3)).double()


def shard(step):
    part = slice(rank * B, (rank + 1) * B)
    return ag.tensor(X[step, part]), ag.tensor(Y[step, part])


def whole(step):
    return ag.tensor(X[step]), ag.tensor(Y[step])


def zero(how, model, opt):
    if how == "none":
        opt.zero_grad()  # set_to_none: backward makes new .grad tensors
    elif how == "in_place":
        opt.zero_grad(set_to_none=False)  # the same .grad tensors, filled with 0
    elif how == "module":
        model.zero_grad(set_to_none=False)  # Module's: the same tensors, zeroed in place
    else:
        new_grad_arrays(model)  # the same tensors, new arrays


def bucket_of(ddp, p):
    return next(b for b in ddp.reducer.buckets if any(q is p for q in b.params))


def is_view(ddp, p):
    return p.grad is not None and np.shares_memory(p.grad.numpy(), bucket_of(ddp, p).buffer)


def views():
    """Every way of zeroing, in turn: after each backward the gradients equal the whole
    batch's (1e-12) and are views of the reused bucket buffers (new .grad tensors) or
    the same tensors as before; the optimizer steps stay equal too; a checkpoint saved
    mid-way (model, optimizer, the gradients themselves) resumes to the same weights."""
    model, ref = make_model(), make_model()
    ddp = DDP(model, bucket_cap_mb=0.0005)  # several buckets
    assert len(ddp.reducer.buckets) > 2
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ref_opt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    plan = ["none", "none", "in_place", "in_place", "none", "module", "new_arrays", "none"]
    buffers = None
    for step, how in enumerate(plan):
        before = [id(p.grad) for p in model.parameters()]  # no reference: it would pin the buffers
        zero(how, ddp, opt)
        zero(how, ref, ref_opt)
        F.cross_entropy(ddp(shard(step)[0]), shard(step)[1]).backward()
        F.cross_entropy(ref(whole(step)[0]), whole(step)[1]).backward()
        err = max_diff([p.grad.numpy() for p in model.parameters()], [p.grad.numpy() for p in ref.parameters()])
        assert err < 1e-12, (step, how, err)
        if how == "none":
            assert all(is_view(ddp, p) for p in model.parameters()), step
        else:  # zeroed in place: the same tensors (views stay views)
            assert all(id(p.grad) == g for p, g in zip(model.parameters(), before)), step
            views_stay = how in ("in_place", "module")  # new arrays end the views
            assert all(is_view(ddp, p) == views_stay for p in model.parameters()), step
        now = [id(b.buffer) for b in ddp.reducer.buckets]
        assert buffers is None or now == buffers, f"step {step} ({how}) took new buffers"
        buffers = now
        opt.step()
        ref_opt.step()
        if step == 3:
            checkpoint = save_and_load(ddp, opt)
    assert max_diff(params_of(model), params_of(ref)) < 1e-12
    resumed, resumed_opt = checkpoint
    for step in range(4, len(plan)):
        zero(plan[step], resumed, resumed_opt)
        F.cross_entropy(resumed(shard(step)[0]), shard(step)[1]).backward()
        resumed_opt.step()
    assert max_diff(params_of(resumed.module), params_of(model)) == 0
    report({"grad_error": err, "buffers": len(buffers)})


def save_and_load(ddp, opt):
    """Rank 0 saves model, optimizer and gradients (bucket views); every rank loads
    them into a new DDP model and optimizer."""
    path = os.path.join(os.environ["CKPT_DIR"], "views.agz")
    grads = [p.grad for p in ddp.module.parameters()]
    if rank == 0:
        ag.save({"model": ddp.state_dict(), "optim": opt.state_dict(), "grads": grads}, path)
    dist.barrier()
    state = ag.load(path)
    for saved, g in zip(state["grads"], grads):
        np.testing.assert_array_equal(saved.numpy(), g.numpy())
    fresh = DDP(make_model(), bucket_cap_mb=0.0005)
    fresh.load_state_dict(state["model"])
    fresh_opt = optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    fresh_opt.load_state_dict(state["optim"])
    return fresh, fresh_opt


def held():
    """A gradient array (or a slice of it) the user still holds when the next
    backward comes keeps its values: the bucket takes a new buffer, once."""
    model = make_model()
    ddp = DDP(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    for keep in ("numpy", "slice", "tensor", None, None):
        opt.zero_grad()
        F.cross_entropy(ddp(shard(0)[0]), shard(0)[1]).backward()
        first = model[0].weight
        held = {"numpy": first.grad.numpy(), "slice": first.grad[1:2], "tensor": first.grad,
                None: None}[keep]
        values = None if held is None else np.array(held.numpy() if keep != "numpy" else held)
        buffer_id = id(bucket_of(ddp, first).buffer)
        opt.zero_grad()
        F.cross_entropy(ddp(shard(1)[0]), shard(1)[1]).backward()
        if held is not None:
            np.testing.assert_array_equal(held.numpy() if keep != "numpy" else held, values)
        assert (id(bucket_of(ddp, first).buffer) == buffer_id) == (held is None), keep
        del held
    report({"ok": True})


def world_one():
    """One rank: nothing is packed or moved, the gradients are the plain model's (the
    same values, not views), the hooks are plain gradient hooks that go with the
    wrapper, and the unused-parameter error is PyTorch's."""
    assert n == 1
    model, ref = make_model(), make_model()
    ddp = DDP(model)
    assert not any(id(p) in post_accumulate_hooks for p in model.parameters())
    for step in range(3):
        with ddp.no_sync() if step == 1 else _nothing():
            F.cross_entropy(ddp(shard(step)[0]), shard(step)[1]).backward()
        F.cross_entropy(ref(whole(step)[0]), whole(step)[1]).backward()
        assert max_diff([p.grad.numpy() for p in model.parameters()],
                        [p.grad.numpy() for p in ref.parameters()]) == 0
        assert not any(is_view(ddp, p) for p in model.parameters())
    out = ddp(shard(3)[0])
    model[3](ag.randn(2, 40, dtype=ag.float64)).sum().backward()  # the last layer only
    with pytest.raises(RuntimeError, match="find_unused_parameters=True") as info:
        ddp(shard(3)[0])
    assert "0.weight" in str(info.value) and "3.weight" not in str(info.value)
    del out, ddp, info
    gc.collect()
    assert all(not p._hooks for p in model.parameters())  # the hooks left with the wrapper
    finder = DDP(model, find_unused_parameters=True)
    finder(shard(3)[0])
    model[3](ag.randn(2, 40, dtype=ag.float64)).sum().backward()
    finder(shard(3)[0])  # no error
    report({"ok": True})


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


{"views": views, "held": held, "world_one": world_one}[case()]()
