"""`ag.save` / `ag.load`, as `torch.save` / `torch.load`, in a file that is never unpickled.

The file is a zip of stored (uncompressed) `.npy` members, 64-byte aligned:
`autograd_lite_index.npy` holds a UTF-8 JSON index `{"format": "autograd_lite", "version":
2, "arrays": [{"dtype", "shape"}...], "root": NODE}`; `a0.npy`, `a1.npy`... hold the arrays.
A NODE is a JSON object with a `type`: scalars (`none`, `bool`, `int`, `float`, `complex`,
`str`, `bytes`, `bytearray`, `dtype`, `numpy_scalar`), containers (`list`, `tuple`, `set`,
`frozenset`, `dict`, `ordered_dict`), `tensor` and `ndarray` (an array number, and a
`view` when several arrays shared one block of memory), `ref` (the n-th shared object
again), and by name: `global` (a class or function), `enum`, `object` (class, arguments
of `cls.__new__`, state, items). Version 1 files (plain data only) still load.

`load` is safe by default (`weights_only=True`, as torch): data and Parameters load,
other objects only for classes in `add_safe_globals`. With `weights_only=False` classes
are imported by name and rebuilt as pickle would (`cls.__new__`, then the class's own
`__setstate__` or its `__dict__` updated), so only load such files from sources you trust;
no other code runs and nothing is unpickled. Damaged or hostile files (compressed or
duplicate members, sizes the file cannot hold, object dtypes, absurd nesting, bad JSON)
raise SerializationError naming the file, before anything large is allocated.
"""
import io
import json
import os
import pickle

import numpy as np

from ..tensor import Tensor
from .archive import dtype_text, write_archive
from .decode import Decoder, names_in
from .encode import Encoder
from .errors import Refused, SerializationError, TextModeError, Unreadable, WeightsOnlyError
from .reader import FORMAT, INDEX_MEMBER, VERSION, read_file
from .safe_globals import Resolver, add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "SerializationError", "WeightsOnlyError", "add_safe_globals", "get_safe_globals",
           "clear_safe_globals", "safe_globals", "DEFAULT_MAX_BYTES", "INDEX_MEMBER", "FORMAT", "VERSION"]

DEFAULT_MAX_BYTES = 8 * 2 ** 30  # larger files need load(..., max_bytes=n)
_PICKLE_LOAD_ARGS = {"encoding", "errors", "fix_imports"}  # torch.load passes these to pickle; unused here


def _check_pickle_module(pickle_module, fn):
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError(f"ag.{fn}: pickle_module={pickle_module!r} is not supported: autograd_lite files are "
                        "never pickled")


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save `obj` to the path or binary file `f`, as torch.save: tensors (sharing and views
    kept), Parameters, arrays, numbers, strings, bytes, dtypes, containers, whole modules,
    optimizers and other objects (recorded by class name and state, never as pickle code).
    The pickle arguments are accepted for torch's signature and unused."""
    _check_pickle_module(pickle_module, "save")
    encoder = Encoder()
    root = encoder.encode(obj)
    arrays = encoder.members()
    index = {"format": FORMAT, "version": VERSION,
             "arrays": [{"dtype": dtype_text(a.dtype), "shape": list(a.shape)} for a in arrays], "root": root}
    text = json.dumps(index, separators=(",", ":")).encode("ascii")
    members = [(INDEX_MEMBER, np.frombuffer(text, np.uint8))] + [(f"a{i}", a) for i, a in enumerate(arrays)]
    if hasattr(f, "write"):
        write_archive(f, members)
    else:
        with open(os.fspath(f), "wb") as fh:
            write_archive(fh, members)


