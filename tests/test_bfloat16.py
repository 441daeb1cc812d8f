"""bfloat16 against PyTorch: conversions bit for bit (NaN, inf, subnormals, doubles),
promotion, arithmetic rounded once per op as PyTorch's CPU kernels, reductions and
matmuls accumulated in float32, modules and optimizers on bfloat16 parameters,
files and repr. The op table runs every float op in bfloat16 too
(tests/ops/test_op_table.py)."""
import io

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn, optim
from helpers import BF16, assert_same, to_numpy, to_torch

rng = np.random.default_rng(0)


def bits(x):
    """The bit patterns of a bfloat16 tensor or array (either library's)."""
    if isinstance(x, torch.Tensor):
        return to_numpy(x).view(np.uint16)
    if isinstance(x, ag.Tensor):
        x = x.detach().numpy()
    return np.asarray(x).view(np.uint16)


def pair(values):
    """The same bfloat16 tensor in both libraries, from float32 values."""
    arr = np.asarray(values, np.float32)
    return ag.tensor(arr).bfloat16(), torch.tensor(arr).bfloat16()


def same_bits(a, t):
    """Equal bit for bit, NaNs aside: a NaN must be a NaN, its sign and payload are free
    (PyTorch's own differ: 0x7FC0 from its scalar conversion, 0xFFFF from its vectorised one)."""
    assert a.dtype == ag.bfloat16 and tuple(a.shape) == tuple(t.shape)
    ours, theirs = bits(a), bits(t)
    nan_ours, nan_theirs = (ours & 0x7FFF) > 0x7F80, (theirs & 0x7FFF) > 0x7F80
    np.testing.assert_array_equal(nan_ours, nan_theirs)
    np.testing.assert_array_equal(ours[~nan_ours], theirs[~nan_theirs])


def ulps_apart(a, t):
    """How many bfloat16 steps apart two results are (element-wise maximum)."""
    ia = bits(a).astype(np.int32)
    it = bits(t).astype(np.int32)
    ia = np.where(ia & 0x8000, 0x8000 - ia, ia)  # sign-magnitude to a monotone integer
    it = np.where(it & 0x8000, 0x8000 - it, it)
    return int(np.max(np.abs(ia - it))) if ia.size else 0


