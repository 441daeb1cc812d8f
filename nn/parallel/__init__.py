"""`nn.parallel`: `DistributedDataParallel` (over MPI, see autograd_lite.distributed)
and `DataParallel` (which, without GPUs, runs the module, as PyTorch's)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
