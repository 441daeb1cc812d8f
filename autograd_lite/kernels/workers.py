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
not depend on which thread ran which task.

Handing work between threads is what a region costs. On the 2-core virtual machine
this was measured on, waking a thread blocked on a lock took 20-80 us (an idle CPU
halts), so an empty region on 2 threads cost ~70 us. So (kernels/spin.py) a helper
watches a counter for SPIN_SECONDS after each region, without the GIL, before it
blocks on its inbox, and signals its end from there too, so the caller, which waits
the same way, finds the GIL free; and during a region a thread waiting for the GIL
polls every SWITCH_SECONDS instead of sleeping until woken. An empty region now costs
~25 us, two 57 us tasks take 83 us instead of 113 on one thread (benchmarks/NOTES.md).
OMP_WAIT_POLICY=passive turns the watch off, as it does OpenMP's spinning.
"""
import itertools
import os
import queue
import sys
import threading
import time

import numpy as np

from ..threads import get_num_threads, limit_blas, restore_blas
from . import blas
from .spin import Counters


def spin_seconds(environ=os.environ):
    """How long a waiting thread watches for work (or the end) before it blocks: 0.5 ms,
    or nothing under OMP_WAIT_POLICY=passive (as OpenMP runtimes, PyTorch's included,
    read it: for a machine shared with other work, where spinning takes their CPU)."""
    return 0.0 if environ.get("OMP_WAIT_POLICY", "").strip().lower() == "passive" else 5e-4


SPIN_SECONDS = spin_seconds()
SWITCH_SECONDS = 1e-5  # during a region: a thread waiting for the GIL polls this often
_MAX_THREADS = 256


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
        # posted[k]: regions handed to helper k; posted[-1]: regions helpers finished
        self.posted = Counters(_MAX_THREADS + 1)
        self.rounds = 0  # reads of a counter in SPIN_SECONDS, measured when the first helper starts

    def grow(self, n):
        if not self.rounds:
            self.rounds = _spin_rounds(self.posted)
        while len(self.inboxes) < min(n, _MAX_THREADS):
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox, len(self.inboxes)), daemon=True,
                             name=f"autograd_lite-worker-{len(self.inboxes)}").start()
            self.inboxes.append(inbox)

    def post(self, k, region):
        self.inboxes[k].put(region)
        self.posted.values[k] += 1  # under the GIL: no bump is lost

    def _serve(self, inbox, k):
        posted, rounds = self.posted, self.rounds
        consumed = 0  # regions taken from the inbox; posted[k] counts those put in
        while True:
            region = inbox.get()  # at once after a bump; blocks when the watch ran out
            consumed += 1
            region.work()
            region.done.put(None)
            posted.finish_and_wait(_MAX_THREADS, k, consumed, rounds)  # without the GIL

    def wait(self, region, started, finished_before):
        """Until the `started` helpers of `region` are done."""
        posted, target = self.posted, finished_before + started
        seen = posted.values[-1]
        while seen < target:
            now = posted.wait_while(_MAX_THREADS, seen, self.rounds)
            if now == seen:
                break  # none finished for a while: block below
            seen = now
        for _ in range(started):
            region.done.get()


def _spin_rounds(posted):
    """How many counter reads take about SPIN_SECONDS on this machine."""
    posted.wait_while(_MAX_THREADS, -1, 1000)  # warm up
    start = time.perf_counter()
    posted.wait_while(_MAX_THREADS, posted.values[-1], 100_000)
    per_read = max((time.perf_counter() - start) / 100_000, 1e-10)
    return max(1, int(SPIN_SECONDS / per_read))


_pool = [_Pool()]


def _after_fork():  # the child has none of the parent's threads
    _pool[0] = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def run(fn, n_tasks, blas=True, threads=None):
    """fn(i) for every i in range(n_tasks), on up to `get_num_threads()` threads (or
    `threads`, if fewer), with BLAS on one thread meanwhile (if the tasks call it:
    `blas`). Tasks must be independent; the first exception raised by one is raised
    here once all threads have stopped."""
    if n_tasks <= 0:
        return
    helpers = min(get_num_threads(), n_tasks, threads or n_tasks) - 1
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
        interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_SECONDS)
        try:
            pool.grow(helpers)
            finished_before = int(pool.posted.values[-1])
            for k in range(helpers):
                pool.post(k, region)
                started += 1
            region.work()
        finally:
            pool.wait(region, started, finished_before)
            sys.setswitchinterval(interval)
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


# elements a call touches from which it splits: a max pool of 128K took 85 us on 1 thread, 105 on 2
PARALLEL_MIN = 1 << 18


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


# multiply-adds from which a product splits: 3M took 52 us on 1 thread, 73 on 2; 8M 126 / 112
GEMM_SPLIT_MIN = 1 << 23


def matmul(a, b, out=None, like_kernels=False):
    """np.matmul(a, b) (into `out` if given), 2-D products through kernels/blas.py's
    gemm (small ones too with `like_kernels`, see blas.matmul); a large 2-D float
    product is cut into row (or column) blocks, one single-threaded BLAS call each, on
    the threads `set_num_threads` allows."""
    if (not like_kernels and a.ndim == 2 and b.ndim == 2
            and a.shape[0] * a.shape[1] * b.shape[-1] <= blas.SMALL_PRODUCT):
        if out is None and not b.flags.c_contiguous:  # x @ w.T: MKL's, where OpenBLAS is slow
            c = blas.small_transposed(a, b)
            if c is not None:
                return c
        return np.matmul(a, b, out=out)  # as blas.matmul would: small products (~1.5 us sooner)
    threads = get_num_threads()
    if threads == 1 or a.ndim != 2 or b.ndim != 2:
        return blas.matmul(a, b, out=out, like_kernels=like_kernels)
    m, k = a.shape
    n = b.shape[1]
    if m * n * k < GEMM_SPLIT_MIN or a.dtype != b.dtype or a.dtype.kind != "f" or k != b.shape[0]:
        return blas.matmul(a, b, out=out, like_kernels=like_kernels)
    if out is None:
        out = np.empty((m, n), a.dtype)
    parts = threads  # one block per thread: 0.54-0.62 of 1 thread on big products (4 blocks: 0.58-0.72)
    if m >= n:
        run(lambda t: blas.matmul(a[t * m // parts:(t + 1) * m // parts], b,
                                  out=out[t * m // parts:(t + 1) * m // parts]), parts)
    else:
        run(lambda t: blas.matmul(a, b[:, t * n // parts:(t + 1) * n // parts],
                                  out=out[:, t * n // parts:(t + 1) * n // parts]), parts)
    return out
