"""Anomaly mode, as PyTorch's `autograd.detect_anomaly` / `set_detect_anomaly`: while it
is on (per thread), every node remembers the stack of the forward call that made it,
and backward raises as soon as a node's rule returns NaN, naming the node and showing
that stack; any other error raised in a node's backward shows it too.

It costs nothing while off: recording reaches the stacks through `node.next_seq`, the
node counter, which anomaly mode replaces with one that also captures the stack, and
restores when no thread uses it any more.
"""
import contextvars
import itertools
import os
import threading
import traceback
import warnings

import numpy as np

from .. import _dtypes
from . import node as node_module

_mode = contextvars.ContextVar("autograd_lite_anomaly", default=None)  # None, or check_nan
_users = 0  # contexts (in any thread) with anomaly mode on
_users_lock = threading.Lock()
_stacks = {}  # node seq -> the forward stack (formatted lines)
_MAX_STACKS = 200_000  # then the oldest half goes (nodes long gone, or never backwarded)
_plain_next_seq = node_module.next_seq
# the recording's own files, by full path: a user's file may share their names
_RECORDING_FILES = frozenset(os.path.join(os.path.dirname(__file__), name)
                             for name in ("node.py", "anomaly.py", "function.py"))


def is_anomaly_enabled():
    """Whether anomaly mode is on in this thread."""
    return _mode.get() is not None


def is_anomaly_check_nan_enabled():
    """Whether anomaly mode is on in this thread and checks gradients for NaN."""
    return bool(_mode.get())


def _next_seq_with_stack():
    seq = _plain_next_seq()
    if _mode.get() is not None:
        if len(_stacks) > _MAX_STACKS:
            for key in itertools.islice(list(_stacks), _MAX_STACKS // 2):
                del _stacks[key]
        frames = traceback.extract_stack()
        while frames and frames[-1].filename in _RECORDING_FILES:
            frames.pop()  # the recording's own frames
        _stacks[seq] = traceback.format_list(frames)
    return seq


def _acquire():
    global _users
    with _users_lock:
        _users += 1
        node_module.next_seq = _next_seq_with_stack


def _release():
    global _users
    with _users_lock:
        _users -= 1
        if _users == 0:
            node_module.next_seq = _plain_next_seq
            _stacks.clear()


class set_detect_anomaly:
    """Anomaly mode on or off (`mode`), as a function or a context manager; with
    `check_nan`, backward raises on the first NaN a node's rule returns."""

    def __init__(self, mode, check_nan=True):
        self.prev = _mode.get()
        self.mode = bool(mode)
        if self.mode and self.prev is None:
            _acquire()
        elif not self.mode and self.prev is not None:
            _release()
        _mode.set(bool(check_nan) if self.mode else None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        now = _mode.get() is not None
        if now and self.prev is None:
            _release()
        elif not now and self.prev is not None:
            _acquire()
        _mode.set(self.prev)
        return False


class detect_anomaly(set_detect_anomaly):
    """Anomaly mode on inside the block (or the decorated function), as PyTorch's."""

    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)
        self.check_nan = check_nan
        self.prev = None
        self._active = False

    def __enter__(self):
        self.prev = _mode.get()
        if self.prev is None:
            _acquire()
        _mode.set(bool(self.check_nan))
        self._active = True
        return self

    def __exit__(self, *exc):
        if self._active and self.prev is None:
            _release()
        _mode.set(self.prev)
        self._active = False
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with set_detect_anomaly(True, self.check_nan):
                return fn(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper


def forward_trace(node):
    """The stack of the forward call that made `node`, or a note that none was kept."""
    lines = _stacks.get(getattr(node, "_seq", None))
    if lines is None:
        return ("No forward pass information available. Enable detect anomaly during forward "
                "pass for more information.")
    return "".join(lines).rstrip()


def warn_error_in(node):
    """PyTorch's warning when a node's backward fails in anomaly mode."""
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                  f"the error:\n{forward_trace(node)}", UserWarning, stacklevel=3)


def check_gradients(node, grads):
    """Raise if a node's rule returned NaN (in anomaly mode with check_nan)."""
    if not _mode.get():
        return
    if grads.__class__ is not tuple:
        grads = (grads,)
    for i, g in enumerate(grads):
        if g is None:
            continue
        arr = g._data if hasattr(g, "_data") else np.asarray(g)
        if (arr.dtype.kind in "fc" or arr.dtype == _dtypes.bfloat16) and np.isnan(arr).any():
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                f"Traceback of the forward call that made it:\n{forward_trace(node)}")
