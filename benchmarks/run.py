"""Time each workload in autograd_lite and in PyTorch in one process, interleaved
over many rounds, and report medians and the ratio autograd_lite / PyTorch.

    python -m benchmarks.run                    # every workload, on all cores
    python -m benchmarks.run op_overhead -r 30  # chosen workloads, 30 rounds
    python -m benchmarks.run --threads 1,all    # 1 thread and all cores, interleaved
    python -m benchmarks.run --report           # also a Markdown table and a bar chart

Both libraries get the same thread count (`torch.set_num_threads`,
`ag.set_num_threads`, which also sets NumPy's BLAS and Numba); the thread pools are
sized for the largest count before NumPy loads. With several counts, the rounds
interleave every (library, thread count) pair, so the ratio of a library's time on
N threads to its time on 1 thread ("scaling") is measured under the same load.
Results go to benchmarks/results/ as JSON.
"""
import os
import sys


def _pin_threads(n):
    """Must run before NumPy/PyTorch are imported."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(n)
    # Some processors get these set for old OpenBLAS builds; they slow current NumPy.
    # Benchmarks only: tests and CI keep the environment as it is.
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ.pop("OPENBLAS_L2_SIZE", None)


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def parse_threads(text):
    """'1,all' -> [1, cores]: thread counts, ascending, without repeats."""
    counts = set()
    for part in str(text).split(","):
        part = part.strip().lower()
        n = _cores() if part == "all" else int(part)
        if n < 1:
            raise ValueError(f"benchmarks.run: thread counts must be positive, got {text!r}")
        counts.add(n)
    return sorted(counts)


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a in ("-t", "--threads") and i + 1 < len(argv):
            return parse_threads(argv[i + 1])
        if a.startswith("--threads="):
            return parse_threads(a.split("=", 1)[1])
    return parse_threads("all")


if __name__ == "__main__":
    _pin_threads(max(_threads_from_argv(sys.argv)))

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _time_calls(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def _calls_per_sample(fn, target=0.05):
    """How many calls make one timed sample of about `target` seconds."""
    t = _time_calls(fn, 1)
    return max(1, min(1000, int(target / max(t, 1e-7))))


def measure(impls, rounds, prepare=None):
    """Median seconds per call for each implementation; rounds interleave them and
    alternate their order so drifts in machine load hit all alike. `prepare(key)`, if
    given, runs before each implementation's warm-up and samples (untimed).

    Each sample starts with one untimed call. The first call after a switch of library
    or thread count runs 30-80% slower, in both libraries (caches, and the other
    library's threads still spinning on the cores: PyTorch's OpenMP workers spin for
    milliseconds after a region): a cost of interleaving that a training loop, which
    runs one library, never pays (benchmarks/NOTES.md, seventh session)."""
    names = list(impls)
    calls = {}
    for k in names:  # warm up: JIT, caches, allocator
        if prepare:
            prepare(k)
        for _ in range(3):
            impls[k]()
        # kernels compiling on a helper thread (autograd_lite's fused loops) finish first
        importlib.import_module("autograd_lite.kernels.background").wait_for_all()
        calls[k] = _calls_per_sample(impls[k])
    samples = {k: [] for k in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for k in order:
            if prepare:
                prepare(k)
            impls[k]()
            samples[k].append(_time_calls(impls[k], calls[k]))
    return {k: statistics.median(v) for k, v in samples.items()}, calls


def _set_threads(lib, n):
    """n threads for `lib`'s next samples: PyTorch's and autograd_lite's settings (the
    latter holds NumPy's BLAS at one thread, see autograd_lite/threads.py); a plain
    NumPy implementation gets n BLAS threads."""
    import torch
    from threadpoolctl import threadpool_limits

    import autograd_lite as ag

    torch.set_num_threads(n)
    ag.set_num_threads(n)
    if lib == "numpy":
        threadpool_limits(n, user_api="blas")


def measure_workload(workload, threads, rounds):
    """One result row: per thread count the medians and ratios, and each library's
    time on the most threads over its time on one ("scaling")."""
    impls = workload.setup()
    keyed = {(lib, n): fn for n in threads for lib, fn in impls.items()}
    med, calls = measure(keyed, rounds, prepare=lambda key: _set_threads(*key))
    row = {"workload": workload.name, "description": workload.description, "runs": {}}
    for n in threads:
        seconds = {lib: med[(lib, n)] for lib in impls}
        run = {"seconds": seconds, "calls_per_sample": {lib: calls[(lib, n)] for lib in impls},
               "ratio_vs_torch": seconds["autograd_lite"] / seconds["torch"]}
        if "numpy" in seconds:
            run["ratio_vs_numpy"] = seconds["autograd_lite"] / seconds["numpy"]
        row["runs"][str(n)] = run
    if len(threads) > 1:
        row["scaling"] = {lib: med[(lib, threads[-1])] / med[(lib, 1)] for lib in ("autograd_lite", "torch")
                          if (lib, 1) in med}
    if workload.target is not None:
        row["target_ratio"] = workload.target
    if workload.scaling_target is not None:
        row["target_scaling"] = workload.scaling_target
    return row


def machine_info(threads):
    """The machine and library versions; `threads` is the list of thread counts run."""
    import numpy as np
    import torch

    from autograd_lite.kernels import blas

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "threads": threads,
            "python": platform.python_version(), "numpy": np.__version__,
            "gemm": blas.provider(),  # autograd_lite's: kernels/blas.py
            "threadpools": _threadpools(),
            "torch": torch.__version__}


def _threadpools():
    """The BLAS/OpenMP libraries loaded, as threadpoolctl sees them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a runtime dependency, but tolerate its absence
        return []
    return sorted({f"{i['internal_api']} {i.get('version') or '?'} ({i['user_api']})" for i in threadpool_info()})


