"""`nn.parallel`: `DistributedDataParallel` (over MPI, see autograd_lite.distributed)
and `DataParallel` (which, without GPUs, runs the module, as PyTorch's).

`DistributedDataParallel` loads on first use: it imports autograd_lite.distributed, and
`nn` imports `DataParallel` from here (`nn.DataParallel`, as PyTorch's)."""
import importlib

from .data_parallel import DataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]


def __getattr__(name):
    if name == "DistributedDataParallel":
        return importlib.import_module(f"{__name__}.distributed").DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
