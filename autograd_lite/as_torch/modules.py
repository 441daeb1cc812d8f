"""The `torch` modules of the alias: each `torch.<path>` is a thin module over
`autograd_lite.<path>` whose names are autograd_lite's own objects, and whose missing
names raise an error that names the PyTorch API autograd_lite lacks."""
import dis
import importlib
import importlib.util
import sys
import types

DOCS = "'Run an existing PyTorch script' in autograd_lite's README"

# PyTorch's libraries built on torch: importing one under the alias gets a clear error
# rather than a crash deep inside it
OUT_OF_SCOPE = {
    "torchvision": "torchvision (datasets, models, transforms) is out of scope",
    "torchaudio": "torchaudio is out of scope",
    "torchtext": "torchtext is out of scope",
}

# values rebound at run time (flags, counters) are read through on every access; every
# other value (functions, classes, dtypes, modules) is kept after its first read
_READ_THROUGH = (bool, int, float, complex, str, bytes, tuple, type(None))

_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def real_name(torch_name):
    """`torch.nn.functional` -> `autograd_lite.nn.functional`."""
    return "autograd_lite" + torch_name[len("torch"):]


def missing_message(torch_name):
    return f"autograd_lite has no {torch_name} (PyTorch API not supported; see {DOCS})"


class MissingTorchAPI(AttributeError):
    """`torch.<name>` that autograd_lite does not provide (an AttributeError, so `hasattr`
    and `getattr(torch, name, default)` behave as on a PyTorch build without it)."""


def module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _caller_is_import_from():
    # `from torch.nn import Foo` turns an AttributeError into a bare "cannot import name";
    # raising ImportError ourselves (what Python raises there anyway) keeps the message
    frame = sys._getframe(2)
    return frame.f_code.co_code[frame.f_lasti] == _IMPORT_FROM


class TorchModule(types.ModuleType):
    """`torch.<path>` over `autograd_lite.<path>`: the first read of a name looks it up in
    the real module and keeps it here, so later reads are plain module lookups; a missing
    name raises MissingTorchAPI naming `torch.<path>.<name>`. Writes go to the real module,
    so flags such as `torch.backends.cudnn.benchmark = True` reach the library."""

    def __init__(self, torch_name, target):
        super().__init__(torch_name, target.__doc__)
        self.__dict__["_alias_target"] = target

    def __getattr__(self, name):
        target = self.__dict__["_alias_target"]
        if name == "__all__" and not hasattr(target, "__all__"):
            # `from torch.nn import *` imports the real module's public names
            return [n for n in vars(target) if not n.startswith("_")]
        try:
            value = getattr(target, name)
        except AttributeError:
            if name.startswith("__") or not hasattr(target, "__path__"):
                value = None
            else:
                value = self._submodule(name)
            if value is None:
                if name.startswith("__"):
                    raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
                message = missing_message(f"{self.__name__}.{name}")
                if _caller_is_import_from():
                    raise ImportError(message, name=self.__name__) from None
                raise MissingTorchAPI(message, name=name, obj=self) from None
        if isinstance(value, types.ModuleType):
            if not value.__name__.startswith("autograd_lite"):
                return value  # e.g. numpy re-exported by a module: not ours to alias
            value = importlib.import_module("torch" + value.__name__[len("autograd_lite"):])
        elif isinstance(value, _READ_THROUGH):
            return value
        self.__dict__[name] = value
        return value

    def _submodule(self, name):
        """`torch.utils.data` after only `import torch`, as PyTorch's eager imports allow."""
        target = self.__dict__["_alias_target"]
        if not module_exists(f"{target.__name__}.{name}"):
            return None
        return importlib.import_module(f"{self.__name__}.{name}")

    def __setattr__(self, name, value):
        if name.startswith("__") or isinstance(value, TorchModule):
            # the import system's own attributes and child modules belong to the alias
            self.__dict__[name] = value
            return
        setattr(self.__dict__["_alias_target"], name, value)
        self.__dict__.pop(name, None)

    def __delattr__(self, name):
        if name in self.__dict__ and (name.startswith("__") or isinstance(self.__dict__[name], TorchModule)):
            del self.__dict__[name]
            return
        delattr(self.__dict__["_alias_target"], name)
        self.__dict__.pop(name, None)

    def __dir__(self):
        return sorted(set(self.__dict__) | set(dir(self.__dict__["_alias_target"])) - {"_alias_target"})

    def __repr__(self):
        return f"<module {self.__name__!r} (alias of {self.__dict__['_alias_target'].__name__!r})>"
