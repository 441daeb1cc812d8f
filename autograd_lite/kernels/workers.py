"""Run a batch's independent tasks on the threads `ag.set_num_threads` allows.

A convolution splits its batch into chunks of samples; one thread runs a chunk's
im2col (Numba), GEMM (BLAS) and output pass (Numba) one after the other, so the
chunk stays in that core's cache. The chunks run on the calling thread plus a pool
of Python threads: the Numba kernels release the GIL (`nogil=True`) and so does
NumPy's matmul, so the threads run in parallel. BLAS is held to one thread while
the tasks run, so its threads never compete with ours for the cores (Numba's
`prange` next to multi-threaded BLAS did, on two cores). Tasks are taken in order
from a shared counter, so a thread slowed down by another process takes fewer; each
task writes its own slice of the output or its own partial sum, so the result does
not depend on which thread ran which task. A parallel region costs ~10 us.
"""
import itertools
import os
import queue
import threading

import numpy as np

from ..threads import get_num_threads, limit_blas, restore_blas


class _Region:
    """One call of `run`: the tasks, the counter that hands them out, the first error."""

    __slots__ = ("fn", "n", "next", "error", "done")

    def __init__(self, fn, n):
        self.fn, self.n, self.next, self.error = fn, n, itertools.count().__next__, None
        self.done = queue.SimpleQueue()  # one token per helper thread that finished

    def work(self):
        fn, n, take = self.fn, self.n, self.next
        while self.error is None:
            i = take()  # atomic: itertools.count runs under the GIL
            if i >= n:
                return
            try:
                fn(i)
            except BaseException as e:  # noqa: BLE001 - re-raised by the caller of run
                if self.error is None:
                    self.error = e


class _Pool:
    def __init__(self):
        self.inboxes = []
        self.busy = threading.Lock()  # one region at a time; another caller runs serially

    def grow(self, n):
        while len(self.inboxes) < n:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), daemon=True,
                             name=f"autograd_lite-worker-{len(self.inboxes)}").start()
            self.inboxes.append(inbox)

    def _serve(self, inbox):
        while True:
            region = inbox.get()
            region.work()
            region.done.put(None)


_pool = [_Pool()]


def _after_fork():  # the child has none of the parent's threads
    _pool[0] = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def run(fn, n_tasks, blas=True):
    """fn(i) for every i in range(n_tasks), on up to `get_num_threads()` threads,
    with BLAS on one thread meanwhile (if the tasks call it: `blas`). Tasks must be
    independent; the first exception raised by one is raised here once all threads
    have stopped."""
    if n_tasks <= 0:
        return
    helpers = min(get_num_threads(), n_tasks) - 1
    pool = _pool[0]
    if helpers and not pool.busy.acquire(blocking=False):
        helpers = 0  # called from inside a task, or from a second user thread
    blas = limit_blas(1) if blas else []
    try:
        if not helpers:
            for i in range(n_tasks):
                fn(i)
            return
        region = _Region(fn, n_tasks)
        started = 0
        try:
            pool.grow(helpers)
            for inbox in pool.inboxes[:helpers]:
                inbox.put(region)
                started += 1
            region.work()
        finally:
            for _ in range(started):
                region.done.get()
            pool.busy.release()
        if region.error is not None:
            raise region.error
    finally:
        restore_blas(blas)


def task_count(n_chunks, partial_sums=False):
    """How many tasks to cut `n_chunks` chunks into. With partial sums (one per task,
    added in task order), a count that doesn't depend on the thread count up to 4
    threads keeps the rounding the same for 1 to 4 threads."""
    if not partial_sums:
        return n_chunks
    return min(n_chunks, max(8, 2 * get_num_threads()))


PARALLEL_MIN = 1 << 16  # elements a call touches: below, one thread (a region costs ~10 us)


def split(fn, n, work):
    """fn(lo, hi) over consecutive parts of range(n) that together cover it, on the
    threads `set_num_threads` allows when `work` (elements touched) is large enough;
    a few parts per thread, so that one slowed down by another process takes fewer."""
    threads = get_num_threads()
    parts = min(n, 4 * threads) if threads > 1 and work >= PARALLEL_MIN else 1
    if parts <= 1:
        fn(0, n)
        return
    run(lambda t: fn(t * n // parts, (t + 1) * n // parts), parts, blas=False)


GEMM_SPLIT_MIN = 1 << 21  # multiply-adds (~0.1 ms on one core): below, one BLAS call


def matmul(a, b):
    """np.matmul(a, b); a large 2-D float product is cut into row (or column) blocks,
    one single-threaded BLAS call each, on the threads `set_num_threads` allows."""
    threads = get_num_threads()
    if threads == 1 or a.ndim != 2 or b.ndim != 2:
        return np.matmul(a, b)
    m, k = a.shape
    n = b.shape[1]
    if m * n * k < GEMM_SPLIT_MIN or a.dtype != b.dtype or a.dtype.kind != "f" or k != b.shape[0]:
        return np.matmul(a, b)
    out = np.empty((m, n), a.dtype)
    parts = 2 * threads
    if m >= n:
        run(lambda t: np.matmul(a[t * m // parts:(t + 1) * m // parts], b,
                                out=out[t * m // parts:(t + 1) * m // parts]), parts)
    else:
        run(lambda t: np.matmul(a, b[:, t * n // parts:(t + 1) * n // parts],
                                out=out[:, t * n // parts:(t + 1) * n // parts]), parts)
    return out
