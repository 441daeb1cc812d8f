"""`finfo` and `iinfo`: a dtype's numeric limits, as PyTorch's (Python numbers, the
dtype by name), read from NumPy (and ml_dtypes for bfloat16)."""
import ml_dtypes
import numpy as np

from . import _dtypes


def _name(dtype):
    return "bfloat16" if dtype is _dtypes.bfloat16 else dtype.name


class finfo:
    """The limits of a floating dtype (the default dtype when none is given): `bits`,
    `eps`, `max`, `min`, `tiny` (= `smallest_normal`), `resolution` as Python numbers,
    `dtype` its name. Raises TypeError for a non-floating dtype, as PyTorch."""

    def __init__(self, type=None):
        dtype = _dtypes.get_default_dtype() if type is None else _dtypes.to_dtype(type)
        if not _dtypes.is_floating(dtype):
            raise TypeError("finfo() requires a floating point input type. Use iinfo to handle "
                            f"'finfo' (got {_name(dtype)})")
        info = ml_dtypes.finfo(dtype) if dtype is _dtypes.bfloat16 else np.finfo(dtype)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # as PyTorch: exactly 1e-06, not float32(1e-06)
        self.dtype = _name(dtype)

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype: `bits`, `min`, `max` as Python ints, `dtype` its
    name. Raises TypeError for a floating dtype or bool, as PyTorch."""

    def __init__(self, type):
        dtype = _dtypes.to_dtype(type)
        if dtype == np.bool_:
            raise TypeError("bool is not supported by iinfo")
        if dtype.kind not in "iu":
            raise TypeError("iinfo() requires an integer input type. Use finfo to handle "
                            f"'iinfo' (got {_name(dtype)})")
        info = np.iinfo(dtype)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = dtype.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
