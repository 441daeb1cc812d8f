"""`ag.save` / `ag.load`: tensors, arrays, numbers, strings and nested containers of
them, in a file whose loading never runs code (no pickle).

The file is an uncompressed `.npz` (a zip written by `np.savez`) holding

- `autograd_lite_index.npy`: a uint8 array with a UTF-8 JSON index,
  `{"format": "autograd_lite", "version": 1, "arrays": [{"dtype", "shape"}...],
  "root": NODE}`;
- `a0.npy`, `a1.npy`, ...: the arrays, read back with `np.load(allow_pickle=False)`.

A NODE is a JSON object with a `type`: `none`, `bool`/`int`/`float`/`str` with a
`value`; `tensor` (`array`, `requires_grad`, `parameter`), `ndarray`,
`numpy_scalar`, `bytes` (each with the index of its `array`); `list`/`tuple` with
`items`; `dict`/`ordered_dict` with parallel `keys` and `values` lists (so int keys
and key order survive). The same Tensor or array object saved twice is stored once
and loads as one object. A damaged or foreign file raises `SerializationError` (a
`ValueError`) naming the file and what is wrong.
"""
import collections
import io
import json
import os
import sys

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "SerializationError"]

FORMAT = "autograd_lite"
VERSION = 1
INDEX_MEMBER = "autograd_lite_index"
MAX_DEPTH = 200
_ARRAY_KINDS = "biufcmMSU"  # every dtype np.save writes without pickle, except structured ones
_SUPPORTED = ("Tensors, NumPy arrays and scalars, None, bool, int, float, str, bytes, "
              "and lists, tuples and dicts of them")


class SerializationError(ValueError):
    """`ag.load` was given a file that is not a readable autograd_lite file."""


class _Bad(Exception):
    """Internal: the reason a file is unreadable (turned into SerializationError)."""


# ---- save -------------------------------------------------------------------------------------
def _is_parameter(t):
    mod = sys.modules.get("autograd_lite.nn.parameter")  # loaded whenever a Parameter exists
    return mod is not None and isinstance(t, mod.Parameter)


class _Encoder:
    def __init__(self):
        self.arrays = []
        self._memo = {}  # id(Tensor or ndarray) -> array number; the objects outlive the save
        self._open = set()  # ids of the containers being encoded (cycle check)

    def _array(self, obj, arr, where):
        if arr.dtype.kind not in _ARRAY_KINDS or arr.dtype.fields is not None:
            raise TypeError(f"ag.save: can't save the array of dtype {arr.dtype} at {where} "
                            "(object and structured arrays would need pickle)")
        k = self._memo.get(id(obj))
        if k is None:
            k = self._memo[id(obj)] = len(self.arrays)
            self.arrays.append(arr)
        return k

    def key(self, key, where):
        if key is None or isinstance(key, (bool, int, float, str)):
            return self.encode(key, where, 0)
        if isinstance(key, tuple):
            return {"type": "tuple", "items": [self.key(k, where) for k in key]}
        raise TypeError(f"ag.save: can't save the dict key {key!r} of type {type(key).__name__} at {where}; "
                        "keys may be None, bool, int, float, str or tuples of them")

    def encode(self, obj, where, depth):
        if depth > MAX_DEPTH:
            raise ValueError(f"ag.save: {where} is nested more than {MAX_DEPTH} levels deep")
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, Tensor):
            return {"type": "tensor", "array": self._array(obj, obj._data, where),
                    "requires_grad": bool(obj.requires_grad), "parameter": _is_parameter(obj)}
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "array": self._array(obj, obj, where)}
        if isinstance(obj, np.generic):  # before float: np.float64 is a float
            return {"type": "numpy_scalar", "array": self._array(obj, np.asarray(obj), where)}
        if isinstance(obj, bool):
            return {"type": "bool", "value": bool(obj)}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": float(obj)}
        if isinstance(obj, str):
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, (bytes, bytearray)):
            return {"type": "bytes", "array": self._array(obj, np.frombuffer(bytes(obj), np.uint8), where)}
        if isinstance(obj, (list, tuple, collections.abc.Mapping)):
            if id(obj) in self._open:
                raise ValueError(f"ag.save: {where} contains itself (a circular reference)")
            self._open.add(id(obj))
            try:
                if isinstance(obj, collections.abc.Mapping):
                    keys, values = [], []
                    for k, v in obj.items():
                        keys.append(self.key(k, where))
                        values.append(self.encode(v, f"{where}[{k!r}]", depth + 1))
                    kind = "ordered_dict" if isinstance(obj, collections.OrderedDict) else "dict"
                    return {"type": kind, "keys": keys, "values": values}
                items = [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]
                return {"type": "tuple" if isinstance(obj, tuple) else "list", "items": items}
            finally:
                self._open.discard(id(obj))
        hint = "; convert it with .numpy() first" if type(obj).__name__ == "Tensor" else ""
        raise TypeError(f"ag.save: can't save an object of type {type(obj).__module__}.{type(obj).__name__} "
                        f"at {where}{hint}. Supported: {_SUPPORTED}")


