"""torch.autograd.profiler's namespace: the legacy `profile`, `record_function`,
`emit_nvtx` (refused: no CUDA). The code lives in `autograd_lite.profiler`
(this module sits in the api layer, see tests/test_architecture.py)."""
from ..profiler._events import EventList, FunctionEvent, FunctionEventAvg
from ..profiler.legacy import emit_itt, emit_nvtx, profile, record_function

__all__ = ["profile", "record_function", "emit_nvtx", "emit_itt", "EventList", "FunctionEvent",
           "FunctionEventAvg"]
