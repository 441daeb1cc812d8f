"""PyTorch's legacy typed constructors (`FloatTensor(2, 3)`, `LongTensor([1, 2])`) and
`Tensor.type()`. As in PyTorch they are not subclasses of Tensor: `isinstance(x,
FloatTensor)` asks whether `x` is a float32 tensor, through the metaclass."""
import numpy as np

from . import _dtypes
from .devices import DeviceUnavailableError, cpu_only
from .size import Size
from .tensor import Tensor, array_from

_NAMES = {  # dtype -> legacy type name, as torch.Tensor.type() spells them
    _dtypes.float32: "FloatTensor", _dtypes.float64: "DoubleTensor",
    _dtypes.float16: "HalfTensor", _dtypes.bfloat16: "BFloat16Tensor", _dtypes.int64: "LongTensor", _dtypes.int32: "IntTensor",
    _dtypes.int16: "ShortTensor", _dtypes.int8: "CharTensor", _dtypes.uint8: "ByteTensor",
    _dtypes.bool_: "BoolTensor",
}


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


class tensortype(type):
    """The metaclass of the legacy constructors: calling one makes a tensor of its dtype,
    and isinstance checks the dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and not cls.is_cuda and obj._data.dtype == cls.dtype

    def __call__(cls, *args, device=None):
        name = f"{cls.__module__}.{cls.__name__}"
        if cls.is_cuda:
            raise DeviceUnavailableError(f"{name}: CUDA tensor types are not available; "
                                         f"autograd_lite runs on the CPU only")
        cpu_only(device, name)
        if not args:
            return Tensor._make(np.empty(0, cls.dtype), False, None, 0, [0, 0])
        if (len(args) == 1 and isinstance(args[0], Size)) or all(_is_int(a) for a in args):
            shape = tuple(int(s) for s in (args[0] if isinstance(args[0], Size) else args))
            if any(s < 0 for s in shape):
                raise RuntimeError(f"{name}: trying to create a tensor with negative "
                                   f"dimension: {list(shape)}")
            return Tensor._make(np.empty(shape, cls.dtype), False, None, 0, [0, 0])
        if len(args) > 1:
            raise TypeError(f"{name}(): expected integer sizes or one sequence of data, got "
                            f"{tuple(type(a).__name__ for a in args)}")
        data = args[0]
        if isinstance(data, Tensor):
            if data._data.dtype != cls.dtype:
                raise TypeError(f"{name}(): expected a tensor of dtype {cls.dtype}, got "
                                f"{data._data.dtype}; use tensor.to({cls.dtype}) to convert")
            return Tensor._make(data._data, False, None, 0, data._vc)
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"{name}(): data must be a sequence (got {type(data).__name__})")
        return Tensor._make(array_from(data, cls.dtype, copy=True), False, None, 0, [0, 0])

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _make_types(module, is_cuda):
    return {name: tensortype(name, (), {"dtype": dtype, "is_cuda": is_cuda, "__module__": module,
                                        "__doc__": f"A {dtype} tensor (legacy constructor)."})
            for dtype, name in _NAMES.items()}


TYPES = _make_types("autograd_lite", False)
CUDA_TYPES = _make_types("autograd_lite.cuda", True)


def type_from_string(text):
    """The legacy type named 'torch.FloatTensor' (or 'autograd_lite.FloatTensor',
    'torch.cuda.FloatTensor')."""
    for prefix in ("torch.", "autograd_lite."):
        if text.startswith(prefix):
            name = text[len(prefix):]
            if name in TYPES:
                return TYPES[name]
            if name.startswith("cuda.") and name[5:] in TYPES:
                return CUDA_TYPES[name[5:]]
    raise ValueError(f"invalid type: {text!r}")


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """`x.type()` is the legacy type name ('torch.FloatTensor', spelt as PyTorch's so that
    programs comparing it keep working); `x.type(ag.DoubleTensor)`, `x.type('torch.
    DoubleTensor')` or `x.type(ag.float64)` cast (returning `x` itself when the dtype is
    already right)."""
    dtype = kwargs.pop("dtype", dtype)
    if kwargs:
        raise TypeError(f"type() got unexpected keyword arguments {sorted(kwargs)}")
    if dtype is None:
        name = _NAMES.get(self._data.dtype)
        if name is None:
            raise TypeError(f"type(): no legacy type name for dtype {self._data.dtype}")
        return f"torch.{name}"
    if isinstance(dtype, str):
        dtype = type_from_string(dtype)
    if isinstance(dtype, tensortype):
        if dtype.is_cuda:
            raise DeviceUnavailableError(f"type(): {dtype.__module__}.{dtype.__name__} is not "
                                         f"available; autograd_lite runs on the CPU only")
        dtype = dtype.dtype
    return self.to(dtype)


FloatTensor = TYPES["FloatTensor"]
DoubleTensor = TYPES["DoubleTensor"]
HalfTensor = TYPES["HalfTensor"]
BFloat16Tensor = TYPES["BFloat16Tensor"]
LongTensor = TYPES["LongTensor"]
IntTensor = TYPES["IntTensor"]
ShortTensor = TYPES["ShortTensor"]
CharTensor = TYPES["CharTensor"]
ByteTensor = TYPES["ByteTensor"]
BoolTensor = TYPES["BoolTensor"]
