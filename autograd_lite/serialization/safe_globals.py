"""Which classes and functions a file may name, as `torch.serialization`'s safe globals.

With `weights_only=True` (the default) `ag.load` rebuilds only what it knows to be data
(tensors, arrays, numbers, strings, containers, Parameters, dtypes) plus the classes
allowed here: a few of the library's and the standard library's own, and those the user
marks safe with `add_safe_globals` or `safe_globals`. Names are matched as strings
"module.qualname" and the registered object itself is used, so nothing is imported. With
`weights_only=False` the file's classes are imported by name, as pickle would.
"""
import importlib
import re
import sys

from .errors import Refused, Unreadable

__all__ = ["add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_user_globals = []  # what add_safe_globals was given, in order: objects or (object, "module.name")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

# Allowed without asking, as torch allows OrderedDict, Counter, set, complex and bytearray:
# dict subclasses with no code of their own that modules and optimizers hold.
_DEFAULT_NAMES = ("collections.OrderedDict", "collections.Counter", "autograd_lite.hooks.HookDict")


def full_name(obj):
    """"module.qualname" of a class or function, as files name it."""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)  # ufuncs have no __qualname__
    return f"{getattr(obj, '__module__', None)}.{name}"


def _check_entry(entry):
    if isinstance(entry, tuple):
        if len(entry) != 2:
            raise ValueError(f"add_safe_globals: expected a (global, 'module.name') pair, got a tuple of "
                             f"length {len(entry)}")
        if type(entry[1]) is not str:
            raise TypeError(f"add_safe_globals: the second item of {entry!r} must be the str 'module.name', "
                            f"got {type(entry[1]).__name__}")
    elif not callable(entry):
        raise TypeError(f"add_safe_globals: expected classes or functions, got {entry!r}")


def add_safe_globals(safe_globals):
    """Allow `ag.load(weights_only=True)` to rebuild objects of these classes (or return these
    functions). Each item is a class/function, or a (class/function, "module.qualname") pair
    for a file that names it differently."""
    if not isinstance(safe_globals, (list, tuple, set)):
        raise TypeError(f"add_safe_globals: expected a list of classes or functions, got "
                        f"{type(safe_globals).__name__}")
    for entry in safe_globals:
        _check_entry(entry)
        if entry not in _user_globals:
            _user_globals.append(entry)


def get_safe_globals():
    """The classes and functions `add_safe_globals` has allowed (a new list)."""
    return list(_user_globals)


def clear_safe_globals():
    """Forget every class and function `add_safe_globals` allowed."""
    _user_globals.clear()


class safe_globals:  # noqa: N801 - torch's name
    """`with safe_globals([MyClass]): ag.load(f)`: the classes are allowed inside the block
    only; those that were allowed before stay allowed after it."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals
        self._added = []

    def __enter__(self):
        before = list(_user_globals)
        add_safe_globals(self.safe_globals)
        self._added = [e for e in _user_globals if e not in before]
        return self

    def __exit__(self, *exc):
        for entry in self._added:
            if entry in _user_globals:
                _user_globals.remove(entry)
        return False


def _allowed_by_name():
    allowed = {}
    for name in _DEFAULT_NAMES:
        module, _, attr = name.rpartition(".")
        obj = getattr(sys.modules.get(module), attr, None)
        if obj is not None:
            allowed[name] = obj
    for name in ("device", "Size"):  # data, as torch.device and torch.Size are to torch.load
        cls = getattr(sys.modules.get("autograd_lite"), name, None)
        if isinstance(cls, type):
            allowed[full_name(cls)] = cls
    for entry in _user_globals:
        if isinstance(entry, tuple):
            allowed[entry[1]] = entry[0]
        else:
            allowed[full_name(entry)] = entry
    return allowed


class Resolver:
    """Turns the names a file holds into classes and functions: from the allowed ones when
    `weights_only`, by import otherwise."""

    def __init__(self, weights_only):
        self.weights_only = weights_only
        self._allowed = _allowed_by_name() if weights_only else None

    def permits(self, name):
        return not self.weights_only or name in self._allowed

    def check(self, names):
        """Raise Refused listing every name in `names` that may not be loaded."""
        refused = sorted({n for n in names if not self.permits(n)})
        if refused:
            raise Refused(refused)

    def lookup(self, module, qualname):
        if not (isinstance(module, str) and isinstance(qualname, str)
                and _DOTTED.match(module) and _DOTTED.match(qualname)):
            raise Unreadable(f"a class or function is named {module!r}.{qualname!r}, which is not a valid name")
        name = f"{module}.{qualname}"
        if self.weights_only:
            if name not in self._allowed:
                raise Refused([name])
            return self._allowed[name]
        try:
            obj = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except Exception as e:  # noqa: BLE001 - an import can fail in any way
            raise Unreadable(f"the file names {name}, which cannot be found ({type(e).__name__}: {e})") from None
        return obj

    def lookup_class(self, module, qualname, base=object):
        cls = self.lookup(module, qualname)
        if not isinstance(cls, type) or not issubclass(cls, base):
            kind = "a class" if base is object else f"a subclass of {base.__name__}"
            raise Unreadable(f"the file names {module}.{qualname} as {kind}, but it is {cls!r}")
        return cls
