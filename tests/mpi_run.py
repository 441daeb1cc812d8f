"""Run a worker script on N MPI ranks (`mpiexec -n N`) with a timeout, for the tests.

The tests run in the pytest process without MPI; each MPI job is a subprocess with
one Numba/BLAS thread per rank. Workers check their results themselves (an
assertion aborts the job, with its traceback) and print `RESULT <rank> <json>`.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKERS = Path(__file__).resolve().parent / "distributed" / "workers"
THREADS_ENV = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                "NUMBA_NUM_THREADS")}


def mpiexec_path():
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPI_MISSING = importlib.util.find_spec("mpi4py") is None or mpiexec_path() is None
needs_mpi = pytest.mark.skipif(
    MPI_MISSING, reason="MPI is not installed (pip install mpi4py mpich, or "
    "pip install -e \".[distributed]\"): the multi-process tests need mpiexec")


def run_ranks(n, worker, *args, timeout=180, launcher=False, extra_env=None, check=True,
              results=True):
    """Run distributed/workers/<worker>.py (or the script at path `worker`) on `n`
    ranks; returns (completed process, seconds, {rank: result}). With `check`, a
    non-zero exit fails the test showing stderr, and with `results` too every rank
    must have reported."""
    script = str(worker if isinstance(worker, Path) else WORKERS / f"{worker}.py")
    if launcher:
        cmd = [sys.executable, "-m", "autograd_lite.distributed.run", "--nproc", str(n), script]
    else:
        cmd = [mpiexec_path(), "-n", str(n), sys.executable, script]
    env = dict(os.environ, **({} if launcher else THREADS_ENV), **(extra_env or {}))  # the launcher sets its own
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{worker} on {n} ranks hung: no exit after {timeout} s\n"
                    f"stdout:\n{e.stdout}\nstderr:\n{e.stderr}")
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        pytest.fail(f"{worker} on {n} ranks failed (exit {proc.returncode})\n"
                    f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    reports = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r"RESULT (\d+) ", proc.stdout):  # ranks' lines may interleave
        reports[int(match.group(1))] = decoder.raw_decode(proc.stdout, match.end())[0]
    if check and results:
        assert sorted(reports) == list(range(n)), f"not every rank reported:\n{proc.stdout}"
    return proc, seconds, reports
