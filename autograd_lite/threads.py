"""`set_num_threads` / `get_num_threads`: the threads the kernels and BLAS may use.

Kernels run on one thread unless `set_num_threads(n)` asks for more. After
`set_num_threads(n)` the library runs one pool of n threads (kernels/workers.py):
batch kernels (convolution, pooling, normalisation, resampling, optimizer updates)
split their work over it, and so do large matrix products, each part one BLAS call;
NumPy's BLAS itself is held at one thread. Two pools would fight over the cores:
OpenBLAS's idle threads spin for ~0.1 s after every threaded call (on x86-64 Linux,
since 0.3.27), and a LeNet-5 step on two threads of a busy 2-core machine cost 58 ms
of CPU with two-thread BLAS against 14 ms with one. Without a call, BLAS keeps its
own default (every core) and the kernels one thread. Numba is not imported here
(importing it costs ~0.3 s); its thread count is applied when the first kernel module
loads, and at once if one already has.
"""
import contextlib
import os
import sys

_requested = [None]


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def set_num_threads(n):
    """Let the Numba kernels use `n` threads (the default is 1: NumPy's BLAS already uses
    every core for matrix products). Raises ValueError for n < 1."""
    n = int(n)
    if n < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {n}")
    _requested[0] = n
    numba = sys.modules.get("numba")
    if numba is not None and "autograd_lite.kernels._numba" in sys.modules:
        _apply_to_numba(numba)
    for lib in _blas_libraries():
        lib.set_num_threads(1)  # products split over our pool instead (see above)


def get_num_threads():
    """Threads the kernels may use: 1 unless `set_num_threads` said otherwise."""
    return _requested[0] if _requested[0] is not None else 1


def _apply_to_numba(numba):
    if _requested[0] is not None:
        numba.set_num_threads(min(_requested[0], numba.config.NUMBA_NUM_THREADS))


_blas = [None]  # threadpoolctl's controller for NumPy's BLAS, False without threadpoolctl


def _blas_controller():
    if _blas[0] is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas[0] = ThreadpoolController().select(user_api="blas")
        except Exception:  # noqa: BLE001 - not installed, or no BLAS it knows
            _blas[0] = False
    return _blas[0]


def _blas_libraries():
    """threadpoolctl's handles on the loaded BLAS libraries ([] without threadpoolctl)."""
    controller = _blas_controller()
    return controller.lib_controllers if controller else []


def limit_blas(n):
    """Set every BLAS library to at most n threads (~1 us a library); returns what to
    pass to `restore_blas`. After `set_num_threads`, BLAS is held at one thread
    already: nothing to do (a region then saves ~5 us of threadpoolctl calls)."""
    if _requested[0] is not None:
        return []
    previous = []
    for lib in _blas_libraries():
        threads = lib.num_threads
        previous.append(threads)
        if threads > n:
            lib.set_num_threads(n)
    return previous


def restore_blas(previous):
    for lib, threads in zip(_blas_libraries(), previous):
        if lib.num_threads != threads:
            lib.set_num_threads(threads)


def one_blas_thread():
    """A context in which NumPy's BLAS runs on one thread (via threadpoolctl, when it
    is installed; otherwise nothing changes). For loops of many small matrix products
    in sequence, such as a recurrent layer's time steps: there, two-thread OpenBLAS
    on a busy 2-core machine made the adding-problem example 6x slower (42.7 s
    against 6.7 s for 300 steps). Entering costs ~25 us; after `set_num_threads`,
    which holds BLAS at one thread already, nothing."""
    if _requested[0] is not None:
        return contextlib.nullcontext()
    controller = _blas_controller()
    if not controller:
        return contextlib.nullcontext()
    return controller.limit(limits=1)
