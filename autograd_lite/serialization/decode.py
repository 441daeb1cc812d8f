"""`load`'s second half: the JSON node tree and the arrays read from a file become objects.

Every node is checked (its fields, their types, array numbers, view bounds) before it is
used, so a damaged or hostile index is an Unreadable, never a crash. Classes come from
the Resolver: only allowed ones under weights_only. An object is rebuilt as pickle's
protocol 2 would: `cls.__new__(cls, *args)`, then `__setstate__(state)` if the class
defines one, else its `__dict__` (and slots) updated, then its list or dict items
appended or set. No other function is ever called.
"""
import collections
import enum
import importlib

import numpy as np

from ..tensor import Tensor
from .archive import _BFLOAT16, MAX_NDIM, parse_dtype
from .encode import MAX_DEPTH
from .errors import Refused, Unreadable
from .safe_globals import full_name

# type -> (required fields, optional fields)
_FIELDS = {
    "none": ((), ()), "bool": (("value",), ()), "int": (("value",), ()), "float": (("value",), ()),
    "str": (("value",), ()), "complex": (("real", "imag"), ()), "bytes": (("array",), ()),
    "bytearray": (("array",), ()), "list": (("items",), ()), "tuple": (("items",), ()),
    "set": (("items",), ()), "frozenset": (("items",), ()), "dict": (("keys", "values"), ()),
    "ordered_dict": (("keys", "values"), ()), "ndarray": (("array",), ("view",)),
    "tensor": (("array", "requires_grad", "parameter"), ("view", "class", "state")),
    "numpy_scalar": (("array",), ()), "dtype": (("value",), ()), "ref": (("id",), ()),
    "global": (("module", "name"), ()), "enum": (("class", "name"), ()),
    "object": (("class",), ("args", "kwargs", "state", "items", "dict_keys", "dict_values")),
}
_VERSION_1_TYPES = {"none", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict", "ordered_dict",
                    "ndarray", "tensor", "numpy_scalar"}
_VALUE_TYPES = {"bool": (bool,), "int": (int,), "float": (float, int), "str": (str,), "dtype": (str,)}
_LIST_FIELDS = ("items", "keys", "values", "args", "dict_keys", "dict_values")
_VIEW_FIELDS = {"dtype", "shape", "strides", "offset"}


def names_in(root):
    """Every "module.qualname" the node tree names (classes, functions; frozenset, which
    weights_only loading allows only on request, as torch), found without recursion."""
    names, stack = set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind, ref = node.get("type"), node.get("class")
            if kind in ("object", "enum", "tensor") and isinstance(ref, list) and len(ref) == 2 \
                    and all(isinstance(s, str) for s in ref):
                names.add(f"{ref[0]}.{ref[1]}")
            elif kind == "global" and isinstance(node.get("module"), str) and isinstance(node.get("name"), str):
                names.add(f"{node['module']}.{node['name']}")
            elif kind == "frozenset":
                names.add("builtins.frozenset")
            stack.extend(node.values())
    return names


