"""Devices, honestly CPU-only: `device` objects as PyTorch's, the default device, and the
one check every device argument goes through (`cpu_only`). `device("cuda")` can be
built, as in PyTorch, but placing a tensor or a module on it is a clear error."""
import numpy as np

from . import _dtypes
from .formats import check_memory_format

# PyTorch's device types: all of them can be named, only "cpu" can hold tensors here.
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


class DeviceUnavailableError(RuntimeError, AssertionError):
    """A tensor, module or call asked for a device other than the CPU. Catchable as
    RuntimeError, or as AssertionError, which PyTorch raises for CUDA without CUDA."""


def _unavailable(what, dev):
    return DeviceUnavailableError(
        f"{what}: device {str(dev)!r} is not available; autograd_lite runs on the CPU only "
        f"(use 'cpu', or guard GPU code with ag.cuda.is_available(), which is False)")


def _parse_device_string(text):
    kind, sep, index = text.partition(":")
    if kind not in DEVICE_TYPES:
        if kind.isalpha():
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start "
                               f"of device string: {text}")
        raise RuntimeError(f"Invalid device string: {text!r}")
    if not sep:
        return kind, None
    if not index.isdigit() or not index.isascii() or (len(index) > 1 and index[0] == "0"):
        raise RuntimeError(f"Invalid device string: {text!r}")
    return kind, int(index)


class device:
    """Where a tensor lives: `device("cpu")`, `device("cpu", 0)`, `device(type="cpu")`,
    `device("cuda:1")`. Equal to devices of the same type and index (never to strings,
    as in PyTorch), hashable, and a context manager that sets the default device."""

    __slots__ = ("type", "index", "_previous")

    def __init__(self, type=None, index=None, *, device=None):
        if device is not None:
            if type is not None:
                raise TypeError("device(): got both 'type' and 'device'")
            type = device
        if isinstance(type, self.__class__):  # `type` is the argument here, not the builtin
            if index is not None:
                raise TypeError("device(): argument 'type' (position 1) must be str, not device")
            type, index = type.type, type.index
        elif isinstance(type, (int, np.integer)) and not isinstance(type, bool):
            raise DeviceUnavailableError(f"device({type}): a bare index names an accelerator "
                                         f"device, and none is available; autograd_lite runs on "
                                         f"the CPU only")
        elif isinstance(type, str):
            kind, parsed = _parse_device_string(type)
            if parsed is not None and index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, index = kind, parsed if index is None else index
        else:
            raise TypeError(f"device(): expected a device type string such as 'cpu', a device "
                            f"or an int, got {getattr(type, '__class__', type).__name__}")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{index.__class__.__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            index = int(index)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "_previous", None)

    def __setattr__(self, name, value):
        raise AttributeError(f"device objects are immutable (can't set {name!r})")

    def __eq__(self, other):
        if isinstance(other, device):
            return self.type == other.type and self.index == other.index
        return NotImplemented

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type={self.type!r})"
        return f"device(type={self.type!r}, index={self.index})"

    def __getstate__(self):
        return {"type": self.type, "index": self.index}

    def __setstate__(self, state):
        """Rebuilt by pickle and ag.load as `device.__new__` plus this state, checked as
        the constructor checks its arguments."""
        if not isinstance(state, dict) or set(state) != {"type", "index"}:
            raise TypeError(f"device: expected the state {{'type': ..., 'index': ...}}, got {state!r}")
        self.__init__(state["type"], state["index"])

    def __enter__(self):
        object.__setattr__(self, "_previous", get_default_device())
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        set_default_device(self._previous)


CPU = device("cpu")


def cpu_only(dev, what):
    """Check a device argument (None, str, device or int): None or any CPU device pass,
    anything else raises DeviceUnavailableError naming `what`."""
    if dev is None or dev is CPU:
        return
    if dev.__class__ is str and (dev == "cpu" or dev.startswith("cpu:")):
        device(dev)  # still rejects a malformed index such as "cpu:x"
        return
    parsed = dev if isinstance(dev, device) else device(dev)
    if parsed.type != "cpu":
        raise _unavailable(what, parsed)


def get_default_device():
    """The device factories use when `device=` is not given: always the CPU here."""
    return CPU


def set_default_device(dev):
    """Accepts the CPU (or None, which restores the CPU); any other device is an error."""
    cpu_only(dev, "set_default_device")


def parse_to(args, kwargs, what="to", ndim=None):
    """Read PyTorch's `to` overloads: `to(dtype, non_blocking, copy)`, `to(device, dtype,
    non_blocking, copy)`, `to(tensor, non_blocking, copy)`, plus the keywords `device`,
    `dtype`, `non_blocking`, `copy`, `memory_format` (checked against a tensor of rank
    `ndim` if given). Checks the device is the CPU; returns (dtype or None, copy)."""
    options = dict(dtype=None, device=None, non_blocking=False, copy=False, memory_format=None)
    unknown = set(kwargs) - set(options)
    if unknown:
        raise TypeError(f"{what}() got unexpected keyword arguments {sorted(unknown)}; it takes "
                        f"device, dtype, non_blocking, copy and memory_format")
    if args:
        first = args[0]
        if hasattr(first, "_data") and hasattr(first, "grad_fn"):  # a Tensor
            names = ("tensor", "non_blocking", "copy")
            options["dtype"] = first._data.dtype
        elif first is None or isinstance(first, (str, device, int, np.integer)) and \
                not isinstance(first, bool):
            names = ("device", "dtype", "non_blocking", "copy")
        else:
            names = ("dtype", "non_blocking", "copy")
        if len(args) > len(names):
            raise TypeError(f"{what}() takes at most {len(names)} positional arguments in the "
                            f"form {what}({', '.join(names)}), got {len(args)}")
        for name, value in zip(names, args):
            if name == "tensor":
                continue
            if name in kwargs:
                raise TypeError(f"{what}() got multiple values for argument {name!r}")
            options[name] = value
    for name, value in kwargs.items():
        options[name] = value
    for name in ("non_blocking", "copy"):
        if not isinstance(options[name], (bool, np.bool_)):
            raise TypeError(f"{what}(): argument {name!r} must be bool, not "
                            f"{type(options[name]).__name__}")
    check_memory_format(options["memory_format"], what, ndim)
    cpu_only(options["device"], what)
    dtype = options["dtype"]
    if dtype is not None:
        if isinstance(dtype, str) or isinstance(dtype, device):
            raise TypeError(f"{what}(): expected a dtype such as ag.float64, got {dtype!r}")
        dtype = _dtypes.to_dtype(dtype)
    return dtype, bool(options["copy"])
