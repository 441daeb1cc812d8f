"""`ag.cuda.amp`: the deprecated `torch.cuda.amp` spellings. As in PyTorch without CUDA,
`GradScaler()` warns and disables itself (a pass-through) and `autocast()` warns and
does nothing."""
import warnings

from autograd_lite.amp import GradScaler as _GradScaler
from autograd_lite.amp import autocast as _autocast
from autograd_lite.amp import custom_bwd as _custom_bwd
from autograd_lite.amp import custom_fwd as _custom_fwd


class autocast(_autocast):
    """`ag.cuda.amp.autocast(...)`: deprecated; use `ag.autocast("cuda", ...)`."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`autograd_lite.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`autograd_lite.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    """`ag.cuda.amp.GradScaler(...)`: deprecated; use `ag.amp.GradScaler("cuda", ...)`."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        warnings.warn("`autograd_lite.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`autograd_lite.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled, _stacklevel=3)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated spelling of `ag.amp.custom_fwd(device_type="cuda")`."""
    return _custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """Deprecated spelling of `ag.amp.custom_bwd(device_type="cuda")`."""
    return _custom_bwd(bwd, device_type="cuda")