# ---- conversions -------------------------------------------------------------------------------------
def _float32_patterns():
    special = np.array([0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
                        0x7F800001, 0x7FBFFFFF, 0xFF812345, 0x00000001, 0x807FFFFF, 0x00400000,
                        0x7F7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0x3F808000, 0x3F818000, 0x3F808001],
                       np.uint32)
    every_tie = (np.arange(1 << 16, dtype=np.uint32) << 16) | 0x8000  # halfway between neighbours
    low_bits = np.arange(1 << 16, dtype=np.uint32)  # subnormals and their rounding
    rand = rng.integers(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([special, every_tie, low_bits, low_bits | 0x80000000, rand]).view(np.float32)


def test_float32_to_bfloat16_rounds_bit_for_bit_as_torch():
    f = _float32_patterns()
    ours = ag.tensor(f).to(ag.bfloat16)
    same_bits(ours, torch.from_numpy(f.copy()).to(torch.bfloat16))
    # every NaN becomes c10::BFloat16's 0x7FC0, as PyTorch's scalar conversion makes it
    nans = np.array([np.nan, -np.nan], np.float32)
    assert bits(ag.tensor(nans).bfloat16()).tolist() == [0x7FC0, 0x7FC0]
    assert bits(ag.tensor(nans.tolist(), dtype=ag.bfloat16)).tolist() == \
        bits(torch.tensor(nans.tolist(), dtype=torch.bfloat16)).tolist()


def test_float64_to_bfloat16_rounds_through_float32_as_torch():
    # doubles just past a bfloat16 halfway point round up directly but to the tie (then even)
    # through float32, as PyTorch does
    d = np.concatenate([rng.standard_normal(200000) * np.exp(rng.uniform(-95, 95, 200000)),
                        [1 + 2**-8 + 2**-40, 1 - 2**-9 - 2**-50, 1e-40, 1e-45, 3.39e38, 1e39, np.inf, -np.inf,
                         np.nan, -0.0]])
    theirs = torch.from_numpy(d).to(torch.bfloat16)
    same_bits(ag.tensor(d).to(ag.bfloat16), theirs)
    same_bits(ag.tensor(d, dtype=ag.bfloat16), theirs)
    values = d[:1000].tolist() + [0.1, 1 / 3, 1 + 2**-8 + 2**-40]
    same_bits(ag.tensor(values, dtype=ag.bfloat16), torch.tensor(values, dtype=torch.bfloat16))


def test_bfloat16_widens_exactly():
    every = np.arange(1 << 16, dtype=np.uint16)
    ours = ag.from_numpy(every.view(BF16)).float().numpy()
    theirs = torch.from_numpy(every.view(np.int16).copy()).view(torch.bfloat16).float().numpy()
    np.testing.assert_array_equal(ours.view(np.uint32), theirs.view(np.uint32))
    x = ag.tensor([1.5, -2.25]).bfloat16()
    assert x.double().dtype == ag.float64 and x.half().dtype == ag.float16
    assert x.tolist() == [1.5, -2.25] and isinstance(x[0].item(), float)


# ---- dtype, promotion ------------------------------------------------------------------------------
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


@pytest.mark.parametrize("other", DTYPES)
def test_promote_types_matches_torch(other):
    ours = ag.promote_types(ag.bfloat16, np.dtype(other))
    theirs = torch.promote_types(torch.bfloat16, getattr(torch, other))
    assert ours == ag.promote_types(np.dtype(other), ag.bfloat16)
    assert str(ours) == str(theirs).replace("torch.", "")


@pytest.mark.parametrize("expr", [
    lambda lib, x: x + 1.5, lambda lib, x: 2 * x, lambda lib, x: x / 3, lambda lib, x: x ** 2,
    lambda lib, x: x + lib.ones(3, dtype=lib.float16), lambda lib, x: x * lib.ones(3, dtype=lib.float32),
    lambda lib, x: x - lib.ones(3, dtype=lib.float64), lambda lib, x: x + lib.tensor(2.0, dtype=lib.float64),
    lambda lib, x: x * lib.tensor([1, 2, 3]), lambda lib, x: x > 0.5, lambda lib, x: lib.tensor([1, 2]) * 0.5,
])
def test_result_dtypes_match_torch(expr):
    a, t = pair([0.5, -1.25, 3.0])
    out_a, out_t = expr(ag, a), expr(torch, t)
    assert str(out_a.dtype) == str(out_t.dtype).replace("torch.", "")


def test_bfloat16_is_a_floating_dtype_everywhere():
    x = ag.zeros(2, 3, dtype=ag.bfloat16, requires_grad=True)
    assert x.is_floating_point() and ag.is_floating_point(x) and x.dtype == ag.bfloat16
    assert ag.ones(2, dtype="bfloat16").dtype == ag.bfloat16
    assert ag.arange(0, 1, 0.25, dtype=ag.bfloat16).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ag.randn(4, dtype=ag.bfloat16).dtype == ag.bfloat16
    assert ag.full((2,), 0.1, dtype=ag.bfloat16).tolist() == torch.full((2,), 0.1, dtype=torch.bfloat16).tolist()
    assert ag.tensor([1, 2]).to(ag.bfloat16).dtype == ag.bfloat16
    assert x.new_zeros(3).dtype == ag.bfloat16 and ag.zeros_like(x).dtype == ag.bfloat16
    with pytest.raises(TypeError, match="floating point"):
        ag.bitwise_not(ag.tensor([1.0]).bfloat16())


def test_default_dtype_bfloat16():
    old = ag.get_default_dtype()
    try:
        ag.set_default_dtype(ag.bfloat16)
        torch.set_default_dtype(torch.bfloat16)
        a, t = ag.tensor([0.1, 1 / 3]), torch.tensor([0.1, 1 / 3])
        same_bits(a, t)
    finally:
        ag.set_default_dtype(old)
        torch.set_default_dtype(torch.float32)


# ---- arithmetic: once-rounded, as PyTorch's CPU kernels ---------------------------------------------
def _values(n=4096, scale=3.0):
    return (rng.standard_normal(n) * scale).astype(np.float32)


@pytest.mark.parametrize("op", [
    lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
    lambda x, y: x + 0.1, lambda x, y: x - 1 / 3, lambda x, y: 0.3 - x, lambda x, y: x * 0.1,
    lambda x, y: 0.7 * x, lambda x, y: x / 3, lambda x, y: x / 0.3, lambda x, y: 3.0 / x,
    lambda x, y: x * 3, lambda x, y: -x, lambda x, y: x.abs() ** 1.3, lambda x, y: x ** 2,
    lambda x, y: x ** 3, lambda x, y: x ** -2, lambda x, y: x.abs() ** 0.5, lambda x, y: x.abs() ** 2.7,
    lambda x, y: x.maximum(y), lambda x, y: x.clamp(-1.3, 0.7), lambda x, y: x.add(y, alpha=2),
    lambda x, y: x.sqrt(), lambda x, y: x.reciprocal(), lambda x, y: x.floor(), lambda x, y: x.sign(),
    lambda x, y: ((x + y) * y - x) / 7,
])
def test_arithmetic_is_bit_for_bit_torch(op):
    a, t = pair(_values())
    b, u = pair(_values())
    with np.errstate(invalid="ignore", divide="ignore"):
        same_bits(op(a, b), op(t, u))


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "sin", "expm1", "log1p", "rsqrt"])
def test_transcendentals_are_float32_rounded_once(name):
    """NumPy's float32 exp/log/... and PyTorch's (SLEEF) may differ in the last float32
    bit, which can move a result across a bfloat16 rounding boundary: at most 1 step."""
    a, t = pair(np.abs(_values()) + 0.01)
    assert ulps_apart(getattr(a, name)(), getattr(t, name)()) <= 1


