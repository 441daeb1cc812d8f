"""Compile kernels on a helper thread while the program goes on with a slower path.

Some kernels only make a step faster, not different: the recurrent layers' fused
time loops (kernels/rnn_fused.py) give the same bits as the Python loop but cost ~1.3 s
to compile, the multi-thread convolution driver (kernels/conv_fused.py) the same bits
as the chunks driven from Python but ~8 s. A `Job` compiles such kernels on a helper
thread once asked
(`request`), and the caller keeps its slower path until `ready` says the job is
done; a program's first steps then wait for none of it, and the helper uses a core
the first steps leave idle. Numba compiles one function at a time (its compiler
lock), so one helper runs the queued jobs in turn and ends when the queue is empty.

While the helper compiles, Numba's Python parts hold the GIL in turns with the
program, whose steps run slower for that time (LLVM's optimisation releases it). A
job that fails leaves its caller on the slower path and warns once.

The helper is not a daemon thread: at exit Python waits for a compile in flight
(seconds at most) rather than end the process under LLVM. Before `os.fork()` the
forking thread waits for the queue too, so a child never starts with Numba's
compiler lock held by a thread it doesn't have.
"""
import os
import threading
import warnings

_lock = threading.Lock()
_queue = []  # jobs waiting for the helper
_helper = None  # the helper thread while the queue runs


class Job:
    """`build()` (compile, or load from Numba's cache) run once on the helper thread."""

    def __init__(self, description, build):
        self.description = description  # for the warning: "the fused LSTM time loop"
        self._build = build
        self._state = "idle"  # -> "queued" -> "ready" or "failed"
        self._finished = threading.Event()

    @property
    def ready(self):
        """The kernels are compiled: the fast path may run."""
        return self._state == "ready"

    @property
    def requested(self):
        return self._state != "idle"

    def request(self):
        """Queue the job for the helper thread (the first call; later ones do nothing)."""
        global _helper
        with _lock:
            if self._state != "idle":
                return
            self._state = "queued"
            _queue.append(self)
            if _helper is None:
                _helper = threading.Thread(target=_run_queue, name="autograd_lite-compile")
                _helper.start()

    def wait(self):
        """Request the job and wait until it has run; returns `ready`."""
        self.request()
        self._finished.wait()
        return self.ready

    def _run(self):
        try:
            self._build()
        except Exception as e:  # noqa: BLE001 - the caller keeps its slower path, told why
            self._state = "failed"
            warnings.warn(f"autograd_lite: compiling {self.description} failed ({type(e).__name__}: {e}); "
                          f"the slower path keeps running", RuntimeWarning, stacklevel=1)
        else:
            self._state = "ready"
        finally:
            self._finished.set()


_seen = {}  # job -> ids of the keys seen before it was requested
_MAX_SEEN = 64  # callers that make a new key every call still get their job


def request_on_second_call(job, key):
    """Request `job` the second time `key` (a layer's weight array) comes by: by then a
    training loop's first step has compiled what it needs in its own thread, and the
    helper doesn't hold Numba's compiler lock while it does."""
    if job.requested:
        return
    seen = _seen.setdefault(job, set())
    if id(key) in seen or len(seen) >= _MAX_SEEN:
        del _seen[job]
        job.request()
    else:
        seen.add(id(key))


def _run_queue():
    global _helper
    while True:
        with _lock:
            if not _queue:
                _helper = None
                return
            job = _queue.pop(0)
        job._run()


def wait_for_all():
    """Return once no job is queued or running."""
    while True:
        with _lock:
            helper = _helper
        if helper is None or helper is threading.current_thread():
            return
        helper.join()


def _after_fork_in_child():
    """The child has no helper thread: queued jobs go back to waiting for a request."""
    global _lock, _helper
    _lock = threading.Lock()
    _helper = None
    for job in _queue:
        job._state = "idle"
    _queue.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=wait_for_all, after_in_child=_after_fork_in_child)
