"""SyncBatchNorm on 2 and 3 MPI ranks against BatchNorm in one process on the
concatenated batch (each rank checks itself inside the worker; see
workers/sync_batchnorm.py)."""
import pytest

from mpi_run import needs_mpi, run_ranks


@needs_mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_ranks_normalise_with_the_whole_batch_statistics(ranks):
    _, _, results = run_ranks(ranks, "sync_batchnorm", "equivalence")
    for errors in (r["errors"] for r in results.values()):
        assert len(errors) > 50 and max(errors.values()) < 2e-4, errors


@needs_mpi
def test_ddp_over_a_converted_model_trains_to_the_single_process_weights():
    _, _, results = run_ranks(2, "sync_batchnorm", "ddp")
    assert all(r["errors"]["ddp"] < 1e-10 for r in results.values())
