"""`torch.distributed` on MPI: process groups and collectives on tensors, used by
`nn.parallel.DistributedDataParallel` and `utils.data.DistributedSampler`.

    import autograd_lite.distributed as dist
    dist.init_process_group("mpi")   # rank and world size come from mpiexec
    dist.all_reduce(t)               # in place, as PyTorch

Launch with `mpiexec -n N python train.py` or
`python -m autograd_lite.distributed.run --nproc N train.py`. MPI comes from mpi4py
(`pip install mpi4py mpich`); importing this package starts no MPI.
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_into_tensor,  # noqa: F401
                          all_gather_object, all_reduce, barrier, broadcast,
                          broadcast_object_list, gather, gather_object, reduce, scatter,
                          scatter_object_list)
from .process_group import (GroupMember, destroy_process_group, get_backend, get_rank,  # noqa: F401
                            get_world_size, group, init_process_group, is_available,
                            is_gloo_available, is_initialized, is_mpi_available,
                            is_nccl_available, is_torchelastic_launched)

__all__ = [
    "is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
    "is_torchelastic_launched", "init_process_group", "destroy_process_group",
    "is_initialized", "get_rank", "get_world_size", "get_backend", "group", "GroupMember",
    "ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor",
    "all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list",
    "reduce", "gather", "scatter", "barrier",
]
