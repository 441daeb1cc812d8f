"""Waiting without sleeping: the pool's threads (kernels/workers.py) watch a counter
for a short while, with the GIL released, before they block.

A thread blocked on a lock is woken by the kernel, and on a virtual machine whose
idle CPU halted that took 60-80 us here (a parallel region of two empty tasks cost
~70 us on 2 threads); a parallel region in a training step comes every few hundred
microseconds. So after each region a pool thread spins on a counter the caller bumps
when it posts the next one, as OpenMP runtimes do (PyTorch's threads spin too), and
blocks only when none came. The counters are hints: the queues still carry the
work, so a missed bump costs a wait, never a wrong result.

The two loops are a few lines of LLVM IR, compiled with llvmlite when the pool first
needs them (~10 ms) and called through ctypes, which releases the GIL for the call.
As Numba kernels they cost ~0.25 s to compile (its per-function floor), which was
most of what a first step on several threads compiled beyond a first step on one.
"""
import ctypes
import threading

import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir

_I64 = ir.IntType(64)


def _wait_loop(builder, function, counters, index, value, rounds):
    """IR: read counters[index] (acquire) up to `rounds` times until it differs from
    `value`; returns the last value read (`value` when the rounds ran out)."""
    address = builder.add(counters, builder.mul(index, ir.Constant(_I64, 8)))
    pointer = builder.inttoptr(address, _I64.as_pointer())
    entry = builder.block
    loop, body, found, out = (function.append_basic_block(n) for n in ("loop", "body", "found", "out"))
    builder.branch(loop)
    builder.position_at_end(loop)
    i = builder.phi(_I64)
    i.add_incoming(ir.Constant(_I64, 0), entry)
    builder.cbranch(builder.icmp_signed(">=", i, rounds), out, body)
    builder.position_at_end(body)
    seen = builder.load_atomic(pointer, "acquire", 8)
    i.add_incoming(builder.add(i, ir.Constant(_I64, 1)), body)
    builder.cbranch(builder.icmp_signed("!=", seen, value), found, loop)
    builder.position_at_end(found)
    builder.ret(seen)
    builder.position_at_end(out)
    builder.ret(value)


def _module():
    """wait_while(address, index, value, rounds) and finish_and_wait(address, done,
    index, value, rounds): the counters are int64s at `address`."""
    module = ir.Module(name="autograd_lite_spin")
    wait = ir.Function(module, ir.FunctionType(_I64, [_I64] * 4), name="wait_while")
    builder = ir.IRBuilder(wait.append_basic_block("entry"))
    _wait_loop(builder, wait, *wait.args)
    finish = ir.Function(module, ir.FunctionType(_I64, [_I64] * 5), name="finish_and_wait")
    counters, done, index, value, rounds = finish.args
    builder = ir.IRBuilder(finish.append_basic_block("entry"))
    address = builder.add(counters, builder.mul(done, ir.Constant(_I64, 8)))
    builder.atomic_rmw("add", builder.inttoptr(address, _I64.as_pointer()), ir.Constant(_I64, 1), "acq_rel")
    _wait_loop(builder, finish, counters, index, value, rounds)
    return str(module)


_lock = threading.Lock()
_functions = []  # [(engine, wait_while, finish_and_wait)] once compiled; the engine keeps them alive


def _compiled():
    """(engine, wait_while, finish_and_wait), compiled once (threads asking at once
    wait for the first)."""
    if not _functions:
        with _lock:
            if not _functions:
                _functions.append(_compile())
    return _functions[0]


def _compile():
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    parsed = llvm.parse_assembly(_module())
    parsed.verify()
    machine = llvm.Target.from_default_triple().create_target_machine(opt=2)
    engine = llvm.create_mcjit_compiler(parsed, machine)
    engine.finalize_object()
    wait = ctypes.CFUNCTYPE(ctypes.c_int64, *[ctypes.c_int64] * 4)(engine.get_function_address("wait_while"))
    finish = ctypes.CFUNCTYPE(ctypes.c_int64, *[ctypes.c_int64] * 5)(
        engine.get_function_address("finish_and_wait"))
    return engine, wait, finish


class Counters:
    """A block of n int64 counters, zeroed (one per waiter): `values` the array,
    which the caller bumps under the GIL; the waits read it without."""

    __slots__ = ("values", "_address")

    def __init__(self, n):
        self.values = np.zeros(n, np.int64)
        self._address = self.values.ctypes.data  # ~1 us to ask each time

    def wait_while(self, index, value, rounds):
        """Spin while values[index] == value, for at most `rounds` reads; returns the
        last value read (`value` when the rounds ran out)."""
        self._check(index)
        return _compiled()[1](self._address, index, value, rounds)

    def finish_and_wait(self, done, index, value, rounds):
        """Add one to values[done] (a task list finished), then wait_while(index, value,
        rounds): both without the GIL, so a thread that sees the first bump finds the
        GIL free."""
        self._check(done)
        self._check(index)
        return _compiled()[2](self._address, done, index, value, rounds)

    def _check(self, index):
        if not 0 <= index < self.values.shape[0]:
            raise IndexError(f"spin: counter {index} of {self.values.shape[0]}")
