"""Waiting without sleeping: the pool's threads (kernels/workers.py) watch a counter
for a short while, with the GIL released, before they block.

A thread blocked on a lock is woken by the kernel, and on a virtual machine whose
idle CPU halted that took 60-80 us here (a parallel region of two empty tasks cost
~70 us on 2 threads); a parallel region in a training step comes every few hundred
microseconds. So after each region a pool thread spins on a counter the caller bumps
when it posts the next one, as OpenMP runtimes do (PyTorch's threads spin too), and
blocks only when none came. The counters are hints: the queues still carry the
work, so a missed bump costs a wait, never a wrong result.
"""
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ._numba import njit


@intrinsic
def _load_acquire(typingctx, address):
    """The int64 at `address`, read with acquire ordering (never hoisted out of a loop)."""
    sig = types.int64(address)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        ptr = builder.inttoptr(context.cast(builder, args[0], signature.args[0], types.int64), i64.as_pointer())
        return builder.load_atomic(ptr, "acquire", 8)

    return sig, codegen


@intrinsic
def _add_release(typingctx, address, value):
    """Atomically add `value` to the int64 at `address` (release ordering)."""
    sig = types.void(address, value)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        ptr = builder.inttoptr(context.cast(builder, args[0], signature.args[0], types.int64), i64.as_pointer())
        builder.atomic_rmw("add", ptr, context.cast(builder, args[1], signature.args[1], types.int64), "acq_rel")
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, nogil=True)
def finish_and_wait(counters, done, index, value, rounds):
    """Add one to counters[done] (a task list finished), then wait_while(counters,
    index, value, rounds): both without the GIL, so a thread that sees the first
    bump finds the GIL free."""
    _add_release(counters.ctypes.data + done * 8, 1)
    return wait_while(counters, index, value, rounds)


@njit(cache=True, nogil=True)
def wait_while(counters, index, value, rounds):
    """Spin while counters[index] == value, for at most `rounds` reads; returns the
    last value read (`value` when the rounds ran out)."""
    address = counters.ctypes.data + index * 8
    for _ in range(rounds):
        seen = _load_acquire(address)
        if seen != value:
            return seen
    return value


def counters(n):
    """A block of n int64 counters, zeroed (one per waiter)."""
    return np.zeros(n, np.int64)
