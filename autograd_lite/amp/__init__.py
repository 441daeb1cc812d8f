"""`ag.amp`: loss scaling (`GradScaler`, real) and `autocast` (accepted where PyTorch
would not autocast either; lower-precision autocasting is not implemented, see
`autocast_mode`)."""
from .autocast_mode import (autocast, custom_bwd, custom_fwd, is_autocast_available,  # noqa: F401
                            is_autocast_enabled)
from .grad_scaler import GradScaler  # noqa: F401
