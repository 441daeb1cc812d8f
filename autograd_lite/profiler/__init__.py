"""torch.profiler's namespace: time a program's ops, backward nodes, optimizer steps and
named ranges.

```python
import autograd_lite as ag
from autograd_lite.profiler import ProfilerActivity, profile, record_function

model = ag.nn.Sequential(ag.nn.Linear(3, 8), ag.nn.ReLU(), ag.nn.Linear(8, 1))
opt = ag.optim.Adam(model.parameters())
x = ag.randn(16, 3)
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    with record_function("forward"):
        loss = model(x).square().mean()
    loss.backward()
    opt.step()
print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
```

What is recorded (names as in the table): each op as `aten::<public name>`
(`aten::linear`, `aten::relu`, `aten::add`, `aten::add_`, `aten::zeros`; a composite op
such as `aten::mse_loss` holds the ops it calls), each backward node as its
name (`LinearBackward`, `ReluBackward`; PyTorch's end in a number: `ReluBackward0`),
custom Functions under their class name, `Optimizer.step#Adam.step` and
`Optimizer.zero_grad#Adam.zero_grad`, `record_function` ranges and, with a schedule,
`ProfilerStep#<n>` per step. Self time is a range's time less the ranges opened
inside it on the same thread; each thread records its own nesting.

How it costs nothing when not profiling: no check sits on the op or engine paths.
Entering a profile swaps timed versions in for the attributes those paths look up
per call (each op class's `forward`, each node class's `backward`/`fast_backward`,
`Function.apply`, the optimizers' `step`/`zero_grad`, the op table's public functions,
Tensor methods and operators), and leaving it (also on an exception) puts the
originals back (see `_record` for what is not covered). CUDA is accepted as an activity and records nothing (no
device); memory, FLOPs and module hierarchy are not measured (`profile_memory`,
`with_flops`, `with_modules` are accepted and add nothing).
"""
import enum
import gzip
import os
import socket
import time
import warnings

from . import _record
from ._events import EventList, FunctionEvent, FunctionEventAvg
from ._record import record_function

__all__ = ["profile", "ProfilerActivity", "ProfilerAction", "schedule", "tensorboard_trace_handler",
           "record_function", "supported_activities", "EventList", "FunctionEvent", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    """What to profile: CPU (recorded), CUDA, XPU, MTIA (accepted; no device here, so
    nothing is recorded for them)."""
    CPU = "CPU"
    CUDA = "CUDA"
    XPU = "XPU"
    MTIA = "MTIA"


def supported_activities():
    """The activities that record something here: {ProfilerActivity.CPU}."""
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What a schedule asks for at a step: NONE, WARMUP, RECORD, RECORD_AND_SAVE."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """PyTorch's schedule: after `skip_first` steps, cycles of `wait` steps idle,
    `warmup` steps running unrecorded and `active` steps recorded (the last one
    RECORD_AND_SAVE, where `on_trace_ready` runs), `repeat` cycles (0: no limit).
    With `skip_first_wait` the first cycle skips its wait. Returns step -> ProfilerAction.
    Raises ValueError for negative counts or `active` < 1."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise ValueError(f"schedule: need wait >= 0, warmup >= 0, active > 0, repeat >= 0 and skip_first >= 0, "
                         f"got wait={wait}, warmup={warmup}, active={active}, repeat={repeat}, "
                         f"skip_first={skip_first}")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    cycle = wait + warmup + active

    def schedule_fn(step):
        if step < 0:
            raise ValueError(f"schedule: steps are non-negative, got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _always_record(step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An `on_trace_ready` that writes each window's Chrome trace into `dir_name` (made if
    missing) as `<worker_name>.<time in ms>.pt.trace.json` (`.gz` with `use_gzip`);
    `worker_name` defaults to `<host>_<pid>`, as PyTorch's. TensorBoard's profiler
    plugin and Perfetto read these files."""

    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"
        if use_gzip:
            name += ".gz"
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler


class _Profile:
    """The recording machinery both profiles share: install on enter, uninstall on exit,
    the events of the last finished (or running) window."""

    def __init__(self, record_shapes, with_stack):
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self._saved = None
        self._session = None
        self._events = None

    def _install(self):
        self._session = _record.Session(self.record_shapes, self.with_stack)
        self._saved = _record.install(self._session)

    def _uninstall(self):
        if self._saved is not None:
            saved, self._saved = self._saved, None
            _record.uninstall(saved)

    def _start_window(self):
        self._session = _record.Session(self.record_shapes, self.with_stack)
        _record.switch(self._session)
        self._session.recording = True

    def _stop_window(self):
        self._session.recording = False
        self._events = self._session.function_events()

    def events(self):
        """The recorded events (FunctionEvent), by start time: of the last finished window,
        or of the running one."""
        if self._session is not None and self._session.recording:
            return self._session.function_events()
        if self._events is None:
            raise RuntimeError("profile: nothing recorded yet (the profile has not run a recording step)")
        return self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """The events averaged per name (and input shapes / stack when asked): an EventList
        of FunctionEventAvg, whose `.table(...)` prints PyTorch's table."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON) at `path`; gzipped if it ends in .gz."""
        if path.endswith(".gz"):
            tmp = path[:-3]
            self.events().export_chrome_trace(tmp)
            with open(tmp, "rb") as src, gzip.open(path, "wb") as dst:
                dst.write(src.read())
            os.remove(tmp)
        else:
            self.events().export_chrome_trace(path)


