"""`set_num_threads` / `get_num_threads`: the threads Numba kernels may use.

Numba is not imported here (importing it costs ~0.3 s); the setting is applied when
the first kernel module loads, and at once if one already has.
"""
import os
import sys

_requested = [None]


def _default_threads():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def set_num_threads(n):
    n = int(n)
    if n < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {n}")
    _requested[0] = n
    numba = sys.modules.get("numba")
    if numba is not None and "autograd_lite.kernels._numba" in sys.modules:
        _apply_to_numba(numba)


def get_num_threads():
    return _requested[0] if _requested[0] is not None else _default_threads()


def _apply_to_numba(numba):
    if _requested[0] is not None:
        numba.set_num_threads(min(_requested[0], numba.config.NUMBA_NUM_THREADS))
