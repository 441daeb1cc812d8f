"""SyncBatchNorm on N ranks against BatchNorm in one process on the whole batch: each
rank checks its outputs, input gradients, the summed weight/bias gradients and the
running statistics, for 2-, 3- and 4-D input, float64 and float32, momentum 0.1 and
None (cumulative), affine or not."""
from worker_common import ag, case, dist, max_diff, np, report, start

from autograd_lite import nn, optim
from autograd_lite.nn.parallel import DistributedDataParallel as DDP

rank, n = start()
B = 3  # per-rank batch (the last rank gets one fewer: unequal counts)
errors = {}


def local_rows(total):
    sizes = [B] * (n - 1) + [B - 1] if n > 1 else [B]
    start_row = sum(sizes[:rank])
    return slice(start_row, start_row + sizes[rank]), sum(sizes)


def check(shape_tail, dtype, momentum, affine, steps=2):
    rows, total = local_rows(None)
    rng = np.random.default_rng(7)
    C = shape_tail[0]
    tol = 1e-10 if dtype == np.float64 else 2e-4
    ref = nn.BatchNorm1d(C, momentum=momentum, affine=affine).to(dtype)
    if len(shape_tail) == 3:
        ref = nn.BatchNorm2d(C, momentum=momentum, affine=affine).to(dtype)
    if affine:
        with ag.no_grad():
            ref.weight.copy_(ag.tensor(rng.standard_normal(C).astype(dtype)))
            ref.bias.copy_(ag.tensor(rng.standard_normal(C).astype(dtype)))
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(ref)).to(dtype)[0]
    ref = ref.__class__(C, momentum=momentum, affine=affine).to(dtype)
    ref.load_state_dict(sync.state_dict())
    for step in range(steps):
        x = (rng.standard_normal((total,) + shape_tail) * 3 + 5).astype(dtype)
        w = rng.standard_normal((total,) + shape_tail).astype(dtype)
        xa = ag.tensor(x, requires_grad=True)
        out_ref = ref(xa)
        (out_ref * ag.tensor(w)).sum().backward()
        xs = ag.tensor(x[rows], requires_grad=True)
        out = sync(xs)
        (out * ag.tensor(w[rows])).sum().backward()
        key = f"{shape_tail} {np.dtype(dtype)} {momentum} {affine} step {step}"
        errors[key + " out"] = max_diff([out.detach().numpy()], [out_ref.detach().numpy()[rows]])
        errors[key + " dx"] = max_diff([xs.grad.numpy()], [xa.grad.numpy()[rows]])
        if affine:
            for name in ("weight", "bias"):
                g = getattr(sync, name).grad.clone()
                dist.all_reduce(g)  # DDP would average; the sum is the whole batch's
                errors[key + " d" + name] = max_diff([g.numpy()], [getattr(ref, name).grad.numpy()])
                getattr(sync, name).grad = None
                getattr(ref, name).grad = None
        for name in ("running_mean", "running_var"):
            errors[key + " " + name] = max_diff([getattr(sync, name).numpy()],
                                                [getattr(ref, name).numpy()])
        assert int(sync.num_batches_tracked) == step + 1
        bad = {k: v for k, v in errors.items() if k.startswith(key) and not v < tol}
        assert not bad, bad
    sync.eval()
    ref.eval()
    x = rng.standard_normal((2,) + shape_tail).astype(dtype)
    assert max_diff([sync(ag.tensor(x)).detach().numpy()], [ref(ag.tensor(x)).detach().numpy()]) < tol


if case() in ("all", "equivalence"):
    for tail in [(4,), (4, 5), (3, 2, 3)]:
        for dtype in (np.float64, np.float32):
            check(tail, dtype, 0.1, True)
    check((4, 5), np.float64, None, True, steps=3)
    check((4, 5), np.float64, 0.1, False)
    report({"errors": {k: float(v) for k, v in errors.items()}})


def make_model(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Conv1d(2, 4, 3), nn.BatchNorm1d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(24, 3)).double()


if case() in ("all", "ddp"):  # convert_sync_batchnorm + DDP, the usual recipe
    per = 4
    data = np.random.default_rng(11).standard_normal((5, n * per, 2, 8))
    ref = make_model()
    model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(make_model()))
    opt_ref = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(5):
        opt_ref.zero_grad()
        ref(ag.tensor(data[step])).pow(2).mean().backward()
        opt_ref.step()
        opt.zero_grad()
        model(ag.tensor(data[step, rank * per:(rank + 1) * per])).pow(2).mean().backward()
        opt.step()
    sync_sd, ref_sd = model.module.state_dict(), ref.state_dict()
    err = max(float(np.max(np.abs(sync_sd[k].numpy() - ref_sd[k].numpy()))) for k in ref_sd)
    assert err < 1e-10, err
    report({"errors": {"ddp": err}})
