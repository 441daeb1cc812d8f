"""`set_num_threads` / `get_num_threads`: the threads Numba kernels may use.

Kernels run on one thread unless `set_num_threads(n)` asks for more. NumPy's BLAS
already spreads matrix products over every core and its threads spin for a while
after each call; Numba's parallel kernels competing with them for two cores made
the digits demo 3x slower (11.0 s against 3.6 s for 20 epochs), so parallel kernels
are opt-in. Numba is not imported here (importing it costs ~0.3 s); the setting is
applied when the first kernel module loads, and at once if one already has.
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


def get_num_threads():
    """Threads the kernels may use: 1 unless `set_num_threads` said otherwise."""
    return _requested[0] if _requested[0] is not None else 1


def _apply_to_numba(numba):
    if _requested[0] is not None:
        numba.set_num_threads(min(_requested[0], numba.config.NUMBA_NUM_THREADS))


_blas = [None]  # threadpoolctl's controller for NumPy's BLAS, False without threadpoolctl


def one_blas_thread():
    """A context in which NumPy's BLAS runs on one thread (via threadpoolctl, when it
    is installed; otherwise nothing changes). For loops of many small matrix products
    in sequence, such as a recurrent layer's time steps: there, two-thread OpenBLAS
    on a busy 2-core machine made the adding-problem example 6x slower (42.7 s
    against 6.7 s for 300 steps). Entering costs ~25 us."""
    if _blas[0] is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas[0] = ThreadpoolController().select(user_api="blas")
        except Exception:  # noqa: BLE001 - not installed, or no BLAS it knows
            _blas[0] = False
    if not _blas[0]:
        return contextlib.nullcontext()
    return _blas[0].limit(limits=1)
