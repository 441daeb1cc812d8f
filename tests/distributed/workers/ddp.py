"""DistributedDataParallel on N ranks, one case per run (argv[1]); each rank checks
itself against a single-process run on the whole batch."""
import gc
import os
import warnings

import pytest
from worker_common import ag, case, dist, new_grad_arrays, gathered, max_diff, np, params_of, report, start

from autograd_lite import nn, optim
import autograd_lite.nn.functional as F
from autograd_lite.nn.parallel import DistributedDataParallel as DDP
from autograd_lite.tensor import post_accumulate_hooks

rank, n = start()
B = 4  # per-rank batch
data_rng = np.random.default_rng(123)
X = data_rng.standard_normal((10, n * B, 2, 12))  # 10 steps of the whole batch
Y = data_rng.integers(0, 3, (10, n * B))


def make_model(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Conv1d(2, 4, 3), nn.Tanh(), nn.Flatten(), nn.Linear(40, 16), nn.ReLU(),
                         nn.Linear(16, 3)).double()


def shard(step):
    part = slice(rank * B, (rank + 1) * B)
    return ag.tensor(X[step, part]), ag.tensor(Y[step, part])


def train(model, steps, batches, zero="optimizer"):
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(steps):
        xb, yb = batches(step)
        if zero == "optimizer":
            opt.zero_grad()  # set_to_none: backward makes new .grad tensors
        elif zero == "in_place":
            opt.zero_grad(set_to_none=False)  # the same .grad tensors, filled with 0
        elif zero == "module":
            model.zero_grad(set_to_none=False)  # Module's: the same tensors, zeroed in place
        else:
            new_grad_arrays(model)  # the same tensors, new arrays
        F.cross_entropy(model(xb), yb).backward()
        opt.step()


def reference(steps=10):
    model = make_model()
    train(model, steps, lambda s: (ag.tensor(X[s]), ag.tensor(Y[s])))
    return params_of(model)


def equivalence():
    """N ranks x batch B train to one process x batch N*B's weights (float64, SGD with
    momentum, 10 steps), with default buckets, tiny buckets and bucket views."""
    ref = reference()
    errors = {}
    tiny = {"bucket_cap_mb": 0.0005}
    for name, kwargs, zero in [("default", {}, "optimizer"), ("tiny_buckets", tiny, "optimizer"),
                               ("zero_in_place", tiny, "in_place"), ("module_zero", tiny, "module"),
                               ("new_grad_arrays", tiny, "new_arrays"),
                               ("bucket_view", dict(tiny, gradient_as_bucket_view=True), "in_place")]:
        model = make_model(seed=rank)  # different on each rank: DDP copies rank 0's
        ddp = DDP(model, **kwargs)
        train(ddp, 10, shard, zero)
        errors[name] = max_diff(params_of(model), ref)
        assert errors[name] < 1e-6, (name, errors[name])
        everyone = gathered(np.concatenate([p.ravel() for p in params_of(model)]))
        assert all(np.array_equal(everyone[0], e) for e in everyone), "replicas differ"
    report({"errors": errors, "buckets": [len(b.params) for b in DDP(make_model(), bucket_cap_mb=0.0005).reducer.buckets]})


