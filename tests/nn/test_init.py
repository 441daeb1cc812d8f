"""nn.init against PyTorch's formulas: gains, fans, bounds and standard deviations
(checked statistically on large tensors, next to samples from torch.nn.init), and
every layer's default initialisation."""
import math
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn import init

SHAPES = [(300, 400), (64, 32, 3, 3), (50, 60, 5)]


@pytest.fixture(autouse=True)
def _seeded():
    """Statistical checks with 4-6 sigma margins, on fixed streams (no flaky runs)."""
    ag.manual_seed(0)
    torch.manual_seed(0)


def _pair(shape):
    return nn.Parameter(ag.empty(shape)), torch.empty(shape)


def _stats(t):
    a = (t._data if isinstance(t, ag.Tensor) else t.numpy()).astype(np.float64)
    return a.mean(), a.std(), np.abs(a).max()


# ---- gains and fans ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                                  "leaky_relu", "selu"])
def test_calculate_gain(name):
    assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)


@pytest.mark.parametrize("slope", [0, 0.2, 1, 3.5, math.sqrt(5)])
def test_calculate_gain_leaky_relu_param(slope):
    want = torch.nn.init.calculate_gain("leaky_relu", slope)
    assert init.calculate_gain("leaky_relu", slope) == pytest.approx(want, rel=1e-15)
    assert want == pytest.approx(math.sqrt(2 / (1 + slope ** 2)))


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "a")


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 4, 3, 2), (2, 3, 1, 2, 2)])
def test_fan_in_and_fan_out(shape):
    want = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(ag.empty(shape)) == want


def test_fan_needs_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.empty(5))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ag.empty(5))


# ---- simple fills ------------------------------------------------------------------------------
def test_constant_ones_zeros_eye():
    p = nn.Parameter(ag.empty(3, 4))
    v0 = p._version
    assert init.constant_(p, 2.5) is p
    np.testing.assert_array_equal(p._data, np.full((3, 4), 2.5, np.float32))
    assert p._version > v0 and p.grad_fn is None and p.requires_grad
    np.testing.assert_array_equal(init.ones_(p)._data, np.ones((3, 4)))
    np.testing.assert_array_equal(init.zeros_(p)._data, np.zeros((3, 4)))
    np.testing.assert_array_equal(init.eye_(p)._data, torch.nn.init.eye_(torch.empty(3, 4)).numpy())
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(ag.empty(2, 2, 2))


def test_uniform_and_normal():
    p, t = _pair((400, 500))
    init.uniform_(p, -2.0, 3.0)
    assert p._data.min() >= -2.0 and p._data.max() <= 3.0
    assert p._data.min() < -1.99 and p._data.max() > 2.99
    assert abs(p._data.mean() - 0.5) < 0.02 and abs(p._data.std() - 5 / math.sqrt(12)) < 0.01
    init.normal_(p, 1.5, 0.5)
    torch.nn.init.normal_(t, 1.5, 0.5)
    for got, want in zip(_stats(p)[:2], _stats(t)[:2]):
        assert abs(got - want) < 0.01
    assert p.dtype == np.float32


def test_trunc_normal():
    p, t = _pair((300, 300))
    init.trunc_normal_(p, mean=0.5, std=2.0, a=-1.0, b=3.0)
    torch.nn.init.trunc_normal_(t, mean=0.5, std=2.0, a=-1.0, b=3.0)
    assert p._data.min() >= -1.0 and p._data.max() <= 3.0
    (m1, s1, _), (m2, s2, _) = _stats(p), _stats(t)
    assert abs(m1 - m2) < 0.02 and abs(s1 - s2) < 0.02


# ---- xavier / kaiming ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier_uniform(shape, gain):
    p, t = _pair(shape)
    init.xavier_uniform_(p, gain=gain)
    torch.nn.init.xavier_uniform_(t, gain=gain)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    for a in (p._data, t.numpy()):
        assert np.abs(a).max() <= bound * (1 + 1e-6)
        assert np.abs(a).max() > 0.99 * bound
        assert abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.03
        assert abs(a.mean()) < 0.03 * bound


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_normal(shape):
    p, t = _pair(shape)
    init.xavier_normal_(p, gain=1.7)
    torch.nn.init.xavier_normal_(t, gain=1.7)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    std = 1.7 * math.sqrt(2.0 / (fan_in + fan_out))
    for a in (p._data, t.numpy()):
        assert abs(a.std() / std - 1) < 0.03 and abs(a.mean()) < 0.03 * std


KAIMING = [dict(), dict(a=math.sqrt(5)), dict(a=0.1, mode="fan_out"), dict(nonlinearity="relu"),
           dict(mode="fan_out", nonlinearity="tanh"), dict(nonlinearity="linear")]


@pytest.mark.parametrize("kw", KAIMING, ids=str)
@pytest.mark.parametrize("shape", SHAPES)
def test_kaiming_uniform(shape, kw):
    p, t = _pair(shape)
    init.kaiming_uniform_(p, **kw)
    torch.nn.init.kaiming_uniform_(t, **kw)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    fan = fan_out if kw.get("mode") == "fan_out" else fan_in
    gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
    bound = gain * math.sqrt(3.0 / fan)
    for a in (p._data, t.numpy()):
        assert np.abs(a).max() <= bound * (1 + 1e-6)
        assert np.abs(a).max() > 0.99 * bound
        assert abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.03


