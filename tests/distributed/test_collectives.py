"""torch.distributed's API on MPI: collectives on 3 ranks (checked inside the worker),
the checks of init_process_group, and the errors before any group exists."""
import subprocess
import sys

import pytest

import autograd_lite.distributed as dist
from mpi_run import needs_mpi, run_ranks


@needs_mpi
def test_every_collective_on_three_ranks():
    run_ranks(3, "collectives")


@needs_mpi
def test_init_checks_env_and_arguments_against_mpi():
    run_ranks(2, "env_mismatch")


def test_calls_before_init_process_group_raise_as_pytorch():
    assert dist.is_available() and not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier,
                 lambda: dist.all_reduce(None)):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call()
    with pytest.raises(ValueError, match="unknown backend 'ucc'"):
        dist.init_process_group("ucc")


def test_without_mpi_init_process_group_says_how_to_install_it():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import autograd_lite.distributed as dist\n"
            "assert not dist.is_mpi_available()\n"
            "dist.init_process_group('mpi')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "pip install mpi4py mpich" in proc.stderr and "RuntimeError" in proc.stderr
