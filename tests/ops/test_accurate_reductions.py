"""Reductions stay accurate at large sizes (issue 15, item 4): float32 sums along any
axis, in any memory layout, within a few float32 ulps of a float64 reference (a
running sum along a non-inner axis is off by 1e-4 at a million terms); float16 adds
in float32 as PyTorch does; var/std in two passes (a one-pass sum of squares loses the
spread of data far from 0); the gradient reductions (broadcast, bias gradients) too."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from autograd_lite.ops._summation import BLOCK, accurate_sum

EPS32 = float(np.finfo(np.float32).eps)
CONSTANT_BOUND = 16 * EPS32  # blocked sums of one repeated value: its rounding errors don't
# cancel; a running sum is off by 5e-2 at 5,000,000 terms, PyTorch's cascade by 7.4 EPS32


def _relative_error(got, reference):
    """max |got - reference| / |reference|, the reference in float64."""
    got = np.asarray(got, np.float64)
    return float(np.max(np.abs(got - reference) / np.abs(reference)))


def test_float32_column_sum_of_five_million():
    """The issue's case: 478,275 with a running sum; exact 500,000.0075."""
    x = ag.full((5_000_000, 2), 0.1)
    exact = 5_000_000 * float(np.float32(0.1))
    got = x.sum(0).numpy()
    torch_got = torch.full((5_000_000, 2), 0.1).sum(0).numpy()
    assert got.dtype == np.float32 and got.shape == (2,)
    assert _relative_error(got, exact) < CONSTANT_BOUND
    assert np.all(np.abs(got - exact) <= np.abs(torch_got - exact))  # PyTorch: 499,999.56
    assert _relative_error(x.mean(0).numpy(), exact / 5_000_000) < CONSTANT_BOUND
    assert _relative_error(x.sum().numpy(), 2 * exact) < CONSTANT_BOUND