def save(obj, f):
    """Save `obj` (tensors, arrays, numbers, strings, None and nested lists, tuples and
    dicts of them, such as a state_dict) to the path or binary file `f`. Loading the
    file never runs code. Tensors keep dtype, shape and requires_grad; gradients and
    graphs are not saved."""
    enc = _Encoder()
    root = enc.encode(obj, "obj", 0)
    index = {"format": FORMAT, "version": VERSION,
             "arrays": [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in enc.arrays],
             "root": root}
    text = json.dumps(index, separators=(",", ":"), allow_nan=True).encode("utf-8")
    members = {INDEX_MEMBER: np.frombuffer(text, np.uint8)}
    members.update((f"a{i}", a) for i, a in enumerate(enc.arrays))
    if hasattr(f, "write"):
        np.savez(f, allow_pickle=False, **members)
    else:
        with open(os.fspath(f), "wb") as fh:  # not np.savez(path): it would append ".npz"
            np.savez(fh, allow_pickle=False, **members)


# ---- load -------------------------------------------------------------------------------------
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


def _read_index(npz):
    names = set(npz.files)
    if INDEX_MEMBER not in names:
        if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
            raise _Bad("it looks like a PyTorch checkpoint (torch.save); load it with torch.load and "
                       "save its tensors as NumPy arrays with ag.save")
        raise _Bad(f"a zip/.npz archive without the {FORMAT} index")
    raw = npz[INDEX_MEMBER]
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Bad("the index is not a byte array")
    try:
        index = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _Bad(f"the index is not valid JSON ({type(e).__name__}: {e})") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise _Bad(f"the index does not say format '{FORMAT}'")
    version = index.get("version")
    if type(version) is not int:
        raise _Bad("the index has no integer version")
    if version > VERSION:
        raise _Bad(f"it was written by a newer autograd_lite (format version {version}; this one reads "
                   f"up to {VERSION})")
    if version < 1 or set(index) != {"format", "version", "arrays", "root"}:
        raise _Bad("the index has unexpected fields")
    specs = index["arrays"]
    if not isinstance(specs, list):
        raise _Bad("the index's 'arrays' is not a list")
    expected = {INDEX_MEMBER} | {f"a{i}" for i in range(len(specs))}
    if names != expected:
        extra, missing = sorted(names - expected), sorted(expected - names)
        raise _Bad(f"the archive's members do not match its index (missing {missing}, unexpected {extra})")
    return index


def _read_arrays(npz, specs):
    arrays = []
    for i, spec in enumerate(specs):
        if (not isinstance(spec, dict) or set(spec) != {"dtype", "shape"} or not isinstance(spec["dtype"], str)
                or not isinstance(spec["shape"], list)
                or not all(type(s) is int and s >= 0 for s in spec["shape"])):
            raise _Bad(f"array {i} has a malformed entry in the index")
        try:
            dtype = np.dtype(spec["dtype"])
        except (TypeError, ValueError):
            raise _Bad(f"array {i} has an unknown dtype {spec['dtype']!r}") from None
        arr = npz[f"a{i}"]
        if not isinstance(arr, np.ndarray):
            raise _Bad(f"member a{i} is not a .npy array")
        if arr.dtype != dtype or list(arr.shape) != spec["shape"]:
            raise _Bad(f"array {i} is {arr.dtype}{list(arr.shape)} but the index says {dtype}{spec['shape']}")
        arrays.append(arr)
    return arrays


_FIELDS = {
    "none": set(), "bool": {"value"}, "int": {"value"}, "float": {"value"}, "str": {"value"},
    "tensor": {"array", "requires_grad", "parameter"}, "ndarray": {"array"}, "numpy_scalar": {"array"},
    "bytes": {"array"}, "list": {"items"}, "tuple": {"items"}, "dict": {"keys", "values"},
    "ordered_dict": {"keys", "values"},
}
_VALUE_TYPES = {"bool": (bool,), "int": (int,), "float": (float, int), "str": (str,)}
_KEY_TYPES = {"none", "bool", "int", "float", "str", "tuple"}