@pytest.mark.parametrize("kw", KAIMING, ids=str)
@pytest.mark.parametrize("shape", SHAPES)
def test_kaiming_normal(shape, kw):
    p, t = _pair(shape)
    init.kaiming_normal_(p, **kw)
    torch.nn.init.kaiming_normal_(t, **kw)
    s_ours, s_torch = _stats(p)[1], _stats(t)[1]
    assert abs(s_ours / s_torch - 1) < 0.04
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    fan = fan_out if kw.get("mode") == "fan_out" else fan_in
    std = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) / math.sqrt(fan)
    assert abs(s_ours / std - 1) < 0.03


def test_kaiming_errors_and_empty():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ag.empty(3, 4), mode="fan_avg")
    e = ag.empty(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(e) is e
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(e)


# ---- orthogonal ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (4, 3, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal(shape, gain):
    p = nn.Parameter(ag.empty(shape, dtype=ag.float64))
    init.orthogonal_(p, gain=gain)
    m = p._data.reshape(shape[0], -1)
    small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(small, gain ** 2 * np.eye(small.shape[0]), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(ag.empty(4))


def test_orthogonal_is_uniformly_distributed():
    """With the signs of R's diagonal fixed, the first entry of a random orthogonal
    matrix is symmetric around 0 (a plain QR would bias it)."""
    ag.manual_seed(3)
    vals = []
    for _ in range(400):
        vals.append(init.orthogonal_(ag.empty(3, 3, dtype=ag.float64))._data[0, 0])
    assert abs(np.mean(vals)) < 0.1


# ---- autograd, generators, seeds ------------------------------------------------------------------
def test_init_on_parameter_under_grad_mode_records_nothing():
    p = nn.Parameter(ag.randn(20, 30))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_, init.orthogonal_,
               init.zeros_, init.ones_):
        out = fn(p)
        assert out is p and p.grad_fn is None and p.is_leaf and p.requires_grad


def test_generator_argument_and_manual_seed():
    a, b = ag.empty(5, 6), ag.empty(5, 6)
    init.kaiming_uniform_(a, generator=np.random.default_rng(7))
    init.kaiming_uniform_(b, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a._data, b._data)
    ag.manual_seed(11)
    m1 = nn.Sequential(nn.Linear(4, 5), nn.Embedding(7, 3), nn.Bilinear(2, 3, 4))
    ag.manual_seed(11)
    m2 = nn.Sequential(nn.Linear(4, 5), nn.Embedding(7, 3), nn.Bilinear(2, 3, 4))
    for (k, v1), v2 in zip(m1.state_dict().items(), m2.state_dict().values()):
        np.testing.assert_array_equal(v1._data, v2._data, err_msg=k)
    m3 = nn.Linear(4, 5)
    assert not np.array_equal(m3.weight._data, m1[0].weight._data)


# ---- default layer initialisation ----------------------------------------------------------------------
@pytest.mark.parametrize("in_f,out_f", [(300, 400), (17, 2000)])
def test_linear_default_init(in_f, out_f):
    ours, theirs = nn.Linear(in_f, out_f), torch.nn.Linear(in_f, out_f)
    bound = 1 / math.sqrt(in_f)  # kaiming_uniform_(a=sqrt(5)) on (out, in) gives U(-1/sqrt(in), 1/sqrt(in))
    for w in (ours.weight._data, theirs.weight.detach().numpy()):
        assert np.abs(w).max() <= bound * (1 + 1e-6) and np.abs(w).max() > 0.99 * bound
        assert abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.03
    for b in (ours.bias._data, theirs.bias.detach().numpy()):
        assert np.abs(b).max() <= bound * (1 + 1e-6) and np.abs(b).max() > 0.9 * bound
    assert abs(ours.weight._data.std() / theirs.weight.detach().numpy().std() - 1) < 0.03


def test_bilinear_default_init():
    ours, theirs = nn.Bilinear(50, 20, 300), torch.nn.Bilinear(50, 20, 300)
    bound = 1 / math.sqrt(50)
    for m in (ours, theirs):
        for p in (m.weight, m.bias):
            a = p._data if isinstance(p, ag.Tensor) else p.detach().numpy()
            assert np.abs(a).max() <= bound * (1 + 1e-6) and np.abs(a).max() > 0.95 * bound
        w = m.weight._data if m is ours else m.weight.detach().numpy()
        assert abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.03


def test_embedding_default_init():
    ours, theirs = nn.Embedding(500, 300, padding_idx=3), torch.nn.Embedding(500, 300, padding_idx=3)
    for w in (ours.weight._data, theirs.weight.detach().numpy()):
        rest = np.delete(w, 3, axis=0)
        assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
        np.testing.assert_array_equal(w[3], 0)


def test_norm_layers_default_init():
    for ours, theirs in ((nn.LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4))),
                         (nn.BatchNorm1d(5), torch.nn.BatchNorm1d(5)),
                         (nn.BatchNorm2d(5, bias=False), torch.nn.BatchNorm2d(5, bias=False))):
        sd = theirs.state_dict()
        for k, v in ours.state_dict().items():
            np.testing.assert_array_equal(v._data, sd[k].numpy(), err_msg=k)


def test_reset_parameters_redraws():
    m = nn.Linear(10, 10)
    before = m.weight._data.copy()
    m.reset_parameters()
    assert not np.array_equal(before, m.weight._data)
    bn = nn.BatchNorm1d(3)
    bn(ag.randn(4, 3) * 5 + 2)
    assert int(bn.num_batches_tracked.item()) == 1
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean._data, 0)
    np.testing.assert_array_equal(bn.running_var._data, 1)
    assert int(bn.num_batches_tracked.item()) == 0


def test_float64_layers_init_in_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = nn.Linear(3, 4, dtype=ag.float64)
    assert m.weight.dtype == np.float64 and m.bias.dtype == np.float64
