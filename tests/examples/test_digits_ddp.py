"""The data-parallel digits example (examples/digits_ddp.py) trains under mpiexec and
under the launcher, and its single-process baseline runs beside it (short runs)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_lite as ag
from autograd_lite.examples.cnn_digits import make_model
from mpi_run import THREADS_ENV, needs_mpi, run_ranks

pytest.importorskip("sklearn")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCURACY = re.compile(r"test accuracy (\d\.\d+)")


def _accuracy(stdout):
    found = ACCURACY.findall(stdout)
    assert len(found) == 1, stdout  # printed once, by rank 0
    return float(found[0])


@needs_mpi
@pytest.mark.parametrize("launcher", [False, True], ids=["mpiexec", "launcher"])
def test_two_processes_train_and_rank_0_saves(launcher, tmp_path):
    path = tmp_path / "digits.agz"
    proc, _, _ = run_ranks(2, EXAMPLES / "digits_ddp.py", "--epochs", "3", "--width", "8",
                           "--save", path, launcher=launcher, results=False)
    assert "2 processes: best epoch" in proc.stdout and proc.stdout.count("epoch   3") == 1
    assert _accuracy(proc.stdout) > 0.5  # three short epochs of a narrow model; chance is 0.1
    make_model(8).load_state_dict(ag.load(path))


def test_single_process_baseline_runs():
    proc = subprocess.run([sys.executable, str(EXAMPLES / "digits_single.py"), "--epochs", "3",
                           "--width", "8"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **THREADS_ENV})
    assert proc.returncode == 0, proc.stderr
    assert "1 process: best epoch" in proc.stdout and _accuracy(proc.stdout) > 0.5
