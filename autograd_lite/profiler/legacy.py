"""torch.autograd.profiler's profile (the legacy profiler), and emit_nvtx / emit_itt,
refused: there is no CUDA or VTune here. Installed as `autograd_lite.autograd.profiler`."""
import warnings

from . import _Profile
from ._events import EventList, FunctionEvent, FunctionEventAvg
from ._record import record_function

__all__ = ["profile", "record_function", "emit_nvtx", "emit_itt", "EventList", "FunctionEvent",
           "FunctionEventAvg"]


class profile(_Profile):
    """torch.autograd.profiler.profile: records while the `with` block runs (no schedule).
    `enabled=False` makes it do nothing; `use_cuda` / `use_device` are accepted (no device:
    nothing more is recorded, with a warning); `record_shapes`, `with_stack` as
    torch.profiler.profile's; `profile_memory`, `with_flops`, `with_modules`, `use_kineto`
    accepted and add nothing. Results: `function_events`, `key_averages()`, `table()`,
    `total_average()`, `self_cpu_time_total`, `export_chrome_trace(path)`."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None):
        super().__init__(record_shapes, with_stack)
        self.enabled = enabled
        self.use_cuda = use_cuda
        self.use_device = use_device
        if not use_cpu:
            raise ValueError("profile: use_cpu=False leaves nothing to record here (no device)")
        if enabled and (use_cuda or use_device not in (None, "cpu")):
            warnings.warn(f"profile: no {'cuda' if use_cuda else use_device} device here; only CPU "
                          "time is recorded", UserWarning, stacklevel=2)
        self._entered = False

    def __enter__(self):
        if not self.enabled:
            return self
        if self._entered:
            raise RuntimeError("profile: this profiler context manager is not reentrant")
        self._entered = True
        self._install()
        self._start_window()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        if not self.enabled:
            return False
        try:
            self._stop_window()
        finally:
            self._uninstall()
        return False

    def _check_finished(self):
        if not self.enabled:
            raise RuntimeError("profile: the profiler was disabled (enabled=False), nothing recorded")
        if self._events is None:
            raise RuntimeError("profile: the profiler has not finished running (read results after the with block)")

    @property
    def function_events(self):
        """The recorded events (an EventList of FunctionEvent)."""
        self._check_finished()
        return self._events

    def events(self):
        """The recorded events (an EventList of FunctionEvent)."""
        return self.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """The events averaged per name (and input shapes / stack when asked)."""
        return self.function_events.key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        """The table of every event (not averaged), as EventList.table."""
        return self.function_events.table(sort_by, row_limit, max_src_column_width, max_name_column_width,
                                          max_shapes_column_width, header, top_level_events_only)

    def total_average(self):
        """All events summed into one FunctionEventAvg."""
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self):
        """The sum of every event's self CPU time, in microseconds (the program's time
        inside recorded ranges)."""
        return self.function_events.self_cpu_time_total

    def __str__(self):
        return self.table()


class emit_nvtx:
    """torch.autograd.profiler.emit_nvtx: refused, there is no CUDA here (NVTX ranges are
    for NVIDIA's profilers). Raises RuntimeError when entered while enabled."""

    def __init__(self, enabled=True, record_shapes=False):
        self.enabled = enabled
        self.record_shapes = record_shapes

    def __enter__(self):
        if self.enabled:
            raise RuntimeError("emit_nvtx: NVTX ranges need CUDA, which autograd_lite does not have; "
                               "use autograd_lite.profiler.profile (CPU) instead")
        return self

    def __exit__(self, exc_type, exc_value, tb):
        return False


class emit_itt:
    """torch.autograd.profiler.emit_itt: refused, Intel VTune's ITT API is not available
    here. Raises RuntimeError when entered while enabled."""

    def __init__(self, enabled=True, record_shapes=False):
        self.enabled = enabled
        self.record_shapes = record_shapes

    def __enter__(self):
        if self.enabled:
            raise RuntimeError("emit_itt: Intel ITT ranges are not available in autograd_lite; "
                               "use autograd_lite.profiler.profile instead")
        return self

    def __exit__(self, exc_type, exc_value, tb):
        return False
