"""kernels/_numba.flat: inside a kernel, the 1-D view of a C-contiguous array, as
reshape(-1) gives it (the conv, pool and resample kernels use it in place of
Numba's reshape, which cost compile time)."""
import numba
import numpy as np
import pytest

from autograd_lite.kernels._numba import flat


@numba.njit
def _write_through(x, a, b):
    v = flat(x[a:b])
    v[0] = -1.0
    return v.size, v.shape[0], v.strides[0], v.sum()


@numba.njit
def _flat_copy(x):
    return flat(x).copy()


@pytest.mark.parametrize("shape", [(2, 3, 4), (5,), (1, 1, 1, 7), (3, 0, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_flat_is_reshape_minus_one(shape, dtype):
    x = np.arange(int(np.prod(shape))).astype(dtype).reshape(shape)
    np.testing.assert_array_equal(_flat_copy(x), x.reshape(-1))


def test_flat_of_a_slice_is_a_view():
    x = np.arange(24.0).reshape(2, 3, 4)
    size, length, stride, total = _write_through(x, 1, 2)
    assert (size, length, stride) == (12, 12, 8)
    assert x[1, 0, 0] == -1.0 and total == x[1].sum()


def test_flat_refuses_arrays_that_are_not_c_contiguous():
    with pytest.raises(numba.core.errors.TypingError):
        _flat_copy(np.zeros((4, 4))[:, ::2])
    with pytest.raises(numba.core.errors.TypingError):
        _flat_copy(np.zeros((4, 3)).T)
