"""Time each workload in autograd_lite and in PyTorch in one process, interleaved
over many rounds, and report medians and the ratio autograd_lite / PyTorch.

    python -m benchmarks.run                    # every workload
    python -m benchmarks.run op_overhead -r 30  # chosen workloads, 30 rounds
    python -m benchmarks.run --report           # also a Markdown table and a bar chart

Thread counts are pinned (NumPy's BLAS, Numba, PyTorch) before NumPy loads, so
the two libraries get the same cores; results go to benchmarks/results/ as JSON.
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


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a in ("-t", "--threads") and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 1


if __name__ == "__main__":
    _pin_threads(_threads_from_argv(sys.argv))

import argparse  # noqa: E402
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


def measure(impls, rounds):
    """Median seconds per call for each implementation; rounds interleave them and
    alternate their order so drifts in machine load hit all alike."""
    names = list(impls)
    for fn in impls.values():  # warm up: JIT, caches, allocator
        for _ in range(3):
            fn()
    calls = {k: _calls_per_sample(fn) for k, fn in impls.items()}
    samples = {k: [] for k in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for k in order:
            samples[k].append(_time_calls(impls[k], calls[k]))
    return {k: statistics.median(v) for k, v in samples.items()}, calls


def machine_info(threads):
    import numpy as np
    import torch

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "threads": threads,
            "python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__}


def main(argv=None):
    from benchmarks.workloads import WORKLOADS

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", help=f"workloads (default all): {', '.join(WORKLOADS)}")
    p.add_argument("-r", "--rounds", type=int, default=21)
    p.add_argument("-t", "--threads", type=int, default=1)
    p.add_argument("-o", "--output", default=None, help="JSON file (default results/latest.json)")
    p.add_argument("--report", action="store_true",
                   help="also write report.md and ratios.png beside the JSON (benchmarks.report)")
    args = p.parse_args(argv)

    import torch

    import autograd_lite as ag

    torch.set_num_threads(args.threads)
    ag.set_num_threads(args.threads)
    names = args.names or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        p.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")

    rows = []
    for name in names:
        workload = WORKLOADS[name]
        impls = workload.setup()
        med, calls = measure(impls, args.rounds)
        row = {"workload": name, "description": workload.description,
               "seconds": med, "calls_per_sample": calls,
               "ratio_vs_torch": med["autograd_lite"] / med["torch"]}
        if "numpy" in med:
            row["ratio_vs_numpy"] = med["autograd_lite"] / med["numpy"]
        if workload.target is not None:
            row["target_ratio"] = workload.target
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
        print(f"{'workload':<18}{'autograd_lite':>14}{'torch':>14}{'numpy':>14}"
              f"{'ag/torch':>10}{'target':>8}{'ag/numpy':>10}")
        _header_printed[0] = True
    s = row["seconds"]
    numpy_t = _fmt(s["numpy"]) if "numpy" in s else ""
    target = f"{row['target_ratio']:.2f}" if "target_ratio" in row else ""
    vs_np = f"{row['ratio_vs_numpy']:.2f}" if "ratio_vs_numpy" in row else ""
    print(f"{row['workload']:<18}{_fmt(s['autograd_lite']):>14}{_fmt(s['torch']):>14}"
          f"{numpy_t:>14}{row['ratio_vs_torch']:>10.2f}{target:>8}{vs_np:>10}", flush=True)


if __name__ == "__main__":
    main()
