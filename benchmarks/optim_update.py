"""Which update backs the optimizers: the NumPy path (in-place ufuncs, one scratch
array) or the fused Numba kernels (one thread / split over the threads)? Interleaved medians for one
step over the mlp_large parameters (784x1024, 1024x1024 and 1024x10 weights with
their biases, float32), PyTorch's single-tensor step alongside; then the size at
which splitting over the threads overtakes one thread (PARALLEL_MIN).

    python -m benchmarks.optim_update              # threads: all cores
    NUMBA_NUM_THREADS=1 python -m benchmarks.optim_update
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import autograd_lite as ag  # noqa: E402
from autograd_lite import optim  # noqa: E402
from autograd_lite.kernels import optim as k  # noqa: E402
from autograd_lite.optim.adagrad import adagrad_numpy  # noqa: E402
from autograd_lite.optim.adam import adam_numpy  # noqa: E402
from autograd_lite.optim.rmsprop import rmsprop_numpy  # noqa: E402
from autograd_lite.optim.sgd import sgd_numpy  # noqa: E402

SHAPES = [(1024, 784), (1024,), (1024, 1024), (1024,), (10, 1024), (10,)]


def _median_time(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _arrays(rng, n_state):
    out = []
    for s in SHAPES:
        p = rng.standard_normal(s).astype(np.float32)
        g = rng.standard_normal(s).astype(np.float32)
        st = [np.abs(rng.standard_normal(s)).astype(np.float32) for _ in range(n_state)]
        out.append((p, g, st))
    return out


def _cases(rng):
    f = np.float32
    sets = {name: _arrays(rng, n) for name, n in (("sgd", 1), ("adam", 2), ("rmsprop", 1), ("adagrad", 1))}

    def numpy_path(name):
        def run():
            for p, g, st in sets[name]:
                if name == "sgd":
                    sgd_numpy(p, g, st[0], False, 1e-3, 0.0, 0.9, 0.0, False, False)
                elif name == "adam":
                    adam_numpy(p, g, st[0], st[1], st[1], 3.0, 1e-3, 0.9, 0.999, 1e-8, 0.0, False, False, False)
                elif name == "rmsprop":
                    rmsprop_numpy(p, g, st[0], st[0], st[0], 1e-2, 0.99, 1e-8, 0.0, 0.0, False, False)
                else:
                    adagrad_numpy(p, g, st[0], 1e-2, 1e-10, 0.0, False)
        return run

    def kernel_path(name, mode):
        def kern(serial, n):
            if mode == "serial":
                return serial
            if mode == "threads":  # split over the threads whatever the size
                return k.pick(serial, max(n, k.PARALLEL_MIN))
            return k.pick(serial, n)

        def run():
            for p, g, st in sets[name]:
                pf, gf = p.reshape(-1), g.reshape(-1)
                s = [a.reshape(-1) for a in st]
                if name == "sgd":
                    kern(k.sgd_serial, pf.size)(
                        pf, gf, s[0], f(-1e-3), f(0), f(0.9), f(1), False, False, True, False, False)
                elif name == "adam":
                    kern(k.adam_serial, pf.size)(
                        pf, gf, s[0], s[1], s[1], f(1), f(0), f(0.1), f(0.9), f(0.999), f(0.001),
                        f(0.03), f(1e-8), f(-1e-3), False, 0, False, False)
                elif name == "rmsprop":
                    kern(k.rmsprop_serial, pf.size)(
                        pf, gf, s[0], s[0], s[0], f(-1e-2), f(0), f(0.99), f(0.01), f(0.01), f(0.99),
                        f(1e-8), f(0), False, False, False, False, False)
                else:
                    kern(k.adagrad_serial, pf.size)(
                        pf, gf, s[0], f(-1e-2), f(0), f(1e-10), False, False)
        return run

    def torch_path(name):
        ps = [torch.nn.Parameter(torch.randn(*s)) for s in SHAPES]
        for p in ps:
            p.grad = torch.randn_like(p)
        opt = {"sgd": lambda: torch.optim.SGD(ps, lr=1e-3, momentum=0.9),
               "adam": lambda: torch.optim.Adam(ps, lr=1e-3),
               "rmsprop": lambda: torch.optim.RMSprop(ps, lr=1e-2),
               "adagrad": lambda: torch.optim.Adagrad(ps, lr=1e-2)}[name]()
        opt.step()
        return opt.step

    for name in sets:
        yield name, {"numpy": numpy_path(name), "numba serial": kernel_path(name, "serial"),
                     "numba threads": kernel_path(name, "threads"), "numba (dispatch)": kernel_path(name, "pick"),
                     "torch": torch_path(name)}


def main(rounds=15):
    threads = int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    ag.set_num_threads(threads)
    rng = np.random.default_rng(0)
    print(f"one step over {SHAPES}, float32; medians of {rounds} interleaved rounds")
    for name, impls in _cases(rng):
        for fn in impls.values():
            fn()  # compile / load the cache
        times = {label: [] for label in impls}
        for _ in range(rounds):
            for label, fn in impls.items():
                times[label].append(_median_time(fn, 3))
        base = statistics.median(times["numpy"])
        cells = "  ".join(f"{label} {statistics.median(t) * 1e3:7.3f}ms ({base / statistics.median(t):4.1f}x)"
                          for label, t in times.items())
        print(f"{name:<8} {cells}")

    print(f"Adam, one thread vs split over {threads} threads, by size (float32):")
    f = np.float32
    for n in (1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 18):
        arrs = [rng.standard_normal(n).astype(f) for _ in range(2)] + [np.zeros(n, f), np.ones(n, f)]
        args = (f(1), f(0), f(0.1), f(0.9), f(0.999), f(0.001), f(0.03), f(1e-8), f(-1e-3), False, 0, False, False)
        res = []
        for kern in (k.adam_serial, k.pick(k.adam_serial, max(n, k.PARALLEL_MIN))):
            kern(*arrs, arrs[3], *args)
            reps = max(3, 2_000_000 // n)
            res.append(statistics.median(
                [_median_time(lambda kern=kern: kern(*arrs, arrs[3], *args), reps) for _ in range(rounds)]))
        print(f"  n={n:>7}: one thread {res[0] * 1e6:8.1f}us  threads {res[1] * 1e6:8.1f}us")


SMALL_SHAPES = [(128, 64), (128,), (64, 128), (64,), (10, 64), (10,)]
STEP_CASES = [("SGD", dict(lr=1e-3, momentum=0.9)), ("Adam", {}), ("AdamW", {}), ("RMSprop", {}), ("Adagrad", {}),
              ("Adadelta", {}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("ASGD", {}), ("Rprop", {})]


def step_overhead(rounds=15, steps=200):
    """Microseconds per optimizer.step() over mlp_small's parameters (float32), medians
    of interleaved rounds."""
    rng = np.random.default_rng(0)
    opts = []
    for name, kw in STEP_CASES:
        ps = [ag.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SMALL_SHAPES]
        for p in ps:
            p.grad = ag.tensor(rng.standard_normal(p.shape).astype(np.float32) * 1e-3)
        opt = getattr(optim, name)(ps, **kw)
        opt.step()  # compile / load the cache
        opts.append((name, opt))
    times = {name: [] for name, _ in opts}
    for _ in range(rounds):
        for name, opt in opts:
            t0 = time.perf_counter()
            for _ in range(steps):
                opt.step()
            times[name].append((time.perf_counter() - t0) / steps)
    print(f"optimizer.step() on {SMALL_SHAPES}, float32, 1 thread; medians of {rounds} rounds:")
    for name, t in times.items():
        print(f"  {name:<9} {statistics.median(t) * 1e6:7.1f} us")


if __name__ == "__main__":
    if "--steps" not in sys.argv:
        main()
    step_overhead()