def grad_memory():
    """Where averaged gradients live: a .grad the user had before backward keeps its
    identity (PyTorch's copy back); a new one may share the bucket's memory, but a
    gradient the user kept from an earlier step never changes afterwards."""
    model = make_model()
    ddp = DDP(model, bucket_cap_mb=0.0005)
    opt = optim.SGD(model.parameters(), lr=0.1)
    kept = []
    for step in range(3):
        opt.zero_grad()  # set_to_none: new .grad tensors
        xb, yb = shard(step)
        F.cross_entropy(ddp(xb), yb).backward()
        kept.append(([p.grad for p in model.parameters()], [p.grad.numpy().copy() for p in model.parameters()],
                     model[0].weight.grad[1:3]))
        # each Linear weight's gradient was written by its GEMM into the bucket: no copy
        for bucket in ddp.reducer.buckets:
            for k, p in enumerate(bucket.params):
                if p.ndim == 2:
                    assert k in bucket.given and np.shares_memory(p.grad.numpy(), bucket.buffer), (step, k)
        opt.step()
    for grads, values, part in kept:
        for g, v in zip(grads, values):
            np.testing.assert_array_equal(g.numpy(), v)  # later steps did not write into them
        np.testing.assert_array_equal(part.numpy(), values[0][1:3])
    before = [p.grad for p in model.parameters()]
    opt.zero_grad(set_to_none=False)
    F.cross_entropy(ddp(shard(5)[0]), shard(5)[1]).backward()
    assert all(p.grad is g for p, g in zip(model.parameters(), before))
    ref = make_model()
    ref.load_state_dict(model.state_dict())
    F.cross_entropy(ref(ag.tensor(X[5])), ag.tensor(Y[5])).backward()
    err = max_diff([p.grad.numpy() for p in model.parameters()], [p.grad.numpy() for p in ref.parameters()])
    assert err < 1e-12, err
    report({"ok": True})