# ---- map_location ------------------------------------------------------------------------------
def _check_cpu(location):
    if isinstance(location, bytes):
        location = location.decode("utf-8", "replace")
    text = location if isinstance(location, str) else getattr(location, "type", None)
    if not isinstance(text, str):
        raise TypeError(f"ag.load: map_location must be None, 'cpu', a device, a dict or a function, "
                        f"got {location!r}")
    kind, _, index = text.partition(":")
    if kind.strip() != "cpu" or (index and not index.strip().isdigit()):
        raise RuntimeError(f"ag.load: map_location asks for the device {text!r}, but autograd_lite runs on the "
                           "CPU only; use map_location='cpu' or None")


def _restorer(map_location):
    """None, or a function applied to each array read (map_location as a function)."""
    if map_location is None:
        return None
    if isinstance(map_location, dict):  # saved location -> device; everything is saved from "cpu"
        _check_cpu(map_location.get("cpu", "cpu"))
        return None
    if isinstance(map_location, (str, bytes)) or isinstance(getattr(map_location, "type", None), str):
        _check_cpu(map_location)
        return None
    if not callable(map_location):
        _check_cpu(map_location)  # raises the TypeError

    def restore(arr):
        storage = Tensor._make(arr, False, None, 0, [0, 0])
        result = map_location(storage, "cpu")
        if result is None or result is storage:
            return arr
        _check_cpu(getattr(result, "device", "cpu"))
        data = result._data if isinstance(result, Tensor) else result
        if not isinstance(data, np.ndarray) or data.dtype != arr.dtype or data.shape != arr.shape:
            raise TypeError(f"ag.load: map_location returned {type(result).__name__}; it must return None or "
                            f"a CPU tensor like the storage it was given ({arr.dtype}, shape {arr.shape})")
        return data

    return restore


