"""Cold-start figures: `import autograd_lite`, and import to the end of the first
training step of a LeNet-5, an LSTM and a small tanh/sigmoid MLP, each in a fresh
process with an empty and with a warm Numba cache, and the compile time of every
kernel the first step compiles.

    python -m benchmarks.cold_start            # 5 runs each, medians, 1 thread and all cores
    python -m benchmarks.cold_start -n 9 --models lenet,lstm --threads 1

Each figure comes from a new Python process, on one thread and on all cores
(`ag.set_num_threads`, and the same count for BLAS and Numba): what a user runs by
default, where a few kernels differ (the multi-thread drivers). The
clock starts before `import numpy` and stops at the end of the first update
(LeNet-5: batch 64 of 1x28x28, SGD; LSTM: input 32, hidden 128, 50 steps, batch 32,
Adam; MLP: 16-32-1 with tanh and a sigmoid output, batch 8, binary cross-entropy,
SGD: its small arrays take the ufunc kernels, which Numba builds in each process), so
it includes compiling (empty cache: NUMBA_CACHE_DIR is a new temporary folder) or
loading (warm cache) every kernel the step uses. Wall time is what a user waits; CPU
time (the process's, to the end of the step) is steadier on a machine shared with
other work. Python's own bytecode cache is on, as after `pip install`
(PYTHONDONTWRITEBYTECODE is dropped, and one run before the timed ones writes it).

The table lists, for one empty-cache run of each model, every function Numba compiled
(Numba's "numba:compile" events): CPU seconds of its own (exclusive of the functions
it compiled in turn, which have their own rows) and in all, and its first argument
types. Results go to benchmarks/results/cold_start.json, and the table of first steps
to benchmarks/results/cold_start.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"lenet": (3.0, 0.5), "lstm": (2.0, 0.5)}  # seconds: (empty cache, warm cache)
LABELS = {"lenet": "LeNet-5", "lstm": "LSTM", "mlp": "tanh MLP"}

_IMPORT = """
import time
t = time.perf_counter()
import autograd_lite
print(time.perf_counter() - t, time.process_time())
"""

_LISTENER = """
from numba.core import event
_stack, _rows = [], []


class _Compiles(event.Listener):
    def on_start(self, ev):
        _stack.append([time.process_time(), 0.0])

    def on_end(self, ev):
        start, inner = _stack.pop()
        total = time.process_time() - start
        if _stack:
            _stack[-1][1] += total
        d = ev.data["dispatcher"]
        _rows.append([total - inner, total, f"{d.py_func.__module__}.{d.py_func.__qualname__}",
                      ", ".join(str(a) for a in ev.data["args"][:3])])


event.register("numba:compile", _Compiles())
"""

_STEP = """
import time
t0 = time.perf_counter()
import json
import numpy as np
import autograd_lite as ag
from autograd_lite import nn, optim
ag.set_num_threads({threads})
t1 = time.perf_counter()
{listener}
rng = np.random.default_rng(0)
{build}
opt.zero_grad()
loss.backward()
opt.step()
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "to_step_end": t2 - t0, "cpu": time.process_time(),
                  "kernels": globals().get("_rows", [])}}))
"""

_MODELS = {
    "lenet": """
model = nn.LeNet5()
opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = ag.tensor(rng.random((64, 1, 28, 28), dtype=np.float32))
y = ag.tensor(rng.integers(0, 10, 64))
loss = nn.functional.cross_entropy(model(x), y)
""",
    "lstm": """
lstm, head = nn.LSTM(32, 128, batch_first=True), nn.Linear(128, 1)
opt = optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
x = ag.tensor(rng.standard_normal((32, 50, 32)).astype(np.float32))
loss = head(lstm(x)[0][:, -1]).pow(2).mean()
""",
    "mlp": """
model = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 1), nn.Sigmoid())
opt = optim.SGD(model.parameters(), lr=0.1)
x = ag.tensor(rng.standard_normal((8, 16)).astype(np.float32))
y = ag.tensor((rng.random((8, 1)) > 0.5).astype(np.float32))
loss = nn.functional.binary_cross_entropy(model(x), y)
""",
}


def _run(code, env):
    """The child's last stdout line, and the process's wall time."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"a first-step process failed (exit {out.returncode}):\n{out.stderr[-4000:]}")
    return out.stdout.strip().splitlines()[-1], time.perf_counter() - t


def _step(name, env, cache_dir, listen=False, threads=1):
    code = _STEP.format(build=_MODELS[name], listener=_LISTENER if listen else "", threads=threads)
    line, wall = _run(code, dict(env, NUMBA_CACHE_DIR=cache_dir))
    res = json.loads(line)
    res["process_wall"] = wall
    return res


def _medians(runs):
    return {k: statistics.median(r[k] for r in runs) for k in ("to_step_end", "cpu", "process_wall")}


