"""grid_sample and affine_grid beyond the op table's generic tests
(tests/ops/test_op_table.py: values, gradients, gradcheck and gradgradcheck of every
mode): second derivatives against PyTorch's, align_corners=None, bfloat16, unit-size
grids, a spatial transformer end to end, and errors."""
import itertools
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd_lite as ag
import autograd_lite.nn.functional as F

MODES_2D = list(itertools.product(("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection"),
                                  (False, True)))


def _pair(arr, grad=True):
    return ag.tensor(arr, requires_grad=grad), torch.tensor(arr, requires_grad=grad)


@pytest.mark.parametrize("mode,padding,align", MODES_2D, ids=[f"{m}-{p}-{a}" for m, p, a in MODES_2D])
def test_second_derivatives_match_torch(mode, padding, align):
    """PyTorch differentiates grid_sample's backward (GridSampler2DBackwardBackward0 and
    its 3-D twin): ours gives the same second derivatives, 4-D and 5-D."""
    rng = np.random.default_rng(7)
    results = []
    for nd in ((2, 3) if mode != "bicubic" else (2,)):
        x_shape, g_shape = ((2, 3, 4, 5), (2, 3, 4, 2)) if nd == 2 else ((2, 2, 3, 4, 3), (2, 2, 3, 2, 3))
        x = rng.standard_normal(x_shape)
        grid = rng.uniform(-1.3, 1.3, g_shape)
        w = rng.standard_normal(x_shape[:2] + g_shape[1:-1])
        u, v = rng.standard_normal(x_shape), rng.standard_normal(g_shape)
        for lib, fn in ((ag, F.grid_sample), (torch, TF.grid_sample)):
            xt, gt = (ag.tensor(x, requires_grad=True), ag.tensor(grid, requires_grad=True)) if lib is ag else \
                (torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True))
            wt = lib.tensor(w, requires_grad=True)
            y = fn(xt, gt, mode, padding, align)
            gx, gg = lib.autograd.grad((y * wt).sum(), (xt, gt), create_graph=True)
            second = (gx * lib.tensor(u)).sum() + (gg * lib.tensor(v)).sum()
            if not second.requires_grad:
                results.append(None)
                continue
            grads = lib.autograd.grad(second, (xt, gt, wt), allow_unused=True)
            results.append([None if g is None else g.detach().numpy() for g in grads])
    for ours, theirs in zip(results[0::2], results[1::2]):
        assert (ours is None) == (theirs is None)
        if ours is None:
            continue
        for a, t in zip(ours, theirs):
            if t is None or a is None:  # one library leaves out a gradient that is zero
                assert not np.any(a if a is not None else t)
                continue
            np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-10)


def test_nearest_gives_the_grid_a_zero_gradient():
    x, xt = _pair(np.random.default_rng(0).standard_normal((1, 2, 3, 3)))
    g, gt = _pair(np.random.default_rng(1).uniform(-1, 1, (1, 2, 2, 2)))
    F.grid_sample(x, g, "nearest", align_corners=False).sum().backward()
    TF.grid_sample(xt, gt, "nearest", align_corners=False).sum().backward()
    assert g.grad is not None and not np.any(g.grad.numpy()) and not gt.grad.any()