class _Decoder:
    def __init__(self, arrays):
        self.arrays = arrays
        self._made = {}  # (node kind, array number, ...) -> object: one object per saved object

    def _array(self, node):
        k = node["array"]
        if type(k) is not int or not 0 <= k < len(self.arrays):
            raise _Bad(f"an entry refers to array {k!r}, which does not exist")
        return k, self.arrays[k]

    def key(self, node, depth):
        if not isinstance(node, dict) or node.get("type") not in _KEY_TYPES:
            raise _Bad("a dict key is not a None, bool, int, float, str or tuple entry")
        if node["type"] == "tuple":
            self._check(node, depth)
            return tuple(self.key(n, depth + 1) for n in node["items"])
        return self.decode(node, depth)

    def _check(self, node, depth):
        if depth > MAX_DEPTH + 1:
            raise _Bad(f"the structure is nested more than {MAX_DEPTH} levels deep")
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise _Bad("a structure entry is not a JSON object with a 'type'")
        fields = _FIELDS.get(node["type"])
        if fields is None:
            raise _Bad(f"unknown entry type {node['type']!r}")
        if set(node) != fields | {"type"}:
            raise _Bad(f"a '{node['type']}' entry has fields {sorted(node)}, expected {sorted(fields | {'type'})}")
        for name in ("items", "keys", "values"):
            if name in node and not isinstance(node[name], list):
                raise _Bad(f"a '{node['type']}' entry's '{name}' is not a list")

    def decode(self, node, depth):
        self._check(node, depth)
        kind = node["type"]
        if kind == "none":
            return None
        if kind in _VALUE_TYPES:
            v = node["value"]
            if not isinstance(v, _VALUE_TYPES[kind]) or (kind != "bool" and isinstance(v, bool)):
                raise _Bad(f"a '{kind}' entry holds {type(v).__name__} {v!r}")
            return float(v) if kind == "float" else v
        if kind in ("list", "tuple"):
            items = [self.decode(n, depth + 1) for n in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind in ("dict", "ordered_dict"):
            keys, values = node["keys"], node["values"]
            if len(keys) != len(values):
                raise _Bad("a dict entry has different numbers of keys and values")
            out = {} if kind == "dict" else collections.OrderedDict()
            for kn, vn in zip(keys, values):
                out[self.key(kn, depth + 1)] = self.decode(vn, depth + 1)
            return out
        return self._leaf(node, kind)

    def _leaf(self, node, kind):
        k, arr = self._array(node)
        if kind == "tensor":
            rg, param = node["requires_grad"], node["parameter"]
            if type(rg) is not bool or type(param) is not bool:
                raise _Bad("a tensor entry's requires_grad/parameter is not a bool")
            memo = (kind, k, rg, param)
        else:
            memo = (kind, k)
        if memo in self._made:
            return self._made[memo]
        if kind == "ndarray":
            out = arr
        elif kind == "numpy_scalar":
            if arr.ndim != 0:
                raise _Bad(f"array {k} should hold a NumPy scalar but has shape {arr.shape}")
            out = arr[()]
        elif kind == "bytes":
            if arr.dtype != np.uint8 or arr.ndim != 1:
                raise _Bad(f"array {k} should hold bytes but is {arr.dtype}{list(arr.shape)}")
            out = arr.tobytes()
        else:
            if arr.dtype.kind not in "biuf" or (rg and arr.dtype.kind != "f"):
                raise _Bad(f"array {k} of dtype {arr.dtype} cannot be a tensor"
                           + (" that requires grad" if rg else ""))
            if param:
                from .nn.parameter import Parameter  # only when the file holds a Parameter

                out = Parameter(arr, requires_grad=rg)
            else:
                out = Tensor._make(arr, False, None, 0, [0, 0])
                if rg:
                    out.requires_grad = True
        self._made[memo] = out
        return out


def _describe(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def load(f, map_location=None, weights_only=None, **kwargs):
    """Load what `ag.save` wrote, from a path or a binary file. Tensors come back as
    saved (dtype, shape, requires_grad; Parameters as Parameters), dicts with their
    key types and order. Nothing in the file is ever executed; a damaged or foreign
    file raises SerializationError. `map_location` may only be None or "cpu" and
    `weights_only` is accepted for PyTorch compatibility (loading is always safe)."""
    if kwargs:
        raise TypeError(f"ag.load: unexpected argument(s) {', '.join(sorted(kwargs))}")
    if map_location is not None and str(map_location) != "cpu":
        raise ValueError(f"ag.load: map_location must be None or 'cpu' (autograd_lite runs on the CPU), "
                         f"got {map_location!r}")
    where = _describe(f)
    if hasattr(f, "read"):
        fh, own = f, False
        if not (hasattr(fh, "seekable") and fh.seekable()):
            fh = io.BytesIO(fh.read())
    else:
        fh, own = open(os.fspath(f), "rb"), True  # a missing file is a FileNotFoundError, as usual
    try:
        start = fh.tell()
        head = fh.read(8)
        fh.seek(start)
        if not isinstance(head, bytes):
            raise TypeError(f"ag.load: {where} is not opened in binary mode")
        try:
            if not head.startswith(b"PK\x03\x04"):
                raise _Bad(_what_is(head))
            with np.load(fh, allow_pickle=False) as npz:
                index = _read_index(npz)
                arrays = _read_arrays(npz, index["arrays"])
            return _Decoder(arrays).decode(index["root"], 0)
        except _Bad as e:
            reason = str(e)
        except RecursionError:
            reason = "the structure is nested too deeply"
        except MemoryError as e:
            reason = f"an array is larger than memory allows ({e})"
        except Exception as e:  # noqa: BLE001 - zipfile, zlib, numpy header errors, EOF...: all mean "damaged"
            reason = f"damaged archive ({type(e).__name__}: {e})"
        raise SerializationError(f"ag.load: {where} is not a readable {FORMAT} file: {reason}")
    finally:
        if own:
            fh.close()
