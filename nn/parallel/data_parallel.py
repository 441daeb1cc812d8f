"""`DataParallel`, as PyTorch's on a machine without GPUs: it runs the module."""
from ..module import Module


class DataParallel(Module):
    """Single-process data parallelism over GPUs in PyTorch; with no GPU (always, here)
    PyTorch's runs `module` unchanged, and so does this one. Its state_dict keys carry
    the `module.` prefix, as PyTorch's. For several processes use
    `DistributedDataParallel`."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected an nn.Module, got {type(module).__name__}")
        self.module = module
        self.device_ids = []  # no devices: device_ids and output_device are ignored, as PyTorch's

    def forward(self, *inputs, **kwargs):
        """Run the wrapped module on the inputs (there are no devices to scatter them to)."""
        return self.module(*inputs, **kwargs)
