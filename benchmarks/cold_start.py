"""Cold-start figures: `import autograd_lite` time, and the first training step of a
LeNet-5 (and of an LSTM and a small tanh/sigmoid MLP) in a fresh process with an empty
and with a warm Numba cache.

    python -m benchmarks.cold_start            # 5 runs each, medians
    python -m benchmarks.cold_start -n 9

Each figure comes from a new Python process (nothing imported or compiled before).
The step is measured inside that process, from building the model to the end of
the first update (LeNet-5: batch 64 of 1x28x28, SGD; LSTM: input 32, hidden 128, 50
steps, batch 32, Adam; MLP: 16-32-1 with tanh and a sigmoid output, batch 8, binary
cross-entropy, SGD: its small arrays take the ufunc kernels, which Numba builds in
each process), so it includes compiling (empty cache)
or loading (warm cache) every kernel it uses; the whole process's wall time is
reported too. Results go to benchmarks/results/cold_start.json.
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

_IMPORT = "import time; t = time.perf_counter(); import autograd_lite; print(time.perf_counter() - t)"

_STEP = """
import time
t0 = time.perf_counter()
import numpy as np
import autograd_lite as ag
from autograd_lite import nn, optim
t1 = time.perf_counter()
rng = np.random.default_rng(0)
{build}
opt.zero_grad()
loss.backward()
opt.step()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
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
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()], time.perf_counter() - t


def _first_steps(name, code, env, runs):
    """Medians of the first step (and the process) with an empty and a warm cache."""
    empty, warm = [], []
    with tempfile.TemporaryDirectory() as warm_dir:
        env_warm = dict(env, NUMBA_CACHE_DIR=warm_dir)
        _run(code, env_warm)  # fill the cache
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as empty_dir:
                (_, step), wall = _run(code, dict(env, NUMBA_CACHE_DIR=empty_dir))
                empty.append((step, wall))
            (_, step), wall = _run(code, env_warm)
            warm.append((step, wall))

    def med(rows, i):
        return statistics.median(r[i] for r in rows)

    label = {"lenet": "LeNet", "lstm": "LSTM", "mlp": "tanh MLP"}[name]
    print(f"{f'first {label} step, empty Numba cache':38s}{med(empty, 0):7.3f} s  "
          f"(process {med(empty, 1):.2f} s)")
    print(f"{f'first {label} step, warm Numba cache':38s}{med(warm, 0):7.3f} s  "
          f"(process {med(warm, 1):.2f} s; target < 1 s)")
    return {f"first_{name}_step_empty_cache_s": med(empty, 0),
            f"first_{name}_step_warm_cache_s": med(warm, 0),
            f"process_wall_{name}_empty_cache_s": med(empty, 1),
            f"process_wall_{name}_warm_cache_s": med(warm, 1)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", "--runs", type=int, default=5)
    args = p.parse_args(argv)
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = "1"
    imports = [_run(_IMPORT, env)[0][0] for _ in range(args.runs)]

    report = {"runs": args.runs, "import_autograd_lite_s": statistics.median(imports)}
    print(f"{'import autograd_lite':38s}{report['import_autograd_lite_s']:7.3f} s  (target < 0.5 s)")
    for name, build in _MODELS.items():
        report.update(_first_steps(name, _STEP.format(build=build), env, args.runs))
    report["targets"] = {"import_s": 0.5, "first_step_warm_cache_s": 1.0}
    report["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "cold_start.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"saved {out}")
    return report


if __name__ == "__main__":
    main()
