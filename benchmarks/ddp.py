"""Data-parallel training over MPI: what DDP costs and what it gains.

    python -m benchmarks.ddp                 # all three parts, results/ddp.json
    python -m benchmarks.ddp bandwidth -r 30 # one part

- bandwidth: DDP's gradient path (the hooks pack 25 gradients of 1 MiB into a
  25 MiB bucket, divided by the world size; its non-blocking allreduce; each .grad
  pointed at its slot) against a raw mpi4py `Allreduce` of the same bytes, on 2
  ranks; the ratio is DDP's share of the raw bandwidth. Cases: new .grad arrays
  each step (zero_grad's default set_to_none: one copy into the bucket, then each
  .grad becomes a view of its averaged slot), .grad tensors that stay those views
  (zero_grad(set_to_none=False): nothing to copy), .grad tensors the user had
  before (PyTorch's copy back into the same tensor: pack and unpack), and the first
  case with each gradient written just before its hook, as backward does, timing
  only the calls into DDP; and the default path in training since gradient
  destinations (autograd/destinations.py): each gradient written by its op
  straight into its slot, then the hooks (`grads_written_by_backward`, again only
  the calls into DDP). `one_copy_floor` is no DDP at all: NumPy copies the
  same arrays (divided) into one buffer, then the raw Allreduce: the least any path
  that copies the gradients once can cost.
- overhead: one training step with and without the DDP wrapper at world size 1
  (the wrapper, the reducer's bookkeeping and its gradient hooks; a one-rank
  allreduce is the identity and is skipped); CPU time of batches of steps, so
  other processes on the machine do not count.
- scaling: samples per second of 2 processes against 1 on compute-bound models,
  the global batch split over the ranks; efficiency = throughput(2) / (2 x
  throughput(1 process, no DDP)).

Every MPI job runs `mpiexec` with one Numba/BLAS thread per rank; timings are
medians of interleaved rounds (the variants alternate, so a change in machine load
hits them alike), with quartiles. On a shared machine the numbers move run to run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite import nn, optim

RESULTS = Path(__file__).resolve().parent / "results"
THREADS = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "NUMBA_NUM_THREADS")}
MiB = 1024 * 1024
SCALING_MODELS = {
    # name: (description, global batch)
    "cnn": ("3x32x32: conv 32 - pool - conv 64 - pool - linear, SGD", 256),
    "mlp": ("MLP 784-2048-2048-10, SGD", 512),
}


def _mpiexec():
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else "mpiexec"


def _job(n, *args):
    """Run this module's worker on `n` ranks; rank 0 prints one JSON line."""
    cmd = [_mpiexec(), "-n", str(n), sys.executable, "-m", "benchmarks.ddp", "--worker", *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **THREADS},
                         cwd=Path(__file__).resolve().parents[1])
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("{")))


# ---- the workers (inside mpiexec) -------------------------------------------------------
def _timed(fn, comm):
    """Seconds of one call of `fn`, started together on every rank (the slowest rank's)."""
    comm.Barrier()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    return comm.allreduce(elapsed, op=_mpi().MAX)


def _mpi():
    from mpi4py import MPI  # optional dependency; importing it starts MPI (workers only)

    return MPI


def _interleaved(fns, rounds, comm=None, measure=None):
    """Samples of each of `fns`, alternating their order round by round."""
    measure = measure or (lambda fn: _timed(fn, comm))
    for fn in fns.values():  # warm up
        fn()
        fn()
    samples = {k: [] for k in fns}
    names = list(fns)
    for r in range(rounds):
        for k in (names if r % 2 == 0 else names[::-1]):
            samples[k].append(measure(fns[k]))
    return samples


def _spread(samples):
    """Median and quartiles."""
    q1, med, q3 = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
    return {"median": statistics.median(samples), "q1": q1, "q3": q3}


