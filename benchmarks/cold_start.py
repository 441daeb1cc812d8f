"""Cold-start figures: `import autograd_lite` time, and the first LeNet-5 training step
in a fresh process with an empty and with a warm Numba cache.

    python -m benchmarks.cold_start            # 5 runs each, medians
    python -m benchmarks.cold_start -n 9

Each figure comes from a new Python process (nothing imported or compiled before).
The step is measured inside that process, from building the model to the end of
the first SGD update (batch 64 of 1x28x28), so it includes compiling (empty cache)
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
model = nn.LeNet5()
opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
rng = np.random.default_rng(0)
x = ag.tensor(rng.random((64, 1, 28, 28), dtype=np.float32))
y = ag.tensor(rng.integers(0, 10, 64))
loss = nn.functional.cross_entropy(model(x), y)
opt.zero_grad()
loss.backward()
opt.step()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _run(code, env):
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()], time.perf_counter() - t


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", "--runs", type=int, default=5)
    args = p.parse_args(argv)
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = "1"
    imports = [_run(_IMPORT, env)[0][0] for _ in range(args.runs)]

    empty, warm = [], []
    with tempfile.TemporaryDirectory() as warm_dir:
        env_warm = dict(env, NUMBA_CACHE_DIR=warm_dir)
        _run(_STEP, env_warm)  # fill the cache
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as empty_dir:
                (imp, step), wall = _run(_STEP, dict(env, NUMBA_CACHE_DIR=empty_dir))
                empty.append((imp, step, wall))
            (imp, step), wall = _run(_STEP, env_warm)
            warm.append((imp, step, wall))

    def med(rows, i):
        return statistics.median(r[i] for r in rows)

    report = {
        "runs": args.runs,
        "import_autograd_lite_s": statistics.median(imports),
        "first_lenet_step_empty_cache_s": med(empty, 1),
        "first_lenet_step_warm_cache_s": med(warm, 1),
        "process_wall_empty_cache_s": med(empty, 2),
        "process_wall_warm_cache_s": med(warm, 2),
        "targets": {"import_s": 0.5, "first_step_warm_cache_s": 1.0},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"import autograd_lite                    {report['import_autograd_lite_s']:.3f} s  (target < 0.5 s)")
    print(f"first LeNet step, empty Numba cache     {report['first_lenet_step_empty_cache_s']:.3f} s  "
          f"(process {report['process_wall_empty_cache_s']:.2f} s)")
    print(f"first LeNet step, warm Numba cache      {report['first_lenet_step_warm_cache_s']:.3f} s  "
          f"(process {report['process_wall_warm_cache_s']:.2f} s; target < 1 s)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "cold_start.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"saved {out}")
    return report


if __name__ == "__main__":
    main()