def main(argv=None):
    from benchmarks.workloads import WORKLOADS

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", help=f"workloads (default all): {', '.join(WORKLOADS)}")
    p.add_argument("-r", "--rounds", type=int, default=21)
    p.add_argument("-t", "--threads", type=parse_threads, default=parse_threads("all"),
                   help="thread counts, e.g. 1,all (default: all cores)")
    p.add_argument("-o", "--output", default=None, help="JSON file (default results/latest.json)")
    p.add_argument("--report", action="store_true",
                   help="also write report.md and ratios.png beside the JSON (benchmarks.report)")
    args = p.parse_args(argv)

    names = args.names or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        p.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")

    rows = []
    for name in names:
        row = measure_workload(WORKLOADS[name], args.threads, args.rounds)
        rows.append(row)
        _print_row(row)

    report = {"machine": machine_info(args.threads), "rounds": args.rounds,
              "date": time.strftime("%Y-%m-%d %H:%M:%S"), "results": rows}
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.output) if args.output else RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nsaved {out}")
    if args.report:
        from benchmarks.report import write_report

        for path in write_report(out):
            print(f"wrote {path}")
    return report


def _fmt(s):
    return f"{s * 1e3:9.3f} ms" if s >= 1e-3 else f"{s * 1e6:9.1f} us"


_header_printed = [False]


def _print_row(row):
    if not _header_printed[0]:
        print(f"{'workload':<18}{'threads':>8}{'autograd_lite':>14}{'torch':>14}{'numpy':>14}"
              f"{'ag/torch':>10}{'target':>8}{'ag/numpy':>10}")
        _header_printed[0] = True
    target = f"{row['target_ratio']:.2f}" if "target_ratio" in row else ""
    for n, run in row["runs"].items():
        s = run["seconds"]
        numpy_t = _fmt(s["numpy"]) if "numpy" in s else ""
        vs_np = f"{run['ratio_vs_numpy']:.2f}" if "ratio_vs_numpy" in run else ""
        print(f"{row['workload']:<18}{n:>8}{_fmt(s['autograd_lite']):>14}{_fmt(s['torch']):>14}"
              f"{numpy_t:>14}{run['ratio_vs_torch']:>10.2f}{target:>8}{vs_np:>10}", flush=True)
    if "scaling" in row:
        scaling = "  ".join(f"{lib} {v:.2f}" for lib, v in row["scaling"].items())
        goal = f" (target {row['target_scaling']:.2f})" if "target_scaling" in row else ""
        print(f"{'':<18}time on {list(row['runs'])[-1]} threads / on 1: {scaling}{goal}", flush=True)


if __name__ == "__main__":
    main()