def test_gradients_of_arithmetic_match_torch_bit_for_bit():
    xa, xt = pair(_values(64))
    ya, yt = pair(_values(64))
    for x in (xa, xt, ya, yt):
        x.requires_grad_()
    for lib, x, y in ((ag, xa, ya), (torch, xt, yt)):
        ((x * y + x / 3) * 0.1 - y * y).sum().backward()
    same_bits(xa.grad, xt.grad)
    same_bits(ya.grad, yt.grad)


# ---- reductions and matmul accumulate in float32 ----------------------------------------------------
def test_sums_accumulate_in_float32():
    a, t = ag.full((10000,), 0.1, dtype=ag.bfloat16), torch.full((10000,), 0.1, dtype=torch.bfloat16)
    for fn in (lambda x: x.sum(), lambda x: x.mean(), lambda x: x.cumsum(0)[-1], lambda x: x.sum(dtype=x.dtype)):
        same_bits(fn(a), fn(t))
    assert a.sum().item() == 1000.0  # not 256: a bfloat16 accumulator stops growing


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(1), lambda x: x.mean(0), lambda x: x.var(1), lambda x: x.std(0),
    lambda x: x.norm(), lambda x: x.logsumexp(1), lambda x: x.prod(1), lambda x: x.amax(0),
    lambda x: x.softmax(1), lambda x: x.log_softmax(0),
])
def test_reductions_match_torch(fn):
    a, t = pair(rng.uniform(0.5, 1.5, (64, 48)))
    assert ulps_apart(fn(a), fn(t)) <= 1


@pytest.mark.parametrize("shapes", [((16, 32), (32, 8)), ((3, 16, 32), (32, 5)), ((32,), (32,)),
                                    ((4, 64), (64,))])
def test_matmul_accumulates_in_float32(shapes):
    a, t = pair(_values(int(np.prod(shapes[0]))).reshape(shapes[0]))
    b, u = pair(_values(int(np.prod(shapes[1]))).reshape(shapes[1]))
    assert ulps_apart(a @ b, t @ u) <= 1
    assert_same(a @ b, t @ u)


# LAPACK has no bfloat16: PyTorch's CPU decompositions and solvers refuse it, and so do
# ours (NotImplementedError is a RuntimeError, which PyTorch raises for some of them);
# the norms that only sum and take maxima, and positive matrix powers, run in bfloat16
_LAPACK_ONLY = [
    lambda lib, a: lib.linalg.inv(a), lambda lib, a: lib.linalg.det(a),
    lambda lib, a: lib.linalg.slogdet(a), lambda lib, a: lib.linalg.cholesky(a),
    lambda lib, a: lib.linalg.eigh(a), lambda lib, a: lib.linalg.qr(a), lambda lib, a: lib.linalg.svd(a),
    lambda lib, a: lib.linalg.solve(a, a), lambda lib, a: lib.linalg.pinv(a), lambda lib, a: lib.logdet(a),
    lambda lib, a: lib.linalg.matrix_power(a, -1), lambda lib, a: lib.linalg.matrix_norm(a, "nuc"),
    lambda lib, a: lib.linalg.matrix_norm(a, 2), lambda lib, a: lib.cdist(a, a),
]