def worker_bandwidth(rounds, mib, n_params):
    """Raw Allreduce against DDP's pack + Iallreduce + unpack of the same bytes."""
    dist.init_process_group("mpi")
    comm = _mpi().COMM_WORLD
    numel = mib * MiB // 4
    sizes = [numel // n_params] * n_params
    sizes[-1] += numel - sum(sizes)

    class Grads(nn.Module):
        def __init__(self):
            super().__init__()
            for i, size in enumerate(sizes):
                self.register_parameter(f"w{i}", nn.Parameter(ag.zeros(size)))

    model = Grads()
    ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=mib)
    assert len(ddp.reducer.buckets) == 1
    reducer = ddp.reducer
    params = list(model.parameters())
    fresh = [np.ones(p.shape, np.float32) for p in params]  # what backward would hand over
    raw = np.ones(numel, np.float32)

    def raw_allreduce():
        comm.Allreduce(_mpi().IN_PLACE, raw, op=_mpi().SUM)
        raw.fill(1) if not np.isfinite(raw[0]) else None

    def hooks(new_grads=None):
        reducer.prepare_for_backward()
        for i in reversed(range(len(params))):  # as backward's hooks would, last layer first
            if new_grads is not None:
                params[i].grad = ag.from_numpy(new_grads[i])  # what backward just made
            reducer.grad_ready(params[i])

    def fresh_grads():  # zero_grad() (set_to_none, the default), then backward makes new arrays
        for p in params:
            p.grad = None
        hooks(fresh)

    def grads_in_bucket():  # zero_grad(set_to_none=False): .grad stays the bucket's view
        hooks()

    providers = {id(p): provide for p, provide in reducer.destinations}

    def hooks_timed(into_slot):
        """Each gradient written just before its hook, as backward would (it is in
        cache): into a new array (`fresh_grads_in_cache`), or, with `into_slot`, into
        the bucket slot DDP gives as its gradient destination, which the parameter
        then takes as .grad (`grads_written_by_backward`: after zero_grad(), Linear's
        and Conv2d's weight gradients). Only the time inside DDP counts (asking for
        the slot, the hooks), not the writing, which is backward's own work."""
        for p in params:
            p.grad = None
        comm.Barrier()
        start = time.perf_counter()
        reducer.prepare_for_backward()
        spent = time.perf_counter() - start
        for i in reversed(range(len(params))):
            start = time.perf_counter()
            out = providers[id(params[i])]() if into_slot else fresh[i]  # asking is DDP's work
            spent += time.perf_counter() - start
            out.fill(1.0)  # backward's work, not timed
            params[i].grad = ag.from_numpy(out)
            start = time.perf_counter()
            reducer.grad_ready(params[i])
            spent += time.perf_counter() - start
        return comm.allreduce(spent, op=_mpi().MAX)

    kept = [np.ones(p.shape, np.float32) for p in params]

    def grads_kept():  # .grad tensors that existed before backward (not views): copied back
        for p, g in zip(params, kept):
            if p.grad is None or p.grad.numpy() is not g:
                p.grad = ag.from_numpy(g)
        hooks()

    slots = np.empty(numel, np.float32)
    slot_views = np.split(slots, np.cumsum(sizes)[:-1])

    def one_copy_floor():  # no DDP: copy (divided) into one buffer, then the raw Allreduce
        for g, view in zip(fresh, slot_views):
            np.multiply(g, 1.0 / comm.Get_size(), out=view)
        comm.Allreduce(_mpi().IN_PLACE, slots, op=_mpi().SUM)

    def entry(raw_samples, ddp_samples):
        raw_s, ddp_s = statistics.median(raw_samples), statistics.median(ddp_samples)
        ratios = [r / d for r, d in zip(raw_samples, ddp_samples)]  # per round
        return {"raw_seconds": raw_s, "ddp_seconds": ddp_s, "raw_GBps": mib * MiB / raw_s / 1e9,
                "ddp_GBps": mib * MiB / ddp_s / 1e9, "ratio": raw_s / ddp_s,
                "ratio_per_round": _spread(ratios), "ddp_spread": _spread(ddp_samples)}

    results = {}
    for name, path in (("fresh_grads", fresh_grads), ("grads_in_bucket", grads_in_bucket),
                       ("grads_kept", grads_kept), ("one_copy_floor", one_copy_floor)):
        fresh_grads()  # every .grad is now a view of the bucket
        samples = _interleaved({"raw": raw_allreduce, "ddp": path}, rounds, comm)
        results[name] = entry(samples["raw"], samples["ddp"])
    for name, into_slot in (("fresh_grads_in_cache", False), ("grads_written_by_backward", True)):
        samples = [(hooks_timed(into_slot), _timed(raw_allreduce, comm)) for _ in range(rounds)]
        results[name] = entry([raw for _, raw in samples], [ddp for ddp, _ in samples])
    return {"ranks": comm.Get_size(), "MiB": mib, "params": n_params, "results": results}


def _model(name):
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64 * 8 * 8, 10)), (3, 32, 32)
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(),
                             nn.Linear(2048, 10)), (784,)
    if name == "mlp_small":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10)), (64,)
    raise SystemExit(f"unknown model {name!r}")


