"""DistributedDataParallel on 2 and 3 MPI ranks against one process on the whole
batch (each case checks itself inside the worker; see workers/ddp.py), and
DataParallel, which without GPUs runs the module as PyTorch's does."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.parallel import DataParallel
from autograd_lite.nn.parallel.reducer import bucket_assignment
from mpi_run import needs_mpi, run_ranks


@needs_mpi
@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_n_ranks_train_to_the_weights_of_one_process_on_the_whole_batch(ranks):
    _, _, results = run_ranks(ranks, "ddp", "equivalence")
    for errors in (r["errors"] for r in results.values()):
        assert max(errors.values()) < 1e-6, errors


@needs_mpi
def test_gradients_kept_from_earlier_steps_never_change_and_old_grads_keep_identity():
    run_ranks(2, "ddp", "grad_memory")


@needs_mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_grads_are_views_of_reused_buckets_through_zero_grad_steps_and_checkpoints(ranks, tmp_path):
    _, _, results = run_ranks(ranks, "ddp_views", "views", extra_env={"CKPT_DIR": str(tmp_path)})
    assert all(r["grad_error"] < 1e-12 for r in results.values())


@needs_mpi
def test_a_gradient_the_user_holds_keeps_its_values_the_bucket_takes_a_new_buffer():
    run_ranks(2, "ddp_views", "held")


@needs_mpi
def test_world_size_one_moves_nothing_and_raises_pytorchs_unused_parameter_error():
    run_ranks(1, "ddp_views", "world_one")


@needs_mpi
def test_allreduce_starts_during_backward():
    _, _, results = run_ranks(2, "ddp", "overlap")
    assert all(0 < r["launched"] < r["buckets"] for r in results.values())


@needs_mpi
def test_no_sync_accumulates_the_big_batch_gradient():
    run_ranks(2, "ddp", "no_sync")


@needs_mpi
def test_initial_broadcast_and_buffers_from_rank_0():
    run_ranks(2, "ddp", "buffers")


@needs_mpi
@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_unused_parameters_error_and_find_unused_parameters(ranks):
    run_ranks(ranks, "ddp", "unused")


@needs_mpi
def test_checkpoint_saved_on_rank_0_loads_everywhere(tmp_path):
    run_ranks(2, "ddp", "checkpoint", extra_env={"CKPT_DIR": str(tmp_path)})


@needs_mpi
def test_bad_arguments_and_different_models_across_ranks():
    run_ranks(2, "ddp", "errors")


def _bucket_shapes():
    return [(100000,), (300, 1000), (10,), (200000,), (50000,), (400000,), (7,)]


@pytest.mark.parametrize("mixed", [False, True])
def test_bucket_assignment_is_pytorchs(mixed):
    """Reverse parameter order, a small first bucket, one dtype per bucket."""
    def dtype(i):
        return (np.float64 if i % 2 else np.float32) if mixed else np.float32

    limits = [1024 * 1024, 2 * 1024 * 1024]
    mine = [ag.zeros(*s, dtype=dtype(i)) for i, s in enumerate(_bucket_shapes())][::-1]
    theirs = [torch.zeros(*s, dtype=torch.from_numpy(np.zeros(0, dtype(i))).dtype)
              for i, s in enumerate(_bucket_shapes())][::-1]
    expected, _ = torch.distributed._compute_bucket_assignment_by_size(theirs, limits, [False] * len(theirs))
    assert bucket_assignment(mine, limits) == [list(b) for b in expected]


def test_data_parallel_runs_the_module_as_pytorch_without_gpus():
    ag.manual_seed(0)
    inner = nn.Linear(3, 2)
    model = DataParallel(inner, device_ids=[0, 1])
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), inner(x).detach().numpy())
    assert model.module is inner and model.device_ids == []
    t_model = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(model.state_dict()) == list(t_model.state_dict()) == ["module.weight", "module.bias"]
    model(x).sum().backward()
    assert inner.weight.grad is not None
