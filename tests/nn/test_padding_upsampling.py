"""F.pad and F.interpolate beyond the op table's generic tests
(tests/ops/test_op_table.py: every mode's values, gradients, gradcheck and
gradgradcheck): the edges of PyTorch's index arithmetic for interpolate (sizes kept
or doubled, fused multiply-adds, float32 coordinates) over grids of sizes, the
padding and upsampling modules, and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from helpers import compare, gradcheck, randn


@pytest.mark.parametrize("make,x", [
    (lambda nn: nn.ReflectionPad3d(1), randn(2, 3, 3, 4, 5, seed=0)),
    (lambda nn: nn.ReflectionPad3d((1, 2, 0, 3, 2, 1)), randn(2, 3, 3, 4, 5, seed=0)),
    (lambda nn: nn.ReplicationPad3d((3, 0, 1, 2, 4, 1)), randn(2, 3, 3, 4, 5, seed=0)),
    (lambda nn: nn.CircularPad3d(2), randn(3, 3, 4, 5, seed=0)),
    (lambda nn: nn.ConstantPad3d((1, 0, 2, 1, 0, 3), 1.5), randn(2, 3, 3, 4, 5, seed=0)),
    (lambda nn: nn.ZeroPad3d(1), randn(2, 3, 3, 4, 5, seed=0)),
])
def test_pad_3d_modules_match_torch(make, x):
    compare(lambda lib, t: make(lib.nn)(t), x)
    assert repr(make(ag.nn)) == repr(make(torch.nn))


def test_pad_3d_errors_are_clear():
    """PyTorch raises RuntimeError for these; ours are also ValueErrors."""
    x = ag.randn(1, 2, 2, 3, 4)
    for pad, where in [((4, 0, 0, 0, 0, 0), r"padding \(4, 0\) at dimension 4"),
                       ((0, 0, 3, 0, 0, 0), r"padding \(3, 0\) at dimension 3"),
                       ((0, 0, 0, 0, 0, 2), r"padding \(0, 2\) at dimension 2")]:
        for err in (RuntimeError, ValueError):
            with pytest.raises(err, match="Padding size should be less than the corresponding input dimension, "
                                          "but got: " + where):
                F.pad(x, pad, mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (0, 0, 0, 0, 3, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Padding size 6 is not supported for 3D input"):
        F.pad(ag.randn(2, 3, 4), (1, 1, 1, 1, 1, 1), mode="replicate")
    with pytest.raises(NotImplementedError, match="Padding size 4 is not supported for 5D input"):
        F.pad(x, (1, 1, 1, 1), mode="reflect")
    with pytest.raises(ValueError, match="expected padding to be an int or 6 ints"):
        ag.nn.ReflectionPad3d((1, 1, 1, 1))


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
                                   ((1, 2, 12), dict(size=37, mode="nearest-exact")),
                                   # a tie that only the fused multiply-add rounds up (float32)
                                   ((1, 2, 2), dict(size=41, mode="nearest-exact"))])
def test_interpolate_1d_size_kept_or_doubled(xs, kw):
    """torch's 1-D forward computes these indices in the input's dtype without the
    size-kept/doubled shortcut, but its backward uses float32 and the shortcut, so its
    gradient is not that of its forward. We match the forward and give the forward's
    true gradient (checked numerically)."""
    compare(_interp(**kw), randn(*xs, seed=0), grad=False)
    gradcheck(lambda t: F.interpolate(t, **kw), randn(*xs, seed=1))


def test_interpolate_errors_are_clear():
    x = ag.randn(1, 2, 3, 3)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(NotImplementedError, match="mode 'lanczos' is not implemented"):
        F.interpolate(x, scale_factor=2, mode="lanczos")
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(RuntimeError, match="interpolate: expected 3-D"):
        F.interpolate(ag.randn(2, 3), size=4)


_SIZES_1D = [
    ((2, 3, 7), dict(size=13)),
    ((2, 3, 7), dict(size=4)),
    ((2, 3, 7), dict(scale_factor=1.7)),
    ((2, 3, 7), dict(scale_factor=0.6)),
    ((2, 3, 7), dict(scale_factor=0.6, recompute_scale_factor=True)),
    ((2, 3, 7), dict(scale_factor=2.9, recompute_scale_factor=False)),
    ((2, 3, 7), dict(size=1)),
    ((2, 3, 1), dict(size=5)),
    ((2, 3, 1), dict(scale_factor=3.5)),
    ((1, 2, 33), dict(size=18)),  # a coordinate where PyTorch's fused multiply-add rounds differently
    ((1, 2, 5), dict(scale_factor=1.1)),  # size kept: PyTorch copies, ignoring the scale
]
_SIZES_2D = [
    ((2, 3, 4, 5), dict(size=(7, 3))),
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((2, 3, 4, 5), dict(scale_factor=(1.7, 0.6))),
    ((2, 3, 7, 5), dict(scale_factor=(1.7, 0.6), recompute_scale_factor=True)),
    ((2, 3, 7, 5), dict(scale_factor=(1.3, 2.9), recompute_scale_factor=False)),
    ((1, 2, 5, 6), dict(size=1)),
    ((1, 2, 1, 1), dict(size=(3, 4))),
    ((1, 2, 1, 6), dict(scale_factor=(2.5, 0.5))),
    ((1, 1, 8, 8), dict(size=(8, 8))),
    ((1, 2, 5, 10), dict(scale_factor=1.1)),  # H kept (copied), W resized with scale 1 / 1.1
    ((1, 1, 33, 9), dict(size=(18, 40))),
]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("xs,kw", _SIZES_1D)
def test_interpolate_linear_matches_torch(xs, kw, align_corners):
    compare(_interp(mode="linear", align_corners=align_corners, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("xs,kw", _SIZES_2D)
def test_interpolate_bilinear_matches_torch(xs, kw, align_corners):
    compare(_interp(mode="bilinear", align_corners=align_corners, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("xs,kw", _SIZES_2D)
def test_interpolate_bicubic_matches_torch(xs, kw, align_corners):
    """Never a copy, not even of a kept size (PyTorch's bicubic has no such shortcut)."""
    compare(_interp(mode="bicubic", align_corners=align_corners, **kw), randn(*xs, seed=0))


_SIZES_3D = [
    ((2, 2, 3, 4, 5), dict(size=(5, 3, 7))),
    ((1, 2, 3, 4, 5), dict(scale_factor=2)),
    ((1, 2, 5, 4, 6), dict(scale_factor=(1.1, 1.2, 1.7))),  # D and H kept (copied), W resized
    ((1, 2, 5, 4, 6), dict(scale_factor=(1.1, 1.1, 1.0))),  # every size kept: a copy
    ((1, 2, 5, 4, 6), dict(scale_factor=(1.7, 0.6, 1.3), recompute_scale_factor=True)),
    ((1, 2, 3, 1, 2), dict(size=(1, 4, 1))),
    ((1, 1, 9, 2, 33), dict(size=(4, 3, 18))),
]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("xs,kw", _SIZES_3D)
def test_interpolate_trilinear_matches_torch(xs, kw, align_corners):
    compare(_interp(mode="trilinear", align_corners=align_corners, **kw), randn(*xs, seed=0))


_SIZES_3D_NEAREST = [
    ((2, 2, 3, 4, 5), dict(size=(5, 3, 7))),
    ((1, 2, 3, 4, 5), dict(scale_factor=2)),
    ((1, 2, 5, 4, 6), dict(scale_factor=(1.7, 0.6, 1.3), recompute_scale_factor=True)),
    ((1, 2, 3, 1, 2), dict(size=(1, 4, 1))),
    ((1, 1, 9, 2, 33), dict(size=(4, 3, 18))),
    ((1, 2, 7, 6, 5), dict(size=(3, 2, 2))),
]


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "area"])
@pytest.mark.parametrize("xs,kw", _SIZES_3D_NEAREST)
def test_interpolate_5d_nearest_and_area_match_torch(xs, kw, mode):
    compare(_interp(mode=mode, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_interpolate_5d_nearest_values_are_torchs_where_its_gradient_is_not(mode):
    """Two cases where PyTorch's 3-D nearest backward picks other source pixels than its
    forward (its own gradcheck fails): a size kept under a scale_factor other than 1,
    and 2 -> 41 (ties). Ours has PyTorch's values and the derivative of them."""
    cases = [(randn(1, 2, 5, 4, 6, seed=0), dict(scale_factor=(1.1, 1.2, 1.7))),
             (randn(1, 1, 2, 3, 2, seed=1), dict(size=(41, 37, 23)))]
    for x, kw in cases:
        compare(_interp(mode=mode, **kw), x, grad=False)
        gradcheck(lambda t: F.interpolate(t, mode=mode, **kw), x)
    x, kw = cases[0]
    assert not torch.autograd.gradcheck(lambda t: torch.nn.functional.interpolate(t, mode="nearest", **kw),
                                        torch.tensor(x, requires_grad=True), raise_exception=False)


@pytest.mark.parametrize("make,x", [
    (lambda nn: nn.Upsample(scale_factor=2), randn(2, 3, 2, 4, 3, seed=0)),
    (lambda nn: nn.Upsample(scale_factor=1.7, mode="bicubic"), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(size=(3, 9), mode="bicubic", align_corners=True), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(scale_factor=(2, 1.5, 0.5), mode="trilinear"), randn(2, 3, 2, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(size=4, mode="trilinear", align_corners=True), randn(1, 2, 2, 3, 5, seed=0)),
])
def test_upsample_bicubic_and_trilinear_modules_match_torch(make, x):
    compare(lambda lib, t: make(lib.nn)(t), x)
    assert repr(make(ag.nn)) == repr(make(torch.nn))


_SIZES_AA = [
    ((2, 3, 9, 12), dict(size=(4, 5))),
    ((2, 3, 9, 12), dict(scale_factor=0.37)),
    ((2, 3, 4, 5), dict(size=(7, 9))),  # up: the plain filter, normalised over the taps inside
    ((1, 2, 17, 13), dict(size=(5, 13))),  # W kept: copied
    ((1, 2, 33, 9), dict(size=(18, 40))),
    ((1, 2, 7, 8), dict(size=(1, 1))),
    ((1, 2, 10, 10), dict(scale_factor=(0.3, 0.5), recompute_scale_factor=True)),
    ((1, 1, 64, 3), dict(size=(5, 2))),
]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("xs,kw", _SIZES_AA)
def test_interpolate_antialias_matches_torch(xs, kw, align_corners, mode):
    compare(_interp(mode=mode, align_corners=align_corners, antialias=True, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_interpolate_antialias_kept_size_under_a_scale_is_a_copy_both_ways(mode):
    """H keeps its 6 rows under scale 1.1: PyTorch's forward copies them, but its
    backward resamples them with scale 1 / 1.1 (torch's own gradcheck fails there).
    Ours copies both ways: the values are PyTorch's, the gradient is the derivative."""
    x = randn(1, 2, 6, 9, seed=0)
    compare(_interp(mode=mode, scale_factor=(1.1, 0.5), antialias=True), x, grad=False)
    gradcheck(lambda t: F.interpolate(t, scale_factor=(1.1, 0.5), mode=mode, antialias=True), x,
              second_order=True)
    tt = torch.tensor(x, requires_grad=True)
    assert not torch.autograd.gradcheck(
        lambda t: torch.nn.functional.interpolate(t, scale_factor=(1.1, 0.5), mode=mode, antialias=True), tt,
        raise_exception=False)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_interpolate_antialias_bfloat16_is_float32_rounded_once(mode):
    """PyTorch refuses bfloat16 antialiasing; ours resizes in float32 and rounds once."""
    x = ag.tensor(randn(1, 2, 9, 7, seed=2)).bfloat16()
    y = F.interpolate(x, size=(4, 3), mode=mode, antialias=True)
    assert y.dtype == ag.bfloat16
    want = F.interpolate(x.float(), size=(4, 3), mode=mode, antialias=True).bfloat16()
    assert np.array_equal(y.float().numpy(), want.float().numpy())


def test_interpolate_linear_align_corners_defaults_to_false():
    compare(_interp(mode="linear", scale_factor=1.7), randn(2, 3, 7, seed=0))
    compare(_interp(mode="bilinear", size=(3, 8)), randn(2, 3, 5, 4, seed=0))
    x = ag.tensor(randn(1, 2, 5, 4, seed=1))
    assert np.array_equal(F.interpolate(x, size=(3, 8), mode="bilinear")._data,
                          F.interpolate(x, size=(3, 8), mode="bilinear", align_corners=False)._data)


@pytest.mark.skipif(torch.backends.cpu.get_cpu_capability() == "DEFAULT",
                    reason="PyTorch's non-vectorised build may not fuse the coordinate's multiply-add")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolate_linear_weights_are_torchs_bit_for_bit(dtype):
    """On 0, 1, 0, 1, ... each output is one of its two weights, exactly: the
    coordinate is in the input's dtype, fused-multiply-added and floored as a float32."""
    for n_in in range(1, 24):
        x = (np.arange(n_in) % 2).astype(dtype)[None, None]
        for n_out in range(1, 50):
            for ac in (False, True):
                t = torch.nn.functional.interpolate(torch.tensor(x), size=n_out, mode="linear", align_corners=ac)
                a = F.interpolate(ag.tensor(x), size=n_out, mode="linear", align_corners=ac)
                assert np.array_equal(a._data, t.numpy()), (n_in, n_out, ac)
        for sf in (0.3, 0.7, 1.3, 2.2, 5.1):
            if int(n_in * sf) >= 1:
                t = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=sf, mode="linear")
                assert np.array_equal(F.interpolate(ag.tensor(x), scale_factor=sf, mode="linear")._data,
                                      t.numpy()), (n_in, sf)


def test_interpolate_linear_kept_size_is_a_copy():
    x = ag.tensor(randn(1, 2, 3, 4, seed=1), requires_grad=True)
    y = F.interpolate(x, size=(3, 4), mode="bilinear")
    assert y is not x and not np.shares_memory(y._data, x._data) and np.array_equal(y._data, x._data)
    y.sum().backward()
    assert np.array_equal(x.grad._data, np.ones((1, 2, 3, 4)))


@pytest.mark.parametrize("make,x", [
    (lambda nn: nn.Upsample(scale_factor=1.7, mode="bilinear"), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(size=(3, 9), mode="bilinear", align_corners=True), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(scale_factor=0.6, mode="linear", recompute_scale_factor=True), randn(2, 3, 7, seed=0)),
    (lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.UpsamplingBilinear2d(size=(7, 3)), randn(2, 3, 4, 5, seed=0)),
])
def test_upsample_linear_modules_match_torch(make, x):
    compare(lambda lib, t: make(lib.nn)(t), x)
    assert repr(make(ag.nn)) == repr(make(torch.nn))


def test_interpolate_linear_errors_are_clear():
    x3, x4 = ag.randn(1, 2, 5), ag.randn(1, 2, 3, 3)
    with pytest.raises(NotImplementedError, match=r"mode 'bilinear' needs 4-D \(N, C, H, W\) input"):
        F.interpolate(x3, size=4, mode="bilinear")
    with pytest.raises(NotImplementedError, match=r"got 4-D input .* mode 'linear' needs 3-D \(N, C, L\)"):
        F.interpolate(x4, size=4, mode="linear")
    with pytest.raises(NotImplementedError, match="got 5-D input"):
        F.interpolate(ag.randn(1, 1, 2, 2, 2), size=4, mode="bilinear")
    with pytest.raises(NotImplementedError, match="got 2-D input"):
        ag.nn.Upsample(scale_factor=2, mode="linear")(ag.randn(2, 5))
    with pytest.raises(NotImplementedError, match=r"got 4-D input .* mode 'trilinear' needs 5-D \(N, C, D, H, W\)"):
        F.interpolate(x4, size=4, mode="trilinear")
    with pytest.raises(NotImplementedError, match=r"got 5-D input .* mode 'bicubic' needs 4-D"):
        F.interpolate(ag.randn(1, 1, 2, 2, 2), size=4, mode="bicubic")
    with pytest.raises(ValueError, match="anti-alias option is only supported"):
        F.interpolate(ag.randn(1, 1, 2, 2, 2), size=4, mode="trilinear", antialias=True)
    with pytest.raises(ValueError, match="anti-alias option is only supported"):
        F.interpolate(x3, size=4, mode="linear", antialias=True)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x4, size=4, align_corners=False)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x4, size=(2, 3, 4), mode="bilinear")
    with pytest.raises(TypeError, match="float32, float64 or bfloat16"):
        F.interpolate(ag.arange(6).reshape(1, 1, 6), size=4, mode="linear")
    with pytest.raises(RuntimeError, match="must be positive"):
        F.interpolate(x3, scale_factor=0.1, mode="linear")


_AREA_SIZES = [
    ((2, 3, 17), dict(size=5)),  # down, windows of unequal (overlapping) lengths
    ((2, 3, 4), dict(size=11)),  # up
    ((2, 3, 6), dict(scale_factor=0.29)),  # floor(6 * 0.29) = 1
    ((1, 2, 17, 13), dict(size=(5, 4))),
    ((1, 2, 3, 4), dict(size=(7, 9))),
    ((1, 2, 9, 6), dict(size=(4, 13))),  # down in H, up in W
    ((1, 2, 8, 8), dict(size=4)),  # divisible: plain 2x2 averages
    ((1, 2, 7, 5), dict(scale_factor=(0.45, 1.9))),
]


@pytest.mark.parametrize("xs,kw", _SIZES_1D + _SIZES_2D + _AREA_SIZES)
def test_interpolate_area_matches_torch(xs, kw):
    compare(_interp(mode="area", **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("xs,kw", [((1, 2, 7, 5), dict(size=(3, 4))), ((2, 3, 11), dict(size=4))])
def test_interpolate_area_is_adaptive_avg_pool(xs, kw):
    x = ag.tensor(randn(*xs, seed=3))
    pool = F.adaptive_avg_pool1d if len(xs) == 3 else F.adaptive_avg_pool2d
    assert np.array_equal(F.interpolate(x, mode="area", **kw)._data, pool(x, kw["size"])._data)


def test_interpolate_area_scale_factor_always_recomputes_the_size():
    """PyTorch forces recompute_scale_factor=True for 'area': the size is
    floor(in * scale_factor) whatever is passed."""
    x = ag.tensor(randn(1, 2, 7, 5, seed=0))
    for rsf in (None, False, True):
        y = F.interpolate(x, scale_factor=(1.5, 0.7), mode="area", recompute_scale_factor=rsf)
        assert y.shape == (1, 2, 10, 3)
        assert np.array_equal(y._data, F.adaptive_avg_pool2d(x, (10, 3))._data)


@pytest.mark.parametrize("make,x", [
    (lambda nn: nn.Upsample(scale_factor=0.5, mode="area"), randn(2, 3, 7, 5, seed=0)),
    (lambda nn: nn.Upsample(size=(3, 9), mode="area"), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(scale_factor=(0.6, 1.5), mode="area"), randn(2, 3, 4, 5, seed=0)),
    (lambda nn: nn.Upsample(size=4, mode="area"), randn(2, 3, 9, seed=0)),
])
def test_upsample_area_module_matches_torch(make, x):
    compare(lambda lib, t: make(lib.nn)(t), x)
    assert repr(make(ag.nn)) == repr(make(torch.nn))


def test_interpolate_area_errors_are_clear():
    x = ag.randn(1, 2, 5, 5)
    for ac in (False, True):
        with pytest.raises(ValueError, match="align_corners option can only be set"):
            F.interpolate(x, size=3, mode="area", align_corners=ac)
    with pytest.raises(ValueError, match="anti-alias option is only supported"):
        F.interpolate(x, size=3, mode="area", antialias=True)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        F.interpolate(x, size=3, mode="area", recompute_scale_factor=True)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 3, 4), mode="area")
    with pytest.raises(RuntimeError, match=r"interpolate: expected 3-D .* or 5-D .* got shape \(2, 5\)"):
        F.interpolate(ag.randn(2, 5), size=3, mode="area")
    with pytest.raises(RuntimeError, match=r"interpolate: expected 3-D .* got shape \(1, 1, 1, 2, 2, 2\)"):
        F.interpolate(ag.randn(1, 1, 1, 2, 2, 2), size=3, mode="nearest")
    with pytest.raises(TypeError, match="float32, float64 or bfloat16"):
        F.interpolate(ag.arange(6).reshape(1, 1, 6), size=4, mode="area")