def _train_step(name, batch, wrap):
    """A training step closure on this rank's `batch` samples."""
    ag.manual_seed(0)
    model, shape = _model(name)
    if wrap:
        model = nn.parallel.DistributedDataParallel(model)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((batch,) + shape).astype(np.float32))
    y = ag.tensor(rng.integers(0, 10, batch))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def worker_overhead(rounds, models):
    dist.init_process_group("mpi")
    out = {}
    for name, batch in models:
        steps = {"plain": _train_step(name, batch, False), "ddp": _train_step(name, batch, True)}
        start = time.process_time()
        steps["plain"]()
        repeat = max(1, int(0.02 / max(time.process_time() - start, 1e-6)))  # ~20 ms a sample

        def cpu_seconds(step):
            start = time.process_time()
            for _ in range(repeat):
                step()
            return (time.process_time() - start) / repeat

        samples = _interleaved(steps, rounds, measure=cpu_seconds)
        plain, ddp = statistics.median(samples["plain"]), statistics.median(samples["ddp"])
        per_round = [d / p - 1 for p, d in zip(samples["plain"], samples["ddp"])]
        out[name] = {"batch": batch, "steps_per_sample": repeat, "plain_seconds": plain,
                     "ddp_seconds": ddp, "overhead": ddp / plain - 1,
                     "overhead_per_round": _spread(per_round)}
    return out


def worker_scaling(rounds, name, global_batch, wrap):
    dist.init_process_group("mpi")
    comm = _mpi().COMM_WORLD
    batch = global_batch // comm.Get_size()
    step = _train_step(name, batch, wrap == "ddp")
    step()
    step()
    seconds = statistics.median(_timed(step, comm) for _ in range(rounds))
    return {"seconds": seconds, "samples_per_second": global_batch / seconds}


# ---- the driver -------------------------------------------------------------------------
def bandwidth(rounds):
    r = _job(2, "bandwidth", rounds, 25, 25)
    for kind, v in r["results"].items():
        q = v["ratio_per_round"]
        print(f"bandwidth ({kind}): raw Allreduce {v['raw_seconds'] * 1e3:.2f} ms "
              f"({v['raw_GBps']:.2f} GB/s), DDP path {v['ddp_seconds'] * 1e3:.2f} ms "
              f"({v['ddp_GBps']:.2f} GB/s): {v['ratio']:.1%} of raw "
              f"(per round {q['q1']:.0%}-{q['q3']:.0%})", flush=True)
    return r


def overhead(rounds):
    r = _job(1, "overhead", rounds, "mlp_small:32", "cnn:64", "mlp:256")
    for name, v in r.items():
        q = v["overhead_per_round"]
        print(f"world size 1, {name} (batch {v['batch']}): {v['plain_seconds'] * 1e3:.3f} ms "
              f"plain, {v['ddp_seconds'] * 1e3:.3f} ms DDP (CPU time a step): {v['overhead']:+.1%} "
              f"(per round {q['q1']:+.1%} to {q['q3']:+.1%})", flush=True)
    return r


def scaling(rounds, repeats=3):
    """1 and 2 processes alternate `repeats` times (load drift hits both)."""
    out = {}
    for name, (description, batch) in SCALING_MODELS.items():
        runs = {"1 plain": [], "1 ddp": [], "2 ddp": []}
        for _ in range(repeats):
            for key in runs:
                n, wrap = key.split()
                runs[key].append(_job(int(n), "scaling", rounds, name, batch, wrap)["samples_per_second"])
        thr = {k: statistics.median(v) for k, v in runs.items()}
        eff = thr["2 ddp"] / (2 * thr["1 plain"])
        out[name] = {"description": description, "global_batch": batch, "samples_per_second": thr,
                     "all_runs": runs, "efficiency": eff,
                     "efficiency_vs_1_ddp": thr["2 ddp"] / (2 * thr["1 ddp"])}
        print(f"scaling, {name} ({description}, global batch {batch}): "
              + ", ".join(f"{k} {v:.0f}/s" for k, v in thr.items())
              + f": efficiency {eff:.1%}", flush=True)
    return out


PARTS = {"bandwidth": bandwidth, "overhead": overhead, "scaling": scaling}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return _worker(argv[1:])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("parts", nargs="*", help=f"default all: {', '.join(PARTS)}")
    p.add_argument("-r", "--rounds", type=int, default=21)
    p.add_argument("-o", "--output", default=None, help="JSON file (default results/ddp.json)")
    args = p.parse_args(argv)
    unknown = [x for x in args.parts if x not in PARTS]
    if unknown:
        p.error(f"unknown parts {unknown}; choose from {list(PARTS)}")
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "rounds": args.rounds,
              "load_average": os.getloadavg()}
    for part in args.parts or list(PARTS):
        report[part] = PARTS[part](args.rounds)
    report["load_average_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.output) if args.output else RESULTS / "ddp.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"saved {out}")
    return report


def _worker(argv):
    kind, rounds, rest = argv[0], int(argv[1]), argv[2:]
    if kind == "bandwidth":
        result = worker_bandwidth(rounds, int(rest[0]), int(rest[1]))
    elif kind == "overhead":
        models = [(m.split(":")[0], int(m.split(":")[1])) for m in rest]
        result = worker_overhead(rounds, models)
    else:
        result = worker_scaling(rounds, rest[0], int(rest[1]), rest[2])
    if _mpi().COMM_WORLD.Get_rank() == 0:
        print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
