"""`save`'s first half: an object graph becomes a JSON tree of nodes plus a list of arrays.

Objects that are not tensors, arrays, scalars or plain containers are recorded the way
pickle's protocol 2+ describes them (`__reduce_ex__`): their class by module and
qualified name, the arguments to `cls.__new__`, their state, and list or dict items.
Nothing is recorded that would make loading call an arbitrary function: an object whose
pickling needs one (a custom `__reduce__` returning a function, a constructor that must
run) is refused here with a clear error. Shared objects are stored once and referenced
by number (their order of first appearance), so sharing and cycles survive a round trip.
"""
import builtins
import collections
import copyreg
import enum
import sys
import types

import numpy as np
from numpy.lib.array_utils import byte_bounds

from ..tensor import Tensor
from .archive import allowed_dtype, dtype_text

MAX_DEPTH = 200
_SIMPLE = {type(None): "none", bool: "bool", int: "int", float: "float", str: "str"}
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, np.ufunc)
_NOT_BOUND = (type(None), types.ModuleType)  # a builtin's __self__: its module, unless it is a bound method


_ARRAY_SLOT = Tensor.__dict__["_data"]


def _stored_array(t):
    """The tensor's array; an uninitialized parameter or buffer (a lazy module's, whose
    `_data` raises until the first forward) is saved as its empty placeholder."""
    if getattr(type(t), "cls_to_become", None) is not None:
        return _ARRAY_SLOT.__get__(t)
    return t._data


def _parameter_class():
    module = sys.modules.get("autograd_lite.nn.parameter")  # loaded whenever a Parameter exists
    return getattr(module, "Parameter", None)


def _root(arr):
    """The ndarray at the bottom of `arr`'s chain of views: arrays with the same root share memory."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _root_bytes(root):
    """The root's memory as a 1-d uint8 view, or None if it is not one contiguous block."""
    if root.flags.c_contiguous:
        flat = root.reshape(-1)
    elif root.flags.f_contiguous:
        flat = root.reshape(-1, order="F")
    else:
        return None
    return flat.view(np.uint8)


def _shared_storage(root, arrays):
    """One uint8 block of the root's memory covering every array of `arrays`, and each array
    as a view of it (dtype, shape, byte strides and offset); None if some array can't be
    described that way with aligned data (it is then saved as a copy of its own)."""
    base = _root_bytes(root)
    if base is None:
        return None
    root_lo = byte_bounds(root)[0]
    bounds = [byte_bounds(a) for a in arrays]
    lo, hi = min(b[0] for b in bounds), max(b[1] for b in bounds)
    if lo < root_lo or hi > root_lo + base.nbytes:
        return None
    views = []
    for a in arrays:
        offset = a.__array_interface__["data"][0] - lo
        align = a.dtype.alignment
        if offset % align or any(s % align for s, n in zip(a.strides, a.shape) if n > 1):
            return None
        views.append({"dtype": dtype_text(a.dtype), "shape": list(a.shape), "strides": list(a.strides), "offset": offset})
    return base[lo - root_lo:hi - root_lo], views


def _new_without_init(func):
    """Whether calling the class `func` only runs its `__new__` (no `__init__`, no metaclass
    `__call__`), so a reduce that calls it can be recorded as `cls.__new__(cls, *args)`."""
    return isinstance(func, type) and type(func).__call__ is type.__call__ and func.__init__ is object.__init__


