"""F.pad (constant, reflect, replicate, circular) and F.interpolate (nearest,
nearest-exact) against PyTorch, with gradcheck/gradgradcheck and errors."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.nn.functional as F
from helpers import compare, gradcheck, randn


def _pad(pad, **kw):
    return lambda lib, x: lib.nn.functional.pad(x, pad, **kw)


@pytest.mark.parametrize("xs,pad,kw", [
    ((2, 3, 4, 5), (1, 2, 0, 3), {}),
    ((2, 3, 4, 5), (1, -2, 2, -1, 1, 0), dict(value=2.5)),
    ((2, 3, 4, 5), (2, 2), dict(mode="constant", value=-1.0)),
    ((4, 5), (1, 1, 2, 2), {}),
])
def test_constant_pad_matches_torch(xs, pad, kw):
    compare(_pad(pad, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("xs,pad", [((2, 3, 4, 5), (1, 2, 3, 0)), ((2, 3, 5), (4, 2)), ((3, 5), (4, 2)),
                                    ((3, 4, 5), (2, 1, 1, 3))])
def test_index_pad_matches_torch(xs, pad, mode):
    compare(_pad(pad, mode=mode), randn(*xs, seed=0))


def test_pad_gradcheck():
    x = randn(1, 2, 4, 5, seed=1)
    gradcheck(lambda t: F.pad(t, (1, -1, 2, 0), value=0.5), x, second_order=True)
    for mode in ("reflect", "replicate", "circular"):
        gradcheck(lambda t: F.pad(t, (3, 1, 2, 2), mode=mode), x, second_order=True)


def test_pad_keeps_integer_dtypes():
    out = F.pad(ag.arange(6).reshape(2, 3), (1, 1), value=7)
    assert out.dtype == np.int64 and out.tolist() == [[7, 0, 1, 2, 7], [7, 3, 4, 5, 7]]


def test_pad_errors_are_clear():
    x = ag.randn(1, 2, 3, 3)
    with pytest.raises(ValueError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(x, (3, 3, 0, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input"):
        F.pad(x, (1, 1), mode="reflect")
    with pytest.raises(ValueError, match="divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(NotImplementedError, match="mode 'edge'"):
        F.pad(x, (1, 1), mode="edge")
    with pytest.raises(RuntimeError, match="negative output size"):
        F.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="doesn't take in value"):
        F.pad(x, (1, 1), mode="replicate", value=1.0)
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D"):
        F.pad(ag.randn(3), (1, 1), mode="reflect")


def _interp(**kw):
    return lambda lib, x: lib.nn.functional.interpolate(x, **kw)


@pytest.mark.parametrize("xs,kw", [
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((2, 3, 4, 5), dict(size=(7, 3))),
    ((2, 3, 4, 5), dict(scale_factor=(1.7, 0.6))),
    ((2, 3, 7, 5), dict(scale_factor=(1.3, 2.9), recompute_scale_factor=True)),
    ((2, 3, 7, 5), dict(size=(13, 11), mode="nearest-exact")),
    ((2, 3, 7, 5), dict(scale_factor=0.5, mode="nearest-exact")),
    ((2, 3, 7), dict(size=13)),
    ((2, 3, 7), dict(scale_factor=3.3)),
    ((1, 1, 8, 8), dict(size=(8, 8))),
    # edges where torch's 2-D kernel (float32, size kept/doubled copied) and 1-D kernel differ
    ((1, 2, 2, 20), dict(scale_factor=(2.2, 3.13))),
    ((1, 2, 3, 2), dict(scale_factor=(1.021, 4.481))),
    ((1, 1, 4, 17), dict(size=(41, 32), mode="nearest-exact")),
])
def test_interpolate_nearest_matches_torch(xs, kw):
    compare(_interp(**kw), randn(*xs, seed=0))


@pytest.mark.parametrize("xs,kw", [((1, 2, 2), dict(scale_factor=2.2)), ((1, 2, 5), dict(scale_factor=1.1)),
                                   ((1, 2, 12), dict(size=37, mode="nearest-exact"))])
def test_interpolate_1d_size_kept_or_doubled(xs, kw):
    """torch's 1-D forward computes these indices in the input's dtype without the
    size-kept/doubled shortcut, but its backward uses float32 and the shortcut, so its
    gradient is not that of its forward. We match the forward and give the forward's
    true gradient (checked numerically)."""
    compare(_interp(**kw), randn(*xs, seed=0), grad=False)
    gradcheck(lambda t: F.interpolate(t, **kw), randn(*xs, seed=1))


def test_interpolate_gradcheck():
    gradcheck(lambda t: F.interpolate(t, size=(5, 7)), randn(1, 2, 3, 4, seed=1), second_order=True)
    gradcheck(lambda t: F.interpolate(t, scale_factor=0.6), randn(1, 2, 7, seed=2), second_order=True)


def test_interpolate_errors_are_clear():
    x = ag.randn(1, 2, 3, 3)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(NotImplementedError, match="mode 'bilinear' is not implemented"):
        F.interpolate(x, scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(RuntimeError, match="interpolate: expected 3-D"):
        F.interpolate(ag.randn(2, 3), size=4)
