"""Dtypes and PyTorch's type-promotion rules, on NumPy dtypes.

NumPy's own promotion differs from PyTorch's (int64 + float32 is float64 in NumPy,
float32 in PyTorch; a 0-d float64 tensor does not promote a float32 tensor in
PyTorch), so ops ask `result_type` here instead of letting NumPy decide.
"""
import ml_dtypes
import numpy as np

dtype = np.dtype  # torch.dtype: every dtype here is a NumPy dtype (annotations, isinstance)
float16 = np.dtype("float16")
bfloat16 = np.dtype(ml_dtypes.bfloat16)  # NumPy storage from ml_dtypes; its kind is "V", not "f"
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_default_float = [float32]


def get_default_dtype():
    """The dtype Python floats become (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(dtype):
    """Set the dtype Python floats and the factories default to; float32 unless changed.
    Raises TypeError for a non-floating dtype (bfloat16 is one)."""
    dtype = to_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dtype}")
    _default_float[0] = dtype


def is_floating(dtype):
    """float16/32/64 and bfloat16 (whose NumPy kind is "V")."""
    return dtype.kind == "f" or dtype is bfloat16


def cast(array, dtype):
    """`array` as `dtype`, converting to bfloat16 as PyTorch does: through float32
    (a double is rounded to float first, then to nearest-even), every NaN becoming
    the canonical 0x7FC0."""
    if dtype is not bfloat16:
        if array.dtype is bfloat16 and dtype.kind in "iu":  # as PyTorch: through float32
            with np.errstate(invalid="ignore"):
                return array.astype(float32).astype(dtype)
        return array.astype(dtype)
    if array.dtype is bfloat16:
        return array.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        wide = array if array.dtype == float32 else array.astype(float32)
        out = wide.astype(bfloat16)
    if wide.dtype.kind == "f":
        nan = np.isnan(wide)
        if nan.any():
            out.view(np.uint16)[nan] = 0x7FC0
    return out


def _category(dtype):
    """0 bool, 1 integer, 2 floating."""
    kind = dtype.kind
    if kind == "b":
        return 0
    if kind in "iu":
        return 1
    if kind == "f" or dtype is bfloat16:
        return 2
    raise TypeError(f"unsupported dtype {dtype}")


def promote_types(a, b):
    """PyTorch's promotion of two dtypes: the higher category wins outright."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    if {a, b} == {bfloat16, float16}:  # as PyTorch (ml_dtypes < 0.7 has no common type)
        return float32
    return np.promote_types(a, b)


def can_cast(from_, to):
    """Whether PyTorch's type promotion may cast `from_` to `to`: never to a lower
    category (float to integer, integer to bool), freely within one (float64 to float32,
    int64 to int8, uint8 to int8)."""
    return _category(to_dtype(from_)) <= _category(to_dtype(to))


def _combine_categories(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if is_floating(higher):
        return higher
    if higher.kind == "b" or is_floating(lower):
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python (or NumPy) scalar takes part in promotion with."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating, ml_dtypes.bfloat16)):
        return _default_float[0]
    raise TypeError(f"unsupported scalar of type {type(value).__name__}")


def result_type(*operands):
    """The dtype of an op's result, as PyTorch decides it.

    Tensors with dimensions outrank 0-d tensors, which outrank Python scalars,
    unless a lower rank brings a higher category (bool < int < float).
    """
    dim_result = zero_result = wrapped_result = None
    for x in operands:
        dtype = getattr(x, "dtype", None)
        if dtype is not None and not isinstance(x, np.generic):
            if x.ndim:
                dim_result = promote_types(dim_result, dtype)
            else:
                zero_result = promote_types(zero_result, dtype)
        elif x is not None:
            wrapped_result = promote_types(wrapped_result, scalar_dtype(x))
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped_result))


def to_dtype(dtype):
    """Normalise a user's dtype argument (np.float32, 'float32', ag.float32...)."""
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None