class profile(_Profile):
    """torch.profiler.profile: a context manager that records the CPU time of ops,
    backward nodes, optimizer steps and `record_function` ranges (see the module's text).

    `activities` (default CPU; CUDA accepted, records nothing), `schedule` (step ->
    ProfilerAction, see `schedule`; default: record every step), `on_trace_ready(prof)`
    (called at each RECORD_AND_SAVE step's end and when the profile ends inside a recorded
    window), `record_shapes` (the input shapes of each op: an "Input Shapes" column when
    grouped by shape), `with_stack` (the user's frames of each range). `profile_memory`,
    `with_flops`, `with_modules`, `experimental_config`, `execution_trace_observer`,
    `acc_events` and `use_cuda` are accepted and measure nothing more. Call `step()` at
    the end of each step. One profile records at a time (entering a second raises)."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None):
        super().__init__(record_shapes, with_stack)
        activities = supported_activities() if activities is None else set(activities)
        for a in activities:
            if not isinstance(a, ProfilerActivity):
                raise TypeError(f"profile: activities must be ProfilerActivity members, got {a!r}")
        self.activities = activities
        if use_cuda:
            warnings.warn("profile: use_cuda is deprecated in PyTorch; there is no CUDA here, nothing "
                          "is recorded for it", FutureWarning, stacklevel=2)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"profile: schedule must be a callable step -> ProfilerAction, got {schedule!r}")
        self.schedule = schedule if schedule is not None else _always_record
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.profile_memory = profile_memory
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._step_range = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.stop()
        return False

    def start(self):
        """Begin profiling (what `with` does on entry)."""
        self._install()
        try:
            self._transit(ProfilerAction.NONE, self.current_action)
            self._open_step()
        except BaseException:
            self._uninstall()
            raise

    def stop(self):
        """End profiling (what `with` does on exit): close the step, run `on_trace_ready`
        if a window was being recorded, put the original entry points back."""
        try:
            self._close_step()
            self._transit(self.current_action, None)
        finally:
            self._uninstall()

    def step(self):
        """Mark the end of a step: the schedule decides what the next one does."""
        self._close_step()
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(prev, self.current_action)
        self._open_step()

    def _open_step(self):
        if self.record_steps:
            self._step_range = record_function(f"ProfilerStep#{self.step_num}")
            self._step_range.__enter__()

    def _close_step(self):
        if self._step_range is not None:
            rng, self._step_range = self._step_range, None
            rng.__exit__(None, None, None)

    def _transit(self, prev, cur):
        recording = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        if prev in recording:
            if prev == ProfilerAction.RECORD and cur not in recording and cur is not None:
                warnings.warn(f"Incorrect schedule: RECORD followed by {cur.name}", stacklevel=3)
            if prev == ProfilerAction.RECORD_AND_SAVE or cur is None:
                self._stop_window()
                if self.on_trace_ready is not None:
                    self.on_trace_ready(self)
            elif cur not in recording:
                self._stop_window()
            else:
                return  # RECORD -> RECORD / RECORD_AND_SAVE: the window goes on
        elif prev == ProfilerAction.WARMUP and cur == ProfilerAction.NONE:
            warnings.warn("Incorrect schedule: WARMUP followed by NONE", stacklevel=3)
        if cur in recording:
            self._start_window()

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Write each event's stack (needs `with_stack=True`) with its `metric` in
        microseconds, one "frame;frame;... value" line per event (flame graph input)."""
        with open(path, "w") as f:
            for ev in self.events():
                if ev.stack:
                    f.write(";".join(reversed(ev.stack)) + f" {int(getattr(ev, metric))}\n")
