"""The launcher: `python -m autograd_lite.distributed.run --nproc N script.py`."""
import os
import subprocess
import sys

import pytest

from autograd_lite.distributed import run
from mpi_run import WORKERS, needs_mpi, run_ranks

ENV_KEYS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")


def test_command_line_and_thread_variables(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # set by the user: kept
    args = run.parse_args(["--nproc", "4", "--hostfile", "hosts", "train.py", "--lr", "0.1"])
    command, env = run.launch_command(args)
    assert command[1:5] == ["-n", "4", "-hostfile", "hosts"]
    assert command[-3:] == ["train.py", "--lr", "0.1"]
    assert command[5:9] == [sys.executable, "-m", "autograd_lite.distributed.run", "--as-worker"]
    assert env["OMP_NUM_THREADS"] == "1" and env["NUMBA_NUM_THREADS"] == "1"
    assert env["OPENBLAS_NUM_THREADS"] == "3"
    command, env = run.launch_command(run.parse_args(["--threads", "2", "-m", "pkg.train"]))
    assert command[-2:] == ["-m", "pkg.train"]
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "2"


def test_mpiexec_is_the_environments_own_first(monkeypatch, tmp_path):
    assert run.find_mpiexec("/opt/site/bin/mpiexec") == "/opt/site/bin/mpiexec"
    fake_python = tmp_path / "bin" / "python"
    fake_python.parent.mkdir()
    (tmp_path / "bin" / "mpiexec").touch()
    monkeypatch.setattr(sys, "executable", str(fake_python))
    assert run.find_mpiexec() == str(tmp_path / "bin" / "mpiexec")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "nowhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit, match="pip install mpi4py mpich"):
        run.find_mpiexec()


@pytest.mark.parametrize("argv", [["--nproc", "0", "x.py"], ["--threads", "0", "x.py"], []])
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit):
        run.parse_args(argv)
    assert "usage:" in capsys.readouterr().err


@needs_mpi
def test_each_rank_gets_torchruns_variables_and_one_thread():
    unset = {v: "" for v in run.THREAD_VARIABLES}
    _, _, results = run_ranks(2, "launcher_env", launcher=True, extra_env=unset)
    for rank, env in results.items():
        assert [env[k] for k in ENV_KEYS] == [str(rank), "2", str(rank), "2"]
        assert env["rank"] == rank
        assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["NUMBA_NUM_THREADS"] == "1"


@needs_mpi
def test_hostfile_and_module_mode(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("localhost:3\n")
    command = [sys.executable, "-m", "autograd_lite.distributed.run", "--nproc", "3",
               "--hostfile", str(hosts), "--threads", "2", "-m", "launcher_env"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(WORKERS)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("RESULT") == 3 and '"OMP_NUM_THREADS": "2"' in proc.stdout