@pytest.mark.parametrize("call", _LAPACK_ONLY)
def test_lapack_ops_refuse_bfloat16_as_torch(call):
    m = rng.standard_normal((3, 3)).astype(np.float32)
    a, t = pair(m @ m.T + 3 * np.eye(3, dtype=np.float32))
    with pytest.raises(RuntimeError):
        call(torch, t)
    with pytest.raises(NotImplementedError, match="bfloat16"):
        call(ag, a)


@pytest.mark.parametrize("call", [
    lambda lib, a: lib.linalg.matrix_power(a, 3), lambda lib, a: lib.linalg.matrix_norm(a, 1),
    lambda lib, a: lib.linalg.matrix_norm(a), lambda lib, a: lib.linalg.vector_norm(a, 3.0),
    lambda lib, a: lib.linalg.norm(a, float("inf")),
])
def test_norms_and_powers_run_in_bfloat16_as_torch(call):
    a, t = pair(rng.standard_normal((3, 3)))
    assert_same(call(ag, a), call(torch, t))


# ---- modules, forward and backward ----------------------------------------------------------------
def _copy_params(model_a, model_t):
    model_a.load_state_dict(model_t.state_dict())  # PyTorch bfloat16 tensors load unchanged
    for (name, pa), (_, pt) in zip(model_a.state_dict().items(), model_t.state_dict().items()):
        if not pt.is_floating_point():
            continue
        assert pa.dtype == ag.bfloat16
        np.testing.assert_array_equal(bits(pa), bits(pt), err_msg=name)


def _cnn(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(3, 8, 3, padding=1), n.BatchNorm2d(8), n.ReLU(), n.MaxPool2d(2),
                        n.Conv2d(8, 8, 3), n.GELU(), n.AdaptiveAvgPool2d(1), n.Flatten(),
                        n.LayerNorm(8), n.Linear(8, 5))


def test_module_bfloat16_casts_parameters_and_buffers():
    torch.manual_seed(0)
    model_t = _cnn(torch).bfloat16()
    model_a = _cnn(ag).bfloat16()
    assert all(p.dtype == ag.bfloat16 for p in model_a.parameters())
    assert model_a[1].running_mean.dtype == ag.bfloat16
    assert model_a[1].num_batches_tracked.dtype == ag.int64  # integer buffers keep their dtype
    assert _cnn(ag).to(ag.bfloat16)[0].weight.dtype == ag.bfloat16
    with pytest.raises(TypeError, match="floating point"):
        _cnn(ag).to(ag.int32)
    _copy_params(model_a, model_t)


def test_cnn_trains_in_bfloat16_as_torch():
    torch.manual_seed(0)
    model_t = _cnn(torch).bfloat16()
    model_a = _cnn(ag).bfloat16()
    _copy_params(model_a, model_t)
    opt_t = torch.optim.SGD(model_t.parameters(), lr=0.05, momentum=0.9)
    opt_a = optim.SGD(model_a.parameters(), lr=0.05, momentum=0.9)
    x = rng.standard_normal((6, 3, 8, 8)).astype(np.float32)
    y = rng.integers(0, 5, 6)
    losses = []
    for _ in range(4):
        for lib, model, opt in ((ag, model_a, opt_a), (torch, model_t, opt_t)):
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x).bfloat16()), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    ours, theirs = np.array(losses[0::2]), np.array(losses[1::2])
    assert isinstance(losses[0], float) and theirs[-1] < theirs[0]
    np.testing.assert_allclose(ours, theirs, rtol=3e-2)
    np.testing.assert_allclose(to_numpy(model_t[1].running_mean).astype(np.float32),
                               model_a[1].running_mean.numpy().astype(np.float32), rtol=3e-2, atol=3e-2)


@pytest.mark.parametrize("seed", range(8))
def test_linear_layer_forward_and_backward_bit_for_bit(seed):
    """y = x W^T + b accumulated in float32, rounded once. Bit for bit with PyTorch
    except where the sum cancels: there the order of the float32 accumulation (each
    library's GEMM has its own) decides the low bits, so those elements are held to the
    float32 error bound of a K-term dot product instead. The gradients likewise."""
    data = np.random.default_rng(100 + seed)
    torch.manual_seed(seed)
    lin_t = torch.nn.Linear(32, 16).bfloat16()
    lin_a = nn.Linear(32, 16).bfloat16()
    _copy_params(lin_a, lin_t)
    xa, xt = pair((data.standard_normal((8, 32)) * 3).astype(np.float32))
    xa.requires_grad_()
    xt.requires_grad_()
    ya, yt = lin_a(xa), lin_t(xt)
    x32, w32, b32 = (to_numpy(t.detach().float()) for t in (xt, lin_t.weight, lin_t.bias))
    terms = np.abs(x32) @ np.abs(w32).T + np.abs(b32)  # the dot products' magnitudes
    _same_bits_unless_cancelled(ya, yt, terms, 33)
    ga, gt = pair((data.standard_normal((8, 16)) * 3).astype(np.float32))
    ya.backward(ga)
    yt.backward(gt)
    g32 = to_numpy(gt.float())
    _same_bits_unless_cancelled(xa.grad, xt.grad, np.abs(g32) @ np.abs(w32), 16)
    assert ulps_apart(lin_a.weight.grad, lin_t.weight.grad) <= 1
    same_bits(lin_a.bias.grad, lin_t.bias.grad)