def overlap():
    """The top layers' buckets start their allreduce before backward reaches the
    first layer: a spy at the model's input sees buckets already launched."""
    seen = {}

    class Spy(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            seen["launched"] = ddp.reducer.next_launch
            seen["buckets"] = len(ddp.reducer.buckets)
            return g

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = make_model()

        def forward(self, x):
            return self.body[1:](Spy.apply(self.body[0](x)))

    ddp = DDP(Model(), bucket_cap_mb=0.0005)
    xb, yb = shard(0)
    F.cross_entropy(ddp(xb), yb).backward()
    assert 0 < seen["launched"] < seen["buckets"], seen
    assert not ddp.reducer.expect_hooks  # finished: every bucket averaged
    report(seen)


def no_sync():
    """k micro-batches under no_sync, then one synced: the average over ranks of the
    accumulated gradients equals k x the gradient of the whole batch's mean loss."""
    k = 3
    model = make_model()
    ddp = DDP(model)
    for m in range(k):
        xb, yb = shard(m)
        ctx = ddp.no_sync() if m < k - 1 else _nullcontext()
        with ctx:
            F.cross_entropy(ddp(xb), yb).backward()
        if m == 0:  # local gradients still differ between ranks
            first = gathered(model[0].weight.grad.numpy())
            assert not np.allclose(first[0], first[-1]) or n == 1
    ref = make_model()
    xs = np.concatenate([X[m] for m in range(k)])
    ys = np.concatenate([Y[m] for m in range(k)])
    (k * F.cross_entropy(ref(ag.tensor(xs)), ag.tensor(ys))).backward()
    err = max_diff([p.grad.numpy() for p in model.parameters()], [p.grad.numpy() for p in ref.parameters()])
    assert err < 1e-12, err
    report({"grad_error": err})


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def buffers():
    """Construction copies rank 0's parameters and buffers; each forward first
    broadcasts rank 0's buffers (BatchNorm running stats), unless turned off."""
    ag.manual_seed(rank)
    model = nn.Sequential(nn.Linear(12, 5), nn.BatchNorm1d(5)).double()
    model[1].running_mean.numpy()[:] = rank  # differs per rank before DDP
    ddp = DDP(model)
    for p in list(model.parameters()) + list(model.buffers()):
        everyone = gathered(p.detach().numpy())
        assert all(np.array_equal(everyone[0], e) for e in everyone)
    seen_at_forward = []
    model.register_forward_pre_hook(lambda m, inp: seen_at_forward.append(m[1].running_mean.numpy().copy()))
    for step in range(3):
        xb = ag.tensor(X[step, rank * B:(rank + 1) * B, 0])  # different data per rank
        ddp(xb).sum().backward()
        everyone = gathered(seen_at_forward[-1])
        assert all(np.array_equal(everyone[0], e) for e in everyone), "buffers not broadcast"
    after = gathered(model[1].running_mean.numpy())
    assert n == 1 or not np.allclose(after[0], after[-1])  # updated locally by the last forward
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        local = DDP(model, broadcast_buffers=False)
    local(ag.tensor(X[5, rank * B:(rank + 1) * B, 0]))
    everyone = gathered(model[1].running_mean.numpy())
    assert n == 1 or not np.allclose(everyone[0], everyone[-1])
    with pytest.warns(FutureWarning, match="broadcast_buffers"):
        DDP(model, broadcast_buffers=True)
    report({"ok": True})


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(12, 6)
        self.used = nn.Linear(6, 3)
        self.unused = nn.Linear(6, 3)
        self.rank0_only = nn.Linear(6, 3)

    def forward(self, x):
        h = self.trunk(x).tanh()
        out = self.used(h)
        if dist.get_rank() == 0:
            out = out + self.rank0_only(h)
        return out


def unused():
    """A parameter without gradient: a clear error at the next forward that names
    find_unused_parameters=True; with it, training works, a parameter no rank
    used keeps grad None and one used on rank 0 only gets its average."""
    ag.manual_seed(0)
    model = TwoHeads().double()
    ddp = DDP(model)
    xb = ag.tensor(X[0, rank * B:(rank + 1) * B, 0])
    ddp(xb).sum().backward()
    with pytest.raises(RuntimeError, match=r"find_unused_parameters=True") as info:
        ddp(xb)
    assert "unused.weight" in str(info.value)

    ag.manual_seed(0)
    model = TwoHeads().double()
    ddp = DDP(model, find_unused_parameters=True)
    opt = optim.SGD(ddp.parameters(), lr=0.1)
    for step in range(3):
        state = {k: v.clone() for k, v in model.state_dict().items()}
        opt.zero_grad()
        ddp(ag.tensor(X[step, rank * B:(rank + 1) * B, 0])).sum().backward()
        if step < 2:
            opt.step()
    assert model.unused.weight.grad is None and model.unused.bias.grad is None
    g = gathered(model.rank0_only.weight.grad.numpy())
    assert all(np.array_equal(g[0], e) for e in g)
    ref = TwoHeads().double()
    ref.load_state_dict(state)
    if rank == 0:
        ref(ag.tensor(X[2, :B, 0])).sum().backward()
        np.testing.assert_allclose(ref.rank0_only.weight.grad.numpy() / n, g[0], rtol=1e-12)
    report({"ok": True})


def checkpoint():
    """Rank 0 saves, barrier, every rank loads: the same weights everywhere."""
    path = os.path.join(os.environ["CKPT_DIR"], "ddp.agz")
    model = make_model(seed=rank)
    ddp = DDP(model)
    train(ddp, 2, shard)
    keys = list(ddp.state_dict())
    assert keys[0] == "module.0.weight" and all(k.startswith("module.") for k in keys)
    if rank == 0:
        ag.save(ddp.state_dict(), path)
    dist.barrier()
    fresh = DDP(make_model(seed=100 + rank), init_sync=False)
    fresh.load_state_dict(ag.load(path))
    assert max_diff(params_of(fresh.module), params_of(model)) == 0
    inner = make_model(seed=7)
    inner.load_state_dict({k[len("module."):]: v for k, v in ag.load(path).items()})
    assert max_diff(params_of(inner), params_of(model)) == 0
    report({"keys": keys[:2]})


def errors():
    model = make_model()
    ddp = DDP(model)
    assert all(id(p) in post_accumulate_hooks for p in model.parameters())
    del ddp
    gc.collect()
    assert not any(id(p) in post_accumulate_hooks for p in model.parameters())  # hooks left with it
    with pytest.raises(ValueError, match="device_ids"):
        DDP(make_model(), device_ids=[0])
    frozen = make_model().requires_grad_(False)
    with pytest.raises(RuntimeError, match="doesn't have any parameter that requires a gradient"):
        DDP(frozen)
    width = 16 if rank == 0 else 17
    ag.manual_seed(0)
    different = nn.Sequential(nn.Linear(4, width))
    if n > 1:
        with pytest.raises(RuntimeError, match="differs from rank 0's"):
            DDP(different)
    report({"ok": True})


{"equivalence": equivalence, "grad_memory": grad_memory, "overlap": overlap, "no_sync": no_sync, "buffers": buffers,
 "unused": unused, "checkpoint": checkpoint, "errors": errors}[case()]()
