"""A rank that fails ends the whole job within seconds, showing its traceback, both
under plain mpiexec (the excepthook init_process_group installs) and under the
launcher (which also catches a non-zero sys.exit)."""
import pytest

from mpi_run import needs_mpi, run_ranks


@needs_mpi
@pytest.mark.parametrize("launcher", [False, True], ids=["mpiexec", "launcher"])
def test_a_rank_that_raises_aborts_the_job(launcher):
    proc, seconds, _ = run_ranks(2, "fail", "raise", launcher=launcher, timeout=60, check=False)
    assert proc.returncode != 0
    assert "[rank 1] ValueError: rank 1 fails on purpose" in proc.stderr
    assert "aborting all 2 ranks" in proc.stderr
    assert seconds < 30, f"the job took {seconds:.1f} s to end"


@needs_mpi
def test_a_rank_that_exits_with_an_error_status_aborts_under_the_launcher():
    proc, seconds, _ = run_ranks(2, "fail", "exit", launcher=True, timeout=60, check=False)
    assert proc.returncode != 0
    assert "[rank 1] exited with status 3" in proc.stderr
    assert seconds < 30