def _same_bits_unless_cancelled(a, t, terms, k):
    """Equal bits where a result is not much smaller than its terms (`terms`: the sum of
    their magnitudes, k of them): there the float32 accumulation's error, ~k * 2^-24 of
    the terms, is far below half a bfloat16 step of the result (2^-9 of it); elsewhere
    within that accumulation bound."""
    ours, theirs = to_numpy(a.detach().float()), to_numpy(t.detach().float())
    cancelled = np.abs(theirs) < terms * 2.0 ** -8
    assert cancelled.mean() < 0.05  # the bit-for-bit claim covers nearly every element
    np.testing.assert_array_equal(bits(a)[~cancelled], bits(t)[~cancelled])
    bound = k * np.finfo(np.float32).eps * terms + np.abs(theirs) * 2.0 ** -7  # + one bf16 rounding
    assert np.all(np.abs(ours - theirs)[cancelled] <= bound[cancelled])


def test_recurrent_layer_in_bfloat16():
    torch.manual_seed(2)
    lstm_t = torch.nn.LSTM(4, 8, batch_first=True).bfloat16()
    lstm_a = nn.LSTM(4, 8, batch_first=True).bfloat16()
    _copy_params(lstm_a, lstm_t)
    xa, xt = pair(_values(2 * 5 * 4, 1.0).reshape(2, 5, 4))
    out_a, (h_a, _) = lstm_a(xa)
    out_t, (h_t, _) = lstm_t(xt)
    assert out_a.dtype == ag.bfloat16
    assert_same(out_a, out_t, dict(rtol=3e-2, atol=2e-2))
    out_a.sum().backward()
    out_t.sum().backward()
    assert_same(lstm_a.weight_hh_l0.grad, lstm_t.weight_hh_l0.grad, dict(rtol=5e-2, atol=5e-2))


# ---- optimizers ---------------------------------------------------------------------------------
# Sizes are multiples of 64: PyTorch's vectorised CPU kernels compute every element in
# float32 and round once, as we do, but the few tail elements beyond the last full
# vector go through a scalar loop that rounds alpha * b to bfloat16 before the add.
OPTIMIZERS = [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=1e-2)), ("Adam", dict(lr=1e-2, weight_decay=0.1)),
    ("Adam", dict(lr=3e-3, amsgrad=True, betas=(0.8, 0.99))), ("Adam", dict(lr=1e-2, maximize=True, eps=1e-6)),
    ("AdamW", dict(lr=1e-2)), ("AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True)),
]


def _step_both(name, kwargs, shape, steps=8):
    p0 = rng.standard_normal(shape).astype(np.float32)
    pa = ag.tensor(p0).bfloat16().requires_grad_()
    pt = torch.tensor(p0).bfloat16().requires_grad_()
    opt_a, opt_t = getattr(optim, name)([pa], **kwargs), getattr(torch.optim, name)([pt], **kwargs)
    for _ in range(steps):
        g = (rng.standard_normal(shape) * 10 ** rng.uniform(-3, 1)).astype(np.float32)
        pa.grad = ag.tensor(g).bfloat16()
        pt.grad = torch.tensor(g).bfloat16()
        opt_a.step()
        opt_t.step()
    return pa, pt, opt_a, opt_t


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
def test_sgd_and_adam_step_bfloat16_bit_for_bit(name, kwargs):
    pa, pt, opt_a, opt_t = _step_both(name, kwargs, (8, 64))
    same_bits(pa, pt)
    for key, value in opt_t.state[pt].items():
        if key != "step":
            same_bits(opt_a.state[pa][key], value)


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_other_optimizers_step_bfloat16_close_to_torch(name):
    """These update in float32 and round once per step; PyTorch rounds after each op of
    the step, so results drift apart by a few bfloat16 steps at most."""
    pa, pt, _, _ = _step_both(name, dict(lr=1e-2) if name != "Adadelta" else {}, (4, 64), steps=5)
    assert pa.dtype == ag.bfloat16
    assert_same(pa, pt, dict(rtol=1.6e-2, atol=2e-3))


