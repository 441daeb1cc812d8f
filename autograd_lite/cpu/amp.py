"""`ag.cpu.amp`: the deprecated `torch.cpu.amp` spellings of autocast and GradScaler
(device "cpu"), with PyTorch's FutureWarning."""
import warnings

from autograd_lite.amp import GradScaler as _GradScaler
from autograd_lite.amp import autocast as _autocast


class autocast(_autocast):
    """`ag.cpu.amp.autocast(enabled=True, dtype=bfloat16)`: deprecated; use
    `ag.autocast("cpu", ...)`."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`autograd_lite.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`autograd_lite.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    """`ag.cpu.amp.GradScaler(...)`: deprecated; use `ag.amp.GradScaler("cpu", ...)`."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        warnings.warn("`autograd_lite.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`autograd_lite.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