class Encoder:
    """Walks an object once; `root` is its node tree and `members()` the arrays to write."""

    def __init__(self):
        self._arrays = []  # distinct ndarrays referenced by nodes, in order of first use
        self._array_pos = {}  # id(ndarray, bytes or NumPy scalar) -> position in _arrays
        self._array_nodes = []  # (node, position): "array" (and "view") are filled in by members()
        self._memo = {}  # id(object) -> its reference number
        self._keep = []  # every object whose id is a key above: ids must stay unique while saving
        self._open = set()  # ids of tuples/objects being built, which a reference cannot point back to

    # ---- arrays -------------------------------------------------------------------------------
    def _array(self, node, obj, arr, where):
        if not allowed_dtype(arr.dtype):
            raise TypeError(f"ag.save: can't save the array of dtype {arr.dtype} at {where} "
                            "(object and structured arrays would need pickle)")
        pos = self._array_pos.get(id(obj))
        if pos is None:
            pos = self._array_pos[id(obj)] = len(self._arrays)
            self._arrays.append(arr)
            self._keep.append(obj)
        self._array_nodes.append((node, pos))
        return node

    def members(self):
        """The arrays to store. Arrays that are views of one block of memory are stored as that
        block once, and their nodes get a "view" into it; every other array is stored alone."""
        groups = {}
        for pos, arr in enumerate(self._arrays):
            key = id(_root(arr)) if arr.size else ("empty", pos)
            groups.setdefault(key, []).append(pos)
        members, placement = [], {}
        for positions in groups.values():
            arrays = [self._arrays[p] for p in positions]
            shared = _shared_storage(_root(arrays[0]), arrays) if len(positions) > 1 else None
            if shared is not None:
                storage, views = shared
                for p, view in zip(positions, views):
                    placement[p] = (len(members), view)
                members.append(storage)
            else:
                for p in positions:
                    placement[p] = (len(members), None)
                    members.append(self._arrays[p])
        for node, pos in self._array_nodes:
            node["array"], view = placement[pos]
            if view is not None:
                node["view"] = view
        return members

    # ---- references ---------------------------------------------------------------------------
    def _remember(self, obj):
        self._memo[id(obj)] = len(self._memo)
        self._keep.append(obj)

    def _global(self, obj, where, module=None, name=None):
        """A class or function, recorded by name; it must be importable under that name."""
        name = name or getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or ""
        module = module or getattr(obj, "__module__", None)
        if module is None and getattr(builtins, name, None) is obj:  # Ellipsis, NotImplemented
            module = "builtins"
        found = sys.modules.get(module) if isinstance(module, str) else None
        for part in name.split("."):
            found = getattr(found, part, None)
        if found is not obj or "<" in name:
            raise TypeError(f"ag.save: can't save {obj!r} at {where}: it is not reachable as {module}.{name} "
                            "(lambdas and classes or functions defined inside functions can't be loaded by name)")
        return [module, name]

    # ---- the walk -----------------------------------------------------------------------------
    def encode(self, obj, where="obj", depth=0):
        if depth > MAX_DEPTH:
            raise ValueError(f"ag.save: {where} is nested more than {MAX_DEPTH} levels deep")
        kind = _SIMPLE.get(type(obj))
        if kind is not None:
            if kind == "int" and obj.bit_length() > 13000:
                raise ValueError(f"ag.save: the int at {where} has more than 4000 digits")
            return {"type": kind} if kind == "none" else {"type": kind, "value": obj}
        if type(obj) is complex:
            return {"type": "complex", "real": obj.real, "imag": obj.imag}
        ref = self._memo.get(id(obj))
        if ref is not None:
            return {"type": "ref", "id": ref}
        if id(obj) in self._open:
            raise ValueError(f"ag.save: {where} contains itself through a tuple or a constructor argument "
                             "(a circular reference autograd_lite can't rebuild)")
        if isinstance(obj, Tensor):
            return self._tensor(obj, where, depth)
        if type(obj) in (np.ndarray, np.memmap):
            self._remember(obj)
            return self._array({"type": "ndarray"}, obj, np.asarray(obj), where)
        if isinstance(obj, np.generic):
            return self._array({"type": "numpy_scalar"}, obj, np.asarray(obj), where)
        if isinstance(obj, np.dtype):
            if not allowed_dtype(obj):
                raise TypeError(f"ag.save: can't save the dtype {obj} at {where} (object and structured dtypes)")
            return {"type": "dtype", "value": dtype_text(obj)}
        if type(obj) is bytes:
            return self._array({"type": "bytes"}, obj, np.frombuffer(obj, np.uint8), where)
        if type(obj) is bytearray:
            self._remember(obj)
            return self._array({"type": "bytearray"}, obj, np.frombuffer(bytes(obj), np.uint8), where)
        container = self._container(obj, where, depth)
        if container is not None:
            return container
        if isinstance(obj, enum.Enum):
            cls = type(obj)
            if cls.__members__.get(obj.name) is not obj:
                raise TypeError(f"ag.save: can't save the enum value {obj!r} at {where}: it has no member name")
            return {"type": "enum", "class": self._global(cls, where), "name": obj.name}
        if isinstance(obj, (type, *_FUNCTIONS)) and isinstance(getattr(obj, "__self__", None), _NOT_BOUND):
            module, name = self._global(obj, where)
            return {"type": "global", "module": module, "name": name}
        return self._object(obj, where, depth)

    def _items(self, values, where, depth):
        return [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(values)]

    def _dict_fields(self, items, where, depth, attributes=False):
        keys, values = [], []
        for k, v in items:
            keys.append(self.encode(k, f"{where} (a key)", depth + 1))
            inner = f"{where}.{k}" if attributes and isinstance(k, str) else f"{where}[{k!r}]"
            values.append(self.encode(v, inner, depth + 1))
        return keys, values

    def _container(self, obj, where, depth):
        t = type(obj)
        if t in (list, set, dict, collections.OrderedDict):
            self._remember(obj)
            if t is list or t is set:
                return {"type": t.__name__, "items": self._items(obj, where, depth)}
            keys, values = self._dict_fields(obj.items(), where, depth)
            return {"type": "dict" if t is dict else "ordered_dict", "keys": keys, "values": values}
        if t in (tuple, frozenset):
            self._open.add(id(obj))
            self._keep.append(obj)
            try:
                return {"type": t.__name__, "items": self._items(obj, where, depth)}
            finally:
                self._open.discard(id(obj))
        return None

    def _tensor(self, obj, where, depth):
        self._remember(obj)
        param_cls = _parameter_class()
        node = {"type": "tensor", "requires_grad": bool(obj.requires_grad),
                "parameter": param_cls is not None and isinstance(obj, param_cls)}
        arr = _stored_array(obj)
        self._array(node, arr, arr, where)
        if type(obj) is not Tensor and type(obj) is not param_cls:
            node["class"] = self._global(type(obj), where)
            state = getattr(obj, "__dict__", None)
            if state:
                node["state"] = self._state(state, where, depth)
        return node

    def _state(self, state, where, depth):
        """An object's state; a dict of attributes gets readable paths in error messages."""
        if type(state) is not dict or id(state) in self._memo:
            return self.encode(state, f"{where} (its state)", depth + 1)
        self._remember(state)
        keys, values = self._dict_fields(state.items(), where, depth, attributes=True)
        return {"type": "dict", "keys": keys, "values": values}

    def _reduce(self, obj, where):
        """(class, __new__ args, __new__ kwargs, state, list items, dict items) for `obj`, from
        its pickling protocol; TypeError if rebuilding it would need a function call."""
        cls = type(obj)
        name = f"{cls.__module__}.{cls.__qualname__}"
        if cls is collections.defaultdict:  # its reduce calls defaultdict(factory): set the slot instead
            return cls, (), {}, (None, {"default_factory": obj.default_factory}), None, list(obj.items())
        if cls is collections.Counter:
            return cls, (), {}, getattr(obj, "__dict__", None) or None, None, list(obj.items())
        reducer = copyreg.dispatch_table.get(cls)
        try:
            rv = reducer(obj) if reducer is not None else obj.__reduce_ex__(4)
        except Exception as e:  # noqa: BLE001 - "cannot pickle '_thread.lock' object" and the like
            hint = "; convert it with .numpy() first" if cls.__name__ == "Tensor" else ""
            raise TypeError(f"ag.save: can't save an object of type {name} at {where}: "
                            f"{type(e).__name__}: {e}{hint}") from None
        self._keep.append(rv)
        if isinstance(rv, str):
            return rv
        if not isinstance(rv, tuple) or not 2 <= len(rv) <= 6:
            raise TypeError(f"ag.save: {name}.__reduce_ex__ returned {rv!r}, not a tuple of 2 to 6 items")
        func, args, state, list_items, dict_items, setter = rv + (None,) * (6 - len(rv))
        kwargs = {}
        if func is copyreg.__newobj__:
            new_cls, args = args[0], args[1:]
        elif func is copyreg.__newobj_ex__:
            new_cls, args, kwargs = args
        elif _new_without_init(func) or (func is cls and isinstance(obj, collections.OrderedDict) and not args):
            new_cls = func  # calling it would only run __new__ (or OrderedDict's empty __init__)
        else:
            hint = "; convert it with .numpy() first" if cls.__name__ == "Tensor" else ""
            raise TypeError(f"ag.save: can't save an object of type {name} at {where}: its pickling calls "
                            f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', func)!s}(...) on load, "
                            "and autograd_lite rebuilds objects only as cls.__new__(cls) plus their state, never by "
                            f"calling functions or constructors{hint}")
        if setter is not None:
            raise TypeError(f"ag.save: can't save an object of type {name} at {where}: its pickling uses a "
                            "state-setter function")
        return (new_cls, tuple(args), dict(kwargs), state, None if list_items is None else list(list_items),
                None if dict_items is None else list(dict_items))

    def _object(self, obj, where, depth):
        reduced = self._reduce(obj, where)
        if isinstance(reduced, str):  # a module-level singleton such as Ellipsis
            module, name = self._global(obj, where, name=reduced)
            return {"type": "global", "module": module, "name": name}
        cls, args, kwargs, state, list_items, dict_items = reduced
        if not isinstance(cls, type):
            raise TypeError(f"ag.save: can't save {obj!r} at {where}: its pickling builds it from {cls!r}, "
                            "not a class")
        node = {"type": "object", "class": self._global(cls, where)}
        self._open.add(id(obj))
        try:
            if args:
                node["args"] = self._items(args, f"{where} (an argument of {cls.__name__}.__new__)", depth)
            if kwargs:
                node["kwargs"] = self.encode(kwargs, f"{where} (arguments of {cls.__name__}.__new__)", depth + 1)
        finally:
            self._open.discard(id(obj))
        self._remember(obj)  # after the arguments, before the state: as the loader numbers them
        if state is not None:
            node["state"] = self._state(state, where, depth)
        if list_items is not None:
            node["items"] = self._items(list_items, where, depth)
        if dict_items is not None:
            node["dict_keys"], node["dict_values"] = self._dict_fields(dict_items, where, depth)
        return node
