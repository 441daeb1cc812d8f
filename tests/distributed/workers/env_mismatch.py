"""RANK set to a value MPI disagrees with: init_process_group names both."""
import os

import pytest

import autograd_lite.distributed as dist

os.environ["RANK"] = "5"
with pytest.raises(ValueError, match=r"RANK=5 disagrees with MPI, which started this process as rank"):
    dist.init_process_group("mpi")
del os.environ["RANK"]
with pytest.raises(ValueError, match=r"world_size=7 disagrees"):
    dist.init_process_group("mpi", world_size=7)
with pytest.raises(RuntimeError, match=r"needs GPUs"):
    dist.init_process_group("nccl")
dist.init_process_group("mpi", rank=int(os.environ["PMI_RANK"]), world_size=int(os.environ["PMI_SIZE"]))
print(f"RESULT {dist.get_rank()} true", flush=True)