@pytest.mark.parametrize("axes", [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_float32_sums_along_any_axes_and_layout(axes, layout):
    """A million-ish terms per output for some axes; positive data, where a running
    sum's rounding errors add up instead of cancelling."""
    rng = np.random.default_rng(len(axes))
    base = rng.random((1200, 3, 900)).astype(np.float32)
    data = {"contiguous": base[:, :, :300],
            "transposed": base.transpose(2, 1, 0)[:300],
            "strided": base[::-1, :, ::3]}[layout]
    x = ag.tensor(data)  # keeps the layout
    reference = data.astype(np.float64).sum(axes)
    got = x.sum(axes)
    assert got.dtype == np.float32 and got.shape == reference.shape
    assert _relative_error(got.numpy(), reference) < 8 * EPS32
    assert _relative_error(x.mean(axes).numpy(), reference / (data.size / reference.size)) < 8 * EPS32
    kept = x.sum(axes, keepdim=True)
    assert kept.shape == tuple(1 if i in axes else n for i, n in enumerate(data.shape))


def test_a_running_sum_fails_the_bound_used_here():
    """The bound above means something: NumPy's own running sum misses it."""
    data = np.random.default_rng(0).random((1_000_000, 3)).astype(np.float32)
    reference = data.astype(np.float64).sum(0)
    assert _relative_error(np.add.reduce(data, 0), reference) > 8 * EPS32
    assert _relative_error(ag.tensor(data).sum(0).numpy(), reference) < 8 * EPS32


def test_accurate_sum_matches_numpy_on_random_views():
    """Shapes, dtypes and values of `accurate_sum` against float64 sums, for random
    shapes (with 0 and 1 sizes), axes, keepdims, transposes, flips and steps."""
    rng = np.random.default_rng(1)
    for _ in range(400):
        nd = int(rng.integers(1, 5))
        shape = tuple(int(rng.choice([0, 1, 2, 7, 130, 300])) for _ in range(nd))
        if np.prod(shape) > 2_000_000:
            continue
        x = (rng.standard_normal(shape) + rng.choice([0, 100])).astype(np.float32)
        x = x.transpose(rng.permutation(nd))
        if rng.random() < 0.4:
            x = x[tuple(slice(None, None, int(rng.choice([-1, 1, 2]))) for _ in range(nd))]
        axes = tuple(sorted(rng.choice(nd, int(rng.integers(0, nd + 1)), replace=False).tolist()))
        keepdims = bool(rng.integers(2))
        got = accurate_sum(x, axes, keepdims)
        reference = np.add.reduce(x.astype(np.float64), axes, keepdims=keepdims)
        assert got.dtype == np.float32 and got.shape == reference.shape, (x.shape, axes)
        scale = np.add.reduce(np.abs(x.astype(np.float64)), axes, keepdims=keepdims)
        err = np.abs(got - reference) / np.maximum(scale, 1e-30)
        assert np.all(err <= 8 * EPS32), (x.shape, x.strides, axes, float(np.max(err)))


def test_small_sums_are_numpy_bit_for_bit():
    """Up to BLOCK terms per output the library sums as NumPy does (no change of
    results for small tensors)."""
    x = np.random.default_rng(2).standard_normal((BLOCK, 5, 3)).astype(np.float32)
    for axes in [(0,), (1,), (0, 2), (0, 1, 2)]:
        np.testing.assert_array_equal(ag.tensor(x).sum(axes).numpy(), np.add.reduce(x, axes))


# ---- float16: accumulate in float32 ---------------------------------------------------------
def test_float16_mean_of_seventy_thousand_ones():
    """More than 65,504 elements: the count overflows float16, the mean must not."""
    for lib in (ag, torch):
        x = lib.ones(70000, dtype=lib.float16)
        assert float(x.mean()) == 1.0
        assert float(x.reshape(7, 10000).mean(1).min()) == 1.0
        assert float(lib.nn.functional.mse_loss(x, lib.zeros(70000, dtype=lib.float16))) == 1.0
    assert ag.ones(70000, dtype=ag.float16).mean().dtype == np.float16


def test_float16_sums_round_once():
    """float16 sums are float32 sums rounded once: 4,000 x 0.1 is 400, not the 256 a
    float16 running sum stalls at; past 65,504 the sum is inf, as in PyTorch."""
    data = np.full((4000, 3), 0.1, np.float16)
    for dim in (0, None):
        got = ag.tensor(data).sum(dim)
        want = torch.tensor(data).sum(dim)
        assert got.dtype == np.float16
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert float(ag.tensor(data).sum(0)[0]) == float(np.float16(400.0))
    assert np.isinf(float(ag.ones(70000, dtype=ag.float16).sum()))
    assert np.isinf(float(torch.ones(70000, dtype=torch.float16).sum()))


def test_float16_var_std_norm_as_pytorch():
    data = (np.random.default_rng(3).standard_normal((3000, 2)) * 100 + 50).astype(np.float16)
    a, t = ag.tensor(data), torch.tensor(data)
    for name in ("var", "std", "norm"):
        for dim in (0, None):
            got, want = getattr(a, name)(dim), getattr(t, name)(dim)
            assert got.dtype == np.float16
            np.testing.assert_allclose(got.numpy().astype(np.float64), want.numpy().astype(np.float64),
                                       rtol=2e-3, err_msg=f"{name}(dim={dim})")
    assert np.isfinite(a.norm().numpy())  # squares summed in float16 would overflow


# ---- var / std --------------------------------------------------------------------------------
def test_std_of_data_far_from_zero():
    """The issue's case: std(0) of (1e6, 4) draws from N(1000, 1) gave 8.96."""
    data = (np.random.default_rng(4).standard_normal((1_000_000, 4)) + 1000).astype(np.float32)
    reference = data.astype(np.float64).std(0, ddof=1)
    for dim in (0,):
        got = ag.tensor(data).std(dim)
        assert _relative_error(got.numpy(), reference) < 1e-4
        np.testing.assert_allclose(got.numpy(), torch.tensor(data).std(dim).numpy(), rtol=1e-4)
    var_all = ag.tensor(data).var().numpy()
    assert _relative_error(var_all, data.astype(np.float64).var(ddof=1)) < 1e-4
    mean_t, std_t = ag.tensor(data[:, :1].T.copy()).mean(1), ag.tensor(data[:, :1].T.copy()).std(1)
    assert abs(float(mean_t[0]) - 1000) < 0.01 and abs(float(std_t[0]) - 1) < 0.01


def test_var_gradient_far_from_zero():
    data = np.random.default_rng(5).standard_normal((100_000, 2)) + 1e4
    grads = []
    for lib, dtype in ((ag, np.float32), (torch, np.float32), (ag, np.float64)):
        x = lib.tensor(data.astype(dtype), requires_grad=True)
        x.var(0).sum().backward()
        grads.append(np.asarray(x.grad.numpy(), np.float64))
    np.testing.assert_allclose(grads[0], grads[2], atol=1e-6)
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-6)


# ---- gradient reductions -----------------------------------------------------------------------
def test_broadcast_and_bias_gradients_sum_accurately():
    """sum_to (the backward of a broadcast) and the bias gradients of linear, conv and
    LSTM add up a million-row gradient as accurately as a forward sum."""
    rows = 2_000_000
    g = np.full((rows, 2), 0.1, np.float32)
    exact = rows * float(np.float32(0.1))
    b = ag.zeros(2, requires_grad=True)
    (ag.zeros(rows, 2) + b).backward(ag.tensor(g))
    assert _relative_error(b.grad.numpy(), exact) < CONSTANT_BOUND
    w = ag.zeros(3, 2, requires_grad=True)
    bias = ag.zeros(3, requires_grad=True)
    F.linear(ag.zeros(rows, 2), w, bias).backward(ag.full((rows, 3), 0.1))
    assert _relative_error(bias.grad.numpy(), exact) < CONSTANT_BOUND


def test_lstm_bias_gradient_against_float64():
    """The bias gradient of a sequence sums T*B rows of gate gradients."""
    torch.manual_seed(0)
    ref = torch.nn.LSTM(3, 4).double()
    grads = {}
    for dtype in (np.float32, np.float64):
        lstm = nn.LSTM(3, 4).to(dtype)
        lstm.load_state_dict({k: ag.tensor(v.detach().numpy().astype(dtype)) for k, v in ref.state_dict().items()})
        x = ag.tensor(np.random.default_rng(6).standard_normal((2000, 40, 3)).astype(dtype))
        out, _ = lstm(x)
        out.sum().backward()
        grads[dtype] = np.asarray(lstm.bias_ih_l0.grad.numpy(), np.float64)
    scale = np.max(np.abs(grads[np.float64]))
    assert np.max(np.abs(grads[np.float32] - grads[np.float64])) / scale < 1e-5


def _norm_layer_results(lib, name, dtype, data, weights):
    """Output and gradients (input, weight, bias) of a fresh norm layer, as float64."""
    layer = getattr(lib.nn, name)(3).to(dtype)
    x = lib.tensor(data, requires_grad=True)
    y = layer(x)
    (y * lib.tensor(weights)).sum().backward()
    results = (y, x.grad, layer.weight.grad, layer.bias.grad)
    assert all(t.dtype == (lib.float16 if dtype is lib.float16 else t.dtype) for t in results)
    return [np.asarray(t.detach().numpy(), np.float64) for t in results]


@pytest.mark.parametrize("name", ["BatchNorm1d", "LayerNorm"])
def test_float16_batch_and_layer_norm(name):
    """Half-precision norms compute in float32 and round once: within float16
    rounding of a float64 reference (rows of three values near 30 lose most of their
    spread if centred in float16); the output close to PyTorch's float16 one. (Not
    the gradients: PyTorch's float16 LayerNorm backward is off by up to 30 on rows of
    nearly equal values and its bias gradient by 2%, where these match float64.)"""
    rng = np.random.default_rng(7)
    data = (rng.standard_normal((20000, 3)) * 2 + 30).astype(np.float16)
    weights = rng.standard_normal((20000, 3)).astype(np.float16)
    got = _norm_layer_results(ag, name, ag.float16, data, weights)
    exact = _norm_layer_results(torch, name, torch.float64, data.astype(np.float64), weights.astype(np.float64))
    theirs = _norm_layer_results(torch, name, torch.float16, data, weights)
    for a, e, t, what in zip(got, exact, theirs, ("output", "input grad", "weight grad", "bias grad")):
        scale = np.max(np.abs(e))
        np.testing.assert_allclose(a, e, rtol=2e-3, atol=2e-3 * scale, err_msg=f"{name} {what}")
        if what == "output":
            np.testing.assert_allclose(a, t, rtol=1e-2, atol=1e-2 * scale, err_msg=f"{name} {what}")