def test_align_corners_none_warns_and_means_false():
    rng = np.random.default_rng(2)
    x, grid, theta = ag.tensor(rng.standard_normal((1, 2, 3, 4))), ag.tensor(rng.uniform(-1, 1, (1, 3, 2, 2))), \
        ag.tensor(rng.standard_normal((1, 2, 3)))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        y = F.grid_sample(x, grid)
    np.testing.assert_array_equal(y.numpy(), F.grid_sample(x, grid, align_corners=False).numpy())
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        a = F.affine_grid(theta, (1, 2, 3, 4))
    np.testing.assert_array_equal(a.numpy(), F.affine_grid(theta, (1, 2, 3, 4), align_corners=False).numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(x, grid, align_corners=True)


@pytest.mark.parametrize("size,align", [((2, 3, 1, 4), False), ((2, 3, 1, 4), True), ((2, 1, 3, 1), False),
                                        ((2, 1, 1, 3, 1), False), ((2, 2, 2, 1, 3), True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_affine_grid_unit_sizes_match_torch(size, align, dtype):
    k = len(size) - 2
    theta = np.random.default_rng(3).standard_normal((2, k, k + 1)).astype(dtype)
    a, t = _pair(theta)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = F.affine_grid(a, size, align), TF.affine_grid(t, size, align)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)
    w = np.random.default_rng(4).standard_normal(tuple(theirs.shape)).astype(dtype)
    (ours * ag.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_affine_grid_unit_size_with_align_corners_warns():
    with pytest.warns(UserWarning, match="unit-size grids"):
        F.affine_grid(ag.zeros(1, 2, 3), (1, 1, 1, 4), align_corners=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_spatial_transformer_matches_torch(dtype):
    rng = np.random.default_rng(5)
    x, xt = _pair(rng.standard_normal((2, 3, 6, 7)).astype(dtype))
    th, tht = _pair((np.eye(2, 3) + 0.2 * rng.standard_normal((2, 2, 3))).astype(dtype))
    ours = F.grid_sample(x, F.affine_grid(th, (2, 3, 5, 4), False), "bilinear", "border", False)
    theirs = TF.grid_sample(xt, TF.affine_grid(tht, (2, 3, 5, 4), False), "bilinear", "border", False)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)
    (ours ** 2).sum().backward()
    (theirs ** 2).sum().backward()
    np.testing.assert_allclose(th.grad.numpy(), tht.grad.numpy(), **tol)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), **tol)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_bfloat16_computes_in_float32(mode):
    """bfloat16 input and grid are sampled in float32 and rounded once (PyTorch rounds the
    unnormalised coordinates to bfloat16 first: its answer is up to a pixel-step
    fraction off float32's, so the comparison is with float32's on the same values)."""
    rng = np.random.default_rng(6)
    x = ag.tensor(rng.standard_normal((2, 3, 5, 4)).astype(np.float32)).bfloat16()
    grid = ag.tensor(rng.uniform(-1.2, 1.2, (2, 3, 4, 2)).astype(np.float32)).bfloat16()
    ours = F.grid_sample(x, grid, mode, "zeros", False)
    assert ours.dtype == ag.bfloat16
    want = TF.grid_sample(torch.tensor(x.float().numpy()), torch.tensor(grid.float().numpy()), mode, "zeros",
                          False).to(torch.bfloat16).float().numpy()
    np.testing.assert_allclose(ours.float().numpy(), want, rtol=2 ** -8, atol=1e-6)  # a rounding apart


def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def test_grid_sample_errors_are_clear():
    x, grid = ag.randn(1, 2, 3, 4), ag.rand(1, 5, 2, 2)
    _raises(ValueError, "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'linear'",
            F.grid_sample, x, grid, mode="linear", align_corners=False)
    _raises(ValueError, "expected padding_mode to be 'zeros', 'border', or 'reflection', but got: 'edge'",
            F.grid_sample, x, grid, padding_mode="edge", align_corners=False)
    _raises(TypeError, r"input float32 and grid float64", F.grid_sample, x, grid.double(), align_corners=False)
    _raises(TypeError, r"floating dtype", F.grid_sample, x.long(), grid.long(), align_corners=False)
    _raises(RuntimeError, r"size 2 in last dimension, but got grid with sizes \[1, 5, 2, 3\]",
            F.grid_sample, x, ag.rand(1, 5, 2, 3), align_corners=False)
    _raises(RuntimeError, r"same batch size, but got input with sizes \[1, 2, 3, 4\] and grid with sizes "
            r"\[2, 5, 2, 2\]", F.grid_sample, x, ag.rand(2, 5, 2, 2), align_corners=False)
    _raises(RuntimeError, r"4D or 5D input and grid with same number of dimensions",
            F.grid_sample, x[0], grid[0], align_corners=False)
    _raises(RuntimeError, r"4D or 5D input and grid with same number of dimensions",
            F.grid_sample, x, ag.rand(1, 5, 2, 2, 2), align_corners=False)
    _raises(RuntimeError, r"non-empty spatial dimensions, but input has sizes \[1, 2, 0, 4\] with dimension 2",
            F.grid_sample, ag.randn(1, 2, 0, 4), grid, align_corners=False)
    _raises(RuntimeError, "bicubic interpolation only supports 4D input",
            F.grid_sample, ag.randn(1, 2, 3, 3, 3), ag.rand(1, 2, 2, 2, 3), mode="bicubic", align_corners=False)
    _raises(TypeError, "expected Tensors", F.grid_sample, x.numpy(), grid, align_corners=False)


def test_affine_grid_errors_are_clear():
    _raises(ValueError, r"shape Nx2x3 for size \(2, 3, 4, 5\). Got \(2, 3, 3\)",
            F.affine_grid, ag.rand(2, 3, 3), (2, 3, 4, 5), align_corners=False)
    _raises(ValueError, r"shape Nx3x4 for size \(2, 3, 4, 5, 2\). Got \(2, 2, 3\)",
            F.affine_grid, ag.rand(2, 2, 3), (2, 3, 4, 5, 2), align_corners=False)
    _raises(NotImplementedError, r"only supports 4D and 5D sizes.*Got size \(2, 3, 4\)",
            F.affine_grid, ag.rand(2, 2, 3), (2, 3, 4), align_corners=False)
    _raises(ValueError, "Expected theta to have floating point type, but got int64",
            F.affine_grid, ag.zeros(2, 2, 3, dtype=ag.int64), (2, 3, 4, 5), align_corners=False)
    _raises(RuntimeError, r"theta holds 2 matrices but size \(3, 3, 4, 5\) asks for a batch of 3",
            F.affine_grid, ag.rand(2, 2, 3), (3, 3, 4, 5), align_corners=False)
    _raises(ValueError, r"non-zero, positive output size. Got \(2, 3, 0, 5\)",
            F.affine_grid, ag.rand(2, 2, 3), (2, 3, 0, 5), align_corners=False)


@pytest.mark.parametrize("ndim", [4, 5])
def test_nearest_rounds_half_to_even(ndim):
    """Positions exactly between two pixels round to the even one, as C's nearbyint
    (align_corners=True on 5 pixels maps these coordinates to positions k / 2 + 0.5:
    every other one a tie, all exact in binary)."""
    shape = (1, 2) + (5,) * (ndim - 2)
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    c = (np.arange(-4, 5) + 0.5) / 4 - 1 + 0.5 / 4
    c = np.concatenate([c, -c])
    pts = np.stack(np.meshgrid(*([c] * (ndim - 2)), indexing="ij"), -1)[None]
    ours = F.grid_sample(ag.tensor(x), ag.tensor(pts), "nearest", "zeros", True).numpy()
    theirs = TF.grid_sample(torch.tensor(x), torch.tensor(pts), "nearest", "zeros", True).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("ndim", [4, 5])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_coordinates_give_torchs_values(value, ndim):
    """PyTorch's 2-D kernel gives NaN under bicubic and under bilinear with zeros padding
    and clips NaN to 0 elsewhere; its 3-D kernel clips NaN to the far edge."""
    x = np.arange(1, 25, dtype=np.float64).reshape((1, 1, 2, 3, 4) if ndim == 5 else (1, 2, 3, 4))
    pts = [[value, 0.1, 0.2], [0.1, value, 0.3], [0.2, 0.1, value], [value, -value, value]]
    grid = np.array(pts)[None, None, :, :ndim - 2]
    if ndim == 5:
        grid = grid[:, None]
    modes = ("bilinear", "nearest", "bicubic") if ndim == 4 else ("bilinear", "nearest")
    for mode, padding, align in itertools.product(modes, ("zeros", "border", "reflection"), (False, True)):
        for dtype in (np.float64, np.float32):
            ours = F.grid_sample(ag.tensor(x.astype(dtype)), ag.tensor(grid.astype(dtype)), mode, padding, align)
            theirs = TF.grid_sample(torch.tensor(x.astype(dtype)), torch.tensor(grid.astype(dtype)), mode, padding,
                                    align)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, equal_nan=True,
                                       err_msg=f"{mode} {padding} {align} {dtype.__name__}")