# ---- files, repr ---------------------------------------------------------------------------------
def test_save_load_round_trip_keeps_bits():
    lin = nn.Linear(5, 3).bfloat16()
    x = ag.tensor(_float32_patterns()[:4096]).bfloat16()
    buf = io.BytesIO()
    ag.save({"model": lin.state_dict(), "x": x, "view": x[::3], "dtype": ag.bfloat16,
             "array": x.numpy()[:7]}, buf)
    buf.seek(0)
    out = ag.load(buf)
    assert out["dtype"] == ag.bfloat16 and out["array"].dtype == ag.bfloat16
    np.testing.assert_array_equal(bits(out["x"]), bits(x))
    np.testing.assert_array_equal(bits(out["view"]), bits(x[::3]))
    for k, v in lin.state_dict().items():
        np.testing.assert_array_equal(bits(out["model"][k]), bits(v))
    fresh = nn.Linear(5, 3).bfloat16()
    fresh.load_state_dict(out["model"])
    np.testing.assert_array_equal(bits(fresh.weight), bits(lin.weight))


@pytest.mark.parametrize("values", [[1.5, -2.0, 3.0], [0.1, 100.3, -7.25], [[1, 2], [3, 4.5]], 0.3, [1e-3, 5e4],
                                    [float("nan"), float("inf")]])
def test_repr_matches_torch(values):
    a = ag.tensor(values, dtype=ag.bfloat16)
    t = torch.tensor(values, dtype=torch.bfloat16)
    assert repr(a) == repr(t).replace("torch.", "")
    if len(repr(t)) < 60:  # (PyTorch wraps longer ones before requires_grad; autograd_lite doesn't)
        assert repr(a.requires_grad_()) == repr(t.requires_grad_()).replace("torch.", "")


def test_torch_bfloat16_tensors_convert():
    t = torch.randn(3, 4).bfloat16()
    assert ag.tensor(to_numpy(t)).dtype == ag.bfloat16
    np.testing.assert_array_equal(bits(to_torch(ag.tensor(to_numpy(t)).numpy())), bits(t))


def test_float32_optimizer_state_loads_into_bfloat16_parameters_as_torch():
    """PyTorch casts a floating state to its parameter's dtype on load (the step stays)."""
    w = torch.nn.Parameter(torch.randn(3).bfloat16())
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.randn(3).bfloat16()
    opt.step()
    state = {k: v.float() for k, v in opt.state_dict()["state"][0].items()}
    groups = opt.state_dict()["param_groups"]
    w2 = torch.nn.Parameter(torch.randn(3).bfloat16())
    opt_t = torch.optim.Adam([w2], lr=0.1)
    opt_t.load_state_dict({"state": {0: state}, "param_groups": groups})
    a = nn.Parameter(ag.randn(3).bfloat16())
    opt_a = optim.Adam([a], lr=0.1)
    opt_a.load_state_dict({"state": {0: {k: ag.tensor(v.numpy()) for k, v in state.items()}},
                           "param_groups": groups})
    for key in ("exp_avg", "exp_avg_sq"):
        same_bits(opt_a.state[a][key], opt_t.state[w2][key])


def test_bfloat16_scaling_exports_to_onnx():
    """x * number and x / number on bfloat16 (ScaleWide) export as Mul and Div; ONNX's
    reference evaluator runs the graph in bfloat16 (its constant rounded to bfloat16, so
    within a step of ours)."""
    onnx = pytest.importorskip("onnx")
    from onnx.reference import ReferenceEvaluator

    import autograd_lite.onnx as agonnx

    class Scale(nn.Module):
        def forward(self, x):
            return (x * 0.3) / 1.7

    x = ag.randn(4, 3).bfloat16()
    proto = agonnx.export(Scale(), x, None)
    onnx.checker.check_model(proto, full_check=True)
    assert [n.op_type for n in proto.graph.node] == ["Mul", "Div"]
    (got,) = ReferenceEvaluator(proto).run(None, {"x": x.numpy()})
    assert got.dtype == BF16
    np.testing.assert_allclose(got.astype(np.float32), Scale()(x).float().numpy(), rtol=1.6e-2, atol=1e-3)