def first_steps(name, runs, threads=1):
    """Medians with an empty and with a warm cache, and one empty-cache run's compiles."""
    env = _env(threads)
    empty, warm = [], []
    with tempfile.TemporaryDirectory() as warm_dir:
        _step(name, env, warm_dir, threads=threads)  # fills the cache (and Python's bytecode cache)
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as empty_dir:
                empty.append(_step(name, env, empty_dir, threads=threads))
            warm.append(_step(name, env, warm_dir, threads=threads))
    with tempfile.TemporaryDirectory() as empty_dir:
        kernels = _step(name, env, empty_dir, listen=True, threads=threads)["kernels"]
    return {"empty": _medians(empty), "warm": _medians(warm),
            "empty_spread": [min(r["to_step_end"] for r in empty), max(r["to_step_end"] for r in empty)],
            "warm_spread": [min(r["to_step_end"] for r in warm), max(r["to_step_end"] for r in warm)],
            "compiles": sorted(kernels, reverse=True)}


def _env(threads=1):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = str(threads)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _label(key):
    """"lenet@2" -> "LeNet-5, 2 threads"."""
    name, threads = key.split("@")
    return f"{LABELS[name]}, {threads} thread{'s' if threads != '1' else ''}"


def _print_steps(key, r):
    target = TARGETS.get(key.split("@")[0])
    for kind, i in (("empty", 0), ("warm", 1)):
        m, spread = r[kind], r[f"{kind}_spread"]
        goal = f"target {target[i]:.1f} s" if target else ""
        print(f"{_label(key):20s} {kind + ' cache':12s}{m['to_step_end']:7.2f} s  "
              f"[{spread[0]:.2f}-{spread[1]:.2f}]  cpu {m['cpu']:5.2f} s  {goal}")


def _print_compiles(key, rows):
    """Our kernels one a row; Numba's own helpers (string formatting for error messages,
    mostly) summed in one."""
    total = sum(r[0] for r in rows)
    print(f"\ncompiled in the first step of {_label(key)} (empty cache): {len(rows)} functions, "
          f"{total:.2f} s CPU")
    print(f"{'own s':>7}{'all s':>7}  function (first argument types)")
    helpers = [r for r in rows if r[2].startswith("numba.")]
    for own, whole, fn, args in rows:
        if not fn.startswith("numba."):
            print(f"{own:7.3f}{whole:7.3f}  {fn.removeprefix('autograd_lite.')} ({args})")
    if helpers:
        print(f"{sum(r[0] for r in helpers):7.3f}{'':7s}  {len(helpers)} of Numba's own functions "
              f"(e.g. {helpers[0][2]})")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", "--runs", type=int, default=5)
    p.add_argument("--models", default=",".join(_MODELS), help=f"comma-separated: {', '.join(_MODELS)}")
    p.add_argument("--threads", default="1,all", help="comma-separated thread counts ('all': every core)")
    args = p.parse_args(argv)
    counts = sorted({os.cpu_count() or 1 if t == "all" else int(t) for t in args.threads.split(",") if t})
    names = [m for m in args.models.split(",") if m]
    unknown = [m for m in names if m not in _MODELS]
    if unknown:
        p.error(f"unknown models {unknown}; choose from {list(_MODELS)}")
    env = _env()
    _run(_IMPORT, env)  # writes Python's bytecode cache
    imports = [_run(_IMPORT, env)[0].split() for _ in range(args.runs)]
    report = {"runs": args.runs, "import_autograd_lite_s": statistics.median(float(w) for w, _ in imports),
              "import_autograd_lite_cpu_s": statistics.median(float(c) for _, c in imports),
              "targets_s": {k: {"empty": e, "warm": w} for k, (e, w) in TARGETS.items()}, "models": {}}
    print(f"import autograd_lite   {report['import_autograd_lite_s']:7.3f} s  "
          f"(process cpu {report['import_autograd_lite_cpu_s']:.3f} s)\n")
    print("import to the end of the first training step, medians [min-max]:")
    for name in names:
        for threads in counts:
            key = f"{name}@{threads}"
            report["models"][key] = first_steps(name, args.runs, threads)
            _print_steps(key, report["models"][key])
    for key, r in report["models"].items():
        _print_compiles(key, r["compiles"])
    report["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "cold_start.json"
    out.write_text(json.dumps(report, indent=2))
    table = RESULTS / "cold_start.md"
    table.write_text(markdown(report))
    print(f"\nsaved {out} and {table}")
    return report


def markdown(report):
    """The first-step table: wall time, median [min-max], CPU and the target."""
    lines = [f"Measured {report['date']}, {report['runs']} runs each; `import autograd_lite` "
             f"{report['import_autograd_lite_s']:.3f} s.", "",
             "| import to the end of the first step | cache | wall, median [min-max] | CPU | target | meets target |",
             "|---|---|---|---|---|---|"]
    for key, r in report["models"].items():
        target = TARGETS.get(key.split("@")[0])
        for kind, i in (("empty", 0), ("warm", 1)):
            m, (lo, hi) = r[kind], r[f"{kind}_spread"]
            goal, ok = (f"≤ {target[i]:.1f} s", "yes" if m["to_step_end"] <= target[i] else "no") if target else ("", "")
            lines.append(f"| {_label(key)} | {kind} | {m['to_step_end']:.2f} s [{lo:.2f}-{hi:.2f}] | "
                         f"{m['cpu']:.2f} s | {goal} | {ok} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