class Decoder:
    def __init__(self, arrays, resolver, max_bytes, version):
        self.arrays = arrays
        self.resolver = resolver
        self.max_bytes = max_bytes
        self.legacy = version == 1  # version 1 files: no references, a tensor per (array, flags)
        self.memo = []  # rebuilt objects, numbered as the encoder numbered them
        self._made = {}  # (kind, array number, ...) -> object made once per array
        self._handlers = {
            "none": lambda n, d: None, "bool": self._value, "int": self._value, "float": self._value,
            "str": self._value, "complex": self._complex, "bytes": self._bytes, "bytearray": self._bytes,
            "list": self._list, "set": self._set, "tuple": self._tuple, "frozenset": self._tuple,
            "dict": self._dict, "ordered_dict": self._dict, "ndarray": self._ndarray, "tensor": self._tensor,
            "numpy_scalar": self._numpy_scalar, "dtype": self._dtype, "ref": self._ref, "global": self._global,
            "enum": self._enum, "object": self._object,
        }

    # ---- checks -------------------------------------------------------------------------------
    def _check(self, node, depth):
        if depth > MAX_DEPTH + 1:
            raise Unreadable(f"the structure is nested more than {MAX_DEPTH} levels deep")
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise Unreadable("a structure entry is not a JSON object with a 'type'")
        kind = node["type"]
        fields = _FIELDS.get(kind)
        if fields is None or (self.legacy and kind not in _VERSION_1_TYPES):
            raise Unreadable(f"unknown entry type {kind!r}")
        required, optional = fields
        present = set(node) - {"type"}
        if not set(required) <= present or not present <= set(required) | set(() if self.legacy else optional):
            raise Unreadable(f"a '{kind}' entry has fields {sorted(node)}, expected {sorted(('type',) + required)}"
                             + (f" and optionally {sorted(optional)}" if optional else ""))
        for name in _LIST_FIELDS:
            if name in node and not isinstance(node[name], list):
                raise Unreadable(f"a '{kind}' entry's '{name}' is not a list")
        return kind

    def decode(self, node, depth=0):
        kind = self._check(node, depth)
        return self._handlers[kind](node, depth)

    def _call(self, cls, what, fn, *args, **kwargs):
        """Run a class's own code (its __new__, __setstate__, item setters); its failure is
        reported as the file's, with the original exception chained."""
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - whatever the class raises
            raise Unreadable(f"rebuilding an object of class {full_name(cls)} failed in {what} "
                             f"({type(e).__name__}: {e})", cause=e) from None

    def _insert(self, what, fn, *args):
        try:
            fn(*args)
        except Unreadable:
            raise
        except TypeError as e:
            raise Unreadable(f"{what} ({e})") from None
        except Exception as e:  # noqa: BLE001 - an object's own __hash__ or __eq__
            raise Unreadable(f"{what} ({type(e).__name__}: {e})", cause=e) from None

    # ---- scalars ------------------------------------------------------------------------------
    def _value(self, node, depth):
        kind, v = node["type"], node["value"]
        if not isinstance(v, _VALUE_TYPES[kind]) or (kind != "bool" and isinstance(v, bool)):
            raise Unreadable(f"a '{kind}' entry holds {type(v).__name__} {v!r}")
        return float(v) if kind == "float" else v

    def _complex(self, node, depth):
        parts = node["real"], node["imag"]
        if not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in parts):
            raise Unreadable(f"a 'complex' entry holds {parts!r}")
        return complex(*parts)

    def _dtype(self, node, depth):
        return parse_dtype(node["value"], "a 'dtype' entry")

    # ---- arrays -------------------------------------------------------------------------------
    def _member(self, node):
        k = node["array"]
        if type(k) is not int or not 0 <= k < len(self.arrays):
            raise Unreadable(f"an entry refers to array {k!r}, which does not exist")
        return k, self.arrays[k]

    def _array_of(self, node):
        k, arr = self._member(node)
        if "view" not in node:
            return arr
        return self._view(k, arr, node["view"])

    def _view(self, k, storage, spec):
        """A view into member k, a block of bytes several arrays shared when saved."""
        what = f"a view of array {k}"
        if storage.dtype != np.uint8 or storage.ndim != 1:
            raise Unreadable(f"{what}: array {k} is {storage.dtype}{list(storage.shape)}, not a block of bytes")
        if not isinstance(spec, dict) or set(spec) != _VIEW_FIELDS:
            raise Unreadable(f"{what} is malformed")
        dtype = parse_dtype(spec["dtype"], what)
        shape, strides, offset = spec["shape"], spec["strides"], spec["offset"]
        if not (isinstance(shape, list) and isinstance(strides, list) and len(shape) == len(strides) <= MAX_NDIM
                and all(type(n) is int and n >= 0 for n in shape) and all(type(s) is int for s in strides)
                and type(offset) is int and 0 <= offset <= storage.nbytes):
            raise Unreadable(f"{what} has a malformed shape, strides or offset")
        numel = 1
        for n in shape:
            numel *= n
        if numel * dtype.itemsize > self.max_bytes:
            raise Unreadable(f"{what} declares {numel} elements of {dtype}, more than max_bytes={self.max_bytes}")
        if numel:
            lo = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
            hi = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0) + dtype.itemsize
            if lo < 0 or hi > storage.nbytes:
                raise Unreadable(f"{what} reaches bytes {lo} to {hi} of a block of {storage.nbytes}")
            align = dtype.alignment
            if offset % align or any(s % align for n, s in zip(shape, strides) if n > 1):
                raise Unreadable(f"{what} is not aligned for {dtype}")
        return np.ndarray(tuple(shape), dtype, buffer=storage, offset=offset, strides=tuple(strides))

    def _ndarray(self, node, depth):
        out = self._array_of(node)
        self.memo.append(out)
        return out

    def _numpy_scalar(self, node, depth):
        k, arr = self._member(node)
        if arr.ndim != 0:
            raise Unreadable(f"array {k} should hold a NumPy scalar but has shape {arr.shape}")
        return arr[()]

    def _bytes(self, node, depth):
        kind = node["type"]
        k, arr = self._member(node)
        if arr.dtype != np.uint8 or arr.ndim != 1:
            raise Unreadable(f"array {k} should hold bytes but is {arr.dtype}{list(arr.shape)}")
        out = self._made.get((kind, k))
        if out is None:  # once per array, so entries repeating an array can't multiply memory
            out = self._made[(kind, k)] = arr.tobytes() if kind == "bytes" else bytearray(arr.tobytes())
        if kind == "bytearray":
            self.memo.append(out)
        return out

    def _tensor(self, node, depth):
        rg, param = node["requires_grad"], node["parameter"]
        if type(rg) is not bool or type(param) is not bool:
            raise Unreadable("a tensor entry's requires_grad/parameter is not a bool")
        arr = self._array_of(node)
        floating = arr.dtype.kind == "f" or arr.dtype == _BFLOAT16
        if (arr.dtype.kind not in "biuf" and not floating) or (rg and not floating):
            raise Unreadable(f"array {node['array']} of dtype {arr.dtype} cannot be a tensor"
                             + (" that requires grad" if rg else ""))
        memo_key = ("tensor", node["array"], rg, param)
        if self.legacy and memo_key in self._made:
            return self._made[memo_key]
        if "class" in node:
            cls = self._class(node["class"], Tensor)
            out = self._call(cls, "__new__", cls.__new__, cls)
            if not isinstance(out, cls):
                raise Unreadable(f"{full_name(cls)}.__new__ did not return a {cls.__name__}")
            Tensor._init_leaf(out, arr, rg)
        elif param:
            parameter = importlib.import_module("autograd_lite.nn.parameter").Parameter  # nn loads on demand
            out = parameter(arr, requires_grad=rg)
        else:
            out = Tensor._make(arr, False, None, 0, [0, 0])
            if rg:
                out.requires_grad = True
        self._made[memo_key] = out
        self.memo.append(out)
        if "state" in node:
            state = self.decode(node["state"], depth + 1)
            if not isinstance(state, dict):
                raise Unreadable(f"the state of a {type(out).__name__} tensor is not a dict")
            self._call(type(out), "restoring its attributes", out.__dict__.update, state)
        return out

    # ---- containers ---------------------------------------------------------------------------
    def _list(self, node, depth):
        out = []
        self.memo.append(out)
        out.extend(self.decode(n, depth + 1) for n in node["items"])
        return out

    def _set(self, node, depth):
        out = set()
        self.memo.append(out)
        for n in node["items"]:
            self._insert("a set item is unhashable", out.add, self.decode(n, depth + 1))
        return out

    def _tuple(self, node, depth):
        items = [self.decode(n, depth + 1) for n in node["items"]]
        if node["type"] == "tuple":
            return tuple(items)
        if not self.resolver.permits("builtins.frozenset"):
            raise Refused(["builtins.frozenset"])
        out = set()
        for item in items:
            self._insert("a frozenset item is unhashable", out.add, item)
        return frozenset(out)

    def _dict(self, node, depth):
        out = {} if node["type"] == "dict" else collections.OrderedDict()
        self.memo.append(out)
        self._fill_dict(out, node["keys"], node["values"], depth, out.__setitem__)
        return out

    def _fill_dict(self, out, keys, values, depth, setitem):
        if len(keys) != len(values):
            raise Unreadable("a dict entry has different numbers of keys and values")
        for kn, vn in zip(keys, values):
            key = self.decode(kn, depth + 1)
            self._insert("a dict key is unhashable", setitem, key, self.decode(vn, depth + 1))

    def _ref(self, node, depth):
        k = node["id"]
        if type(k) is not int or not 0 <= k < len(self.memo):
            raise Unreadable(f"a reference to object {k!r} comes before that object")
        return self.memo[k]

    # ---- classes and objects ------------------------------------------------------------------
    def _class(self, ref, base=object):
        if not (isinstance(ref, list) and len(ref) == 2):
            raise Unreadable(f"a class is named {ref!r}, not [module, name]")
        return self.resolver.lookup_class(ref[0], ref[1], base)

    def _global(self, node, depth):
        return self.resolver.lookup(node["module"], node["name"])

    def _enum(self, node, depth):
        cls = self._class(node["class"], enum.Enum)
        member = cls.__members__.get(node["name"]) if isinstance(node["name"], str) else None
        if member is None:
            raise Unreadable(f"{full_name(cls)} has no member {node['name']!r}")
        return member

    def _object(self, node, depth):
        cls = self._class(node["class"])
        args = [self.decode(n, depth + 1) for n in node.get("args", [])]
        kwargs = self.decode(node["kwargs"], depth + 1) if "kwargs" in node else {}
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise Unreadable(f"the keyword arguments of {full_name(cls)}.__new__ are not a dict of str keys")
        obj = self._call(cls, "__new__", cls.__new__, cls, *args, **kwargs)
        self.memo.append(obj)
        if "state" in node:
            self._set_state(cls, obj, self.decode(node["state"], depth + 1))
        if "items" in node:
            for n in node["items"]:
                self._call(cls, "append", obj.append, self.decode(n, depth + 1))
        if "dict_keys" in node or "dict_values" in node:
            keys, values = node.get("dict_keys"), node.get("dict_values")
            if keys is None or values is None:
                raise Unreadable(f"an object of class {full_name(cls)} has dict keys or values, not both")
            self._fill_dict(obj, keys, values, depth,
                            lambda k, v: self._call(cls, "__setitem__", obj.__setitem__, k, v))
        return obj

    def _set_state(self, cls, obj, state):
        """pickle's BUILD: the class's own __setstate__, else __dict__ and slots updated."""
        setstate = getattr(type(obj), "__setstate__", None)
        if setstate is not None:
            self._call(cls, "__setstate__", setstate, obj, state)
            return
        slots = None
        if isinstance(state, tuple) and len(state) == 2:
            state, slots = state
        for part in (state, slots):
            if part is not None and not isinstance(part, dict):
                raise Unreadable(f"the state of an object of class {full_name(cls)} is a "
                                 f"{type(part).__name__}, not a dict")
        if state:
            self._call(cls, "restoring its __dict__", lambda: obj.__dict__.update(state))
        for name, value in (slots or {}).items():
            self._call(cls, f"setting {name!r}", setattr, obj, name, value)