# ---- load --------------------------------------------------------------------------------------
def _describe(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _what_is(head):
    """Name a non-zip file from its first bytes."""
    if not head:
        return "the file is empty"
    if head.startswith(b"PK\x05\x06"):
        return f"an empty zip archive, without the {FORMAT} index"
    if head.startswith(b"\x93NUMPY"):
        return "it is a single NumPy array (.npy, from np.save); read it with np.load"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return ("it is a pickle (perhaps an old torch.save file), which autograd_lite never loads "
                "because unpickling can run code")
    return f"unknown header {head[:8]!r}; autograd_lite files are zip (.npz) archives"


def _seekable(fh, max_bytes, where):
    """`fh` itself, or (a pipe, a socket) its bytes read into memory, at most max_bytes of them."""
    if getattr(fh, "seekable", None) is not None and fh.seekable():
        return fh
    buf = io.BytesIO()
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            break
        if not isinstance(chunk, bytes):
            raise TextModeError(f"ag.load: {where} is not opened in binary mode")
        buf.write(chunk)
        if buf.tell() > max_bytes:
            raise Unreadable(f"it holds more than max_bytes={max_bytes} bytes; pass a larger max_bytes= to "
                             "load it if you trust it")
    buf.seek(0)
    return buf


def _open_and_read(fh, where, max_bytes, mmap_path):
    fh = _seekable(fh, max_bytes, where)
    start = fh.tell()
    head = fh.read(8)
    if not isinstance(head, bytes):
        raise TextModeError(f"ag.load: {where} is not opened in binary mode")
    size = fh.seek(0, io.SEEK_END) - start
    fh.seek(start)
    if size > max_bytes:
        raise Unreadable(f"it is {size} bytes, more than max_bytes={max_bytes}; pass a larger max_bytes= to "
                         "load it if you trust it")
    if not head.startswith(b"PK\x03\x04"):
        raise Unreadable(_what_is(head))
    return read_file(fh, size, mmap_path)


def _weights_only_error(where, names):
    listed = ", ".join(names)
    return WeightsOnlyError(
        f"ag.load: weights only load failed for {where}: it names the class or function {listed}, which "
        "weights_only=True (the default) does not load; it loads tensors, arrays, numbers, strings, dtypes, "
        "Parameters and containers, and other classes only when allowed. If you trust this file, load it with "
        "ag.load(f, weights_only=False), which imports the classes it names and runs their own __setstate__; "
        f"or allow just these with autograd_lite.serialization.add_safe_globals([{listed}]) or the "
        f"autograd_lite.serialization.safe_globals([{listed}]) context manager.")


def _attempt(where, step, *args):
    """(step(*args), None), or (None, the SerializationError to raise) when the file is at fault.
    The error is raised by the caller, outside any except block, so no zipfile, json or NumPy
    traceback is chained under it; a class's own failure is chained as its cause."""
    try:
        return step(*args), None
    except Unreadable as e:
        reason, cause = str(e), e.cause
    except Refused as e:
        return None, _weights_only_error(where, e.names)
    except RecursionError:
        reason, cause = "the structure is nested too deeply", None
    except (TextModeError, MemoryError):
        raise
    except Exception as e:  # noqa: BLE001 - zipfile, struct, numpy header errors, EOF...: all mean "damaged"
        reason, cause = f"damaged archive ({type(e).__name__}: {e})", None
    error = SerializationError(f"ag.load: {where} is not a readable {FORMAT} file: {reason}")
    if cause is not None:
        error.__cause__ = cause
    return None, error


def _decode(index, arrays, weights_only, max_bytes):
    resolver = Resolver(weights_only)
    resolver.check(names_in(index["root"]))
    return Decoder(arrays, resolver, max_bytes, index["version"]).decode(index["root"])


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, max_bytes=None,
         **pickle_load_args):
    """Load what `ag.save` wrote, from a path or a binary file, as torch.load.

    weights_only=True (default; None means True): tensors, arrays, numbers, strings, bytes,
    dtypes, containers and Parameters load; other objects only if their class is in
    `autograd_lite.serialization.add_safe_globals` / `safe_globals`, else a WeightsOnlyError
    (a pickle.UnpicklingError) names them. weights_only=False rebuilds any class the file
    names (imported by name; runs its __setstate__): for trusted files only.
    map_location: None, "cpu", a CPU device, a dict or a function(storage, location) (GPU
    requests are a RuntimeError: autograd_lite runs on the CPU). mmap=True maps the arrays
    copy-on-write from the file (f must be a path). max_bytes (default 8 GiB) bounds the
    file's size. A damaged or foreign file raises SerializationError naming it."""
    unknown = set(pickle_load_args) - _PICKLE_LOAD_ARGS
    if unknown:
        raise TypeError(f"ag.load: unexpected argument(s) {', '.join(sorted(unknown))}")
    _check_pickle_module(pickle_module, "load")
    weights_only = True if weights_only is None else weights_only
    if not isinstance(weights_only, bool):
        raise TypeError(f"ag.load: weights_only must be True, False or None, got {weights_only!r}")
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if type(max_bytes) is not int or max_bytes <= 0:
        raise ValueError(f"ag.load: max_bytes must be a positive int, got {max_bytes!r}")
    restore = _restorer(map_location)
    where = _describe(f)
    is_path = isinstance(f, (str, bytes, os.PathLike))
    if mmap and not is_path:
        raise ValueError("ag.load: f must be a file path in order to use the mmap argument")
    if not is_path and not hasattr(f, "read"):
        raise TypeError(f"ag.load: expected a path or a binary file object, got {type(f).__name__}")
    fh = open(os.fspath(f), "rb") if is_path else f  # a missing file is a FileNotFoundError, as usual
    try:
        read, error = _attempt(where, _open_and_read, fh, where, max_bytes, os.fspath(f) if mmap else None)
    finally:
        if is_path:
            fh.close()
    if error is not None:
        raise error
    index, arrays = read
    if restore is not None:
        arrays = [restore(a) for a in arrays]
    obj, error = _attempt(where, _decode, index, arrays, weights_only, max_bytes)
    if error is not None:
        raise error
    return obj
