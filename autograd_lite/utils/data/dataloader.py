"""The loader under PyTorch's module path (`torch.utils.data.dataloader`), and
`get_worker_info`."""
from . import DataLoader, default_collate, default_convert

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


def get_worker_info():
    """Information about the DataLoader worker process this code runs in, or None in the
    main process, as PyTorch's. The loader always loads in the main process here
    (`num_workers` is ignored), so this is always None."""
    return None
