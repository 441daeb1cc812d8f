"""scaled_dot_product_attention beyond the op table (fully masked rows, mask dtypes,
errors, dropout statistics, float16) and nn.MultiheadAttention against PyTorch:
parameters, initialisation, repr, outputs, weights and every gradient over its
options, the fast path's NaN rows, errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import torch_dtype
from nn_helpers import assert_state_dict_like, load_from_torch

TOL = {np.dtype("float64"): dict(rtol=1e-7, atol=1e-9), np.dtype("float32"): dict(rtol=1e-4, atol=1e-5)}
DTYPES = (np.float64, np.float32)


def _close(a, t, what, tol=None):
    tn = t.detach().numpy()
    an = a.detach().numpy()
    assert an.shape == tn.shape, f"{what}: shape {an.shape} != {tn.shape}"
    assert an.dtype == tn.dtype, f"{what}: dtype {an.dtype} != {tn.dtype}"
    np.testing.assert_allclose(an, tn, err_msg=what, equal_nan=True, **(tol or TOL[tn.dtype]))


def _pair(x, grad=True):
    return ag.tensor(x, requires_grad=grad), torch.tensor(x, requires_grad=grad)


# ---- scaled_dot_product_attention ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_give_zeros_and_zero_gradients(kind, dtype):
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal(s).astype(dtype) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    keep = rng.random((2, 1, 4, 6)) < 0.6
    keep[:, :, 1] = False
    keep[0, :, 3] = False
    mask = keep if kind == "bool" else np.where(keep, 0.5, -np.inf).astype(dtype)
    leaves = [_pair(a) for a in (q, k, v)]
    m_a, m_t = _pair(mask, grad=False)
    out_a = F.scaled_dot_product_attention(*(p[0] for p in leaves), attn_mask=m_a)
    out_t = TF.scaled_dot_product_attention(*(p[1] for p in leaves), attn_mask=m_t)
    _close(out_a, out_t, "output")
    assert np.all(out_a.detach().numpy()[:, :, 1] == 0)
    w = rng.standard_normal(out_t.shape).astype(dtype)
    (out_a * ag.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    for i, (a, t) in enumerate(leaves):
        _close(a.grad, t.grad, f"grad {i}")
    assert np.all(leaves[0][0].grad.numpy()[:, :, 1] == 0)


def test_a_float32_mask_with_float64_inputs_keeps_its_dtype_in_the_gradient():
    rng = np.random.default_rng(1)
    q = rng.standard_normal((2, 4, 3))
    mask = rng.standard_normal((4, 4)).astype(np.float32)
    (qa, qt), (ma, mt) = _pair(q), _pair(mask)
    out_a = F.scaled_dot_product_attention(qa, qa, qa, ma)
    out_t = TF.scaled_dot_product_attention(qt, qt, qt, mt)
    _close(out_a, out_t, "output")
    out_a.sum().backward()
    out_t.sum().backward()
    _close(ma.grad, mt.grad, "mask grad", tol=dict(rtol=1e-5, atol=1e-6))


def _error(fn_a, fn_t):
    with pytest.raises(Exception) as expected:
        fn_t()
    with pytest.raises(Exception) as got:
        fn_a()
    assert isinstance(got.value, type(expected.value)), (got.value, expected.value)
    assert "scaled_dot_product_attention" in str(got.value) or "dropout" in str(got.value)


def _t(*shape, dtype=np.float64):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("case", [
    dict(q=_t(8), k=_t(8), v=_t(8)),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8, dtype=np.float32), v=_t(2, 5, 6)),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 7), v=_t(2, 5, 6)),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 6, 6)),
    dict(q=_t(2, 4, 8), k=_t(3, 5, 8), v=_t(3, 5, 6)),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 5, 6), attn_mask=np.ones((4, 5), bool), is_causal=True),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 5, 6), attn_mask=np.zeros((4, 5), np.int64)),
    dict(q=_t(2, 4, 8, dtype=np.float32), k=_t(2, 5, 8, dtype=np.float32),
         v=_t(2, 5, 6, dtype=np.float32), attn_mask=np.zeros((4, 5))),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 5, 6), attn_mask=np.zeros((3, 5))),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 5, 6), attn_mask=np.zeros((5,))),
    dict(q=_t(1, 4, 8), k=_t(1, 5, 8), v=_t(1, 5, 6), attn_mask=np.zeros((2, 4, 5))),
    dict(q=_t(2, 4, 8), k=_t(2, 5, 8), v=_t(2, 5, 6), dropout_p=1.5),
    dict(q=_t(2, 6, 4, 8), k=_t(2, 4, 5, 8), v=_t(2, 4, 5, 6), enable_gqa=True),
    dict(q=_t(4, 8), k=_t(5, 8), v=_t(5, 6), enable_gqa=True),
    dict(q=_t(2, 6, 4, 8), k=_t(2, 2, 5, 8), v=_t(2, 2, 5, 6)),
], ids=["1d", "dtypes", "embed", "seq", "batch", "mask_and_causal", "int_mask", "f64_mask_f32",
        "mask_shape", "mask_1d", "mask_grows_batch", "dropout_range", "gqa_divide", "gqa_2d",
        "heads_without_gqa"])
def test_errors_match_torch_in_type(case):
    case = dict(case)
    q, k, v = case.pop("q"), case.pop("k"), case.pop("v")
    kw_t = {n: torch.tensor(x) if isinstance(x, np.ndarray) else x for n, x in case.items()}
    kw_a = {n: ag.tensor(x) if isinstance(x, np.ndarray) else x for n, x in case.items()}
    _error(lambda: F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v), **kw_a),
           lambda: TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v), **kw_t))


def test_integer_inputs_are_refused():
    x = ag.ones(2, 3, 4, dtype=ag.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        F.scaled_dot_product_attention(x, x, x)


def test_scale_and_enable_gqa_are_keyword_only():
    x = ag.ones(2, 3, 4)
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(x, x, x, None, 0.0, False, 0.5)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_drops_weights_at_rate_p_and_rescales(p):
    """Uniform weights (q = 0) on v = I: out[i, j] = weight * keep / (1 - p), so the
    zero fraction estimates p and the mean stays 1/S."""
    ag.manual_seed(0)
    s = 64
    q = ag.zeros(8, 32, 4, dtype=ag.float64)
    k = ag.zeros(8, s, 4, dtype=ag.float64)
    v = ag.tensor(np.broadcast_to(np.eye(s), (8, s, s)).copy())
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=p).numpy()
    scaled = out * s * (1 - p)
    assert np.allclose(scaled[scaled != 0], 1.0)
    assert abs(np.mean(scaled == 0) - p) < 0.02
    assert abs(out.mean() * s - 1) < 0.05


def test_dropout_is_repeatable_with_the_seed_and_its_gradient_uses_the_same_mask():
    rng = np.random.default_rng(3)
    q, k, v = (ag.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True) for _ in range(3))

    def run():
        ag.manual_seed(7)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert np.array_equal(run().detach().numpy(), run().detach().numpy())
    assert ag.autograd.gradcheck(lambda a, b, c: (ag.manual_seed(7),
                                                  F.scaled_dot_product_attention(a, b, c, dropout_p=0.5))[1],
                                 (q, k, v))


def test_float16_computes_in_float32_as_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 8)).astype(np.float16)
    a, t = _pair(x)
    out_a = F.scaled_dot_product_attention(a, a, a, is_causal=True)
    out_t = TF.scaled_dot_product_attention(t, t, t, is_causal=True)
    _close(out_a, out_t, "output", tol=dict(rtol=2e-3, atol=2e-3))
    out_a.sum().backward()
    out_t.sum().backward()
    _close(a.grad, t.grad, "grad", tol=dict(rtol=1e-2, atol=1e-2))


# ---- MultiheadAttention ------------------------------------------------------------------------
CONFIGS = [
    dict(),
    dict(bias=False),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True, add_bias_kv=True),
    dict(kdim=3, vdim=5),
    dict(kdim=3, vdim=5, bias=False),
    dict(dropout=0.3),
]


def _mha_pair(dtype, **kw):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(8, 2, dtype=torch_dtype(dtype), **kw)
    ours = nn.MultiheadAttention(8, 2, dtype=dtype, **kw)
    assert_state_dict_like(ours, theirs)
    load_from_torch(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("config", CONFIGS, ids=[str(i) for i in range(len(CONFIGS))])
def test_parameters_state_dict_and_repr_match_torch(config):
    ours, theirs = _mha_pair(np.float32, **config)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                 "bias_k", "bias_v"):
        assert (getattr(ours, name) is None) == (getattr(theirs, name) is None), name
    assert ours._qkv_same_embed_dim == theirs._qkv_same_embed_dim
    assert ours.head_dim == theirs.head_dim == 4


def test_initialisation_follows_torch():
    ag.manual_seed(0)
    m = nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on (3E, E)
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(m.in_proj_bias.detach().numpy() == 0) and np.all(m.out_proj.bias.detach().numpy() == 0)
    ow = m.out_proj.weight.detach().numpy()  # Linear's default: U(-1/sqrt(E), 1/sqrt(E))
    assert np.abs(ow).max() <= 1 / 8 and np.abs(ow).max() > 0.9 / 8
    assert abs(m.bias_k.detach().numpy().std() - np.sqrt(2 / (64 + 64))) < 0.05
    sep = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    kb = np.sqrt(6 / (8 + 3))
    assert np.abs(sep.k_proj_weight.detach().numpy()).max() <= kb
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(m.out_proj, nn.Linear)


def _mha_inputs(rng, batch_first, batched, kdim=8, vdim=8, same=True, length=5, src=6):
    def shape(n, e):
        if not batched:
            return (n, e)
        return (3, n, e) if batch_first else (n, 3, e)
    q = rng.standard_normal(shape(length, 8))
    if same:
        return q, None, None
    return q, rng.standard_normal(shape(src, kdim)), rng.standard_normal(shape(src, vdim))


CALLS = [
    dict(),
    dict(need_weights=False),
    dict(average_attn_weights=False),
    dict(key_padding_mask="kpm"),
    dict(attn_mask="bool", key_padding_mask="kpm", need_weights=False),
    dict(attn_mask="float"),
    dict(attn_mask="3d", need_weights=False),
    dict(attn_mask="causal", is_causal=True, need_weights=False),
    dict(attn_mask="causal", is_causal=True, key_padding_mask="kpm"),
    dict(key_padding_mask="float_kpm", need_weights=False),
]


def _masks(call, rng, batched, length, src, dtype):
    out = dict(call)
    n = 3 if batched else 1
    if out.get("key_padding_mask") == "kpm":
        kpm = rng.random((n, src)) < 0.3
        kpm[:, 0] = False
        out["key_padding_mask"] = kpm if batched else kpm[0]
    elif out.get("key_padding_mask") == "float_kpm":
        kpm = rng.standard_normal((n, src)).astype(dtype)
        out["key_padding_mask"] = kpm if batched else kpm[0]
    mask = out.get("attn_mask")
    if mask == "bool":
        m = rng.random((length, src)) < 0.3
        m[:, 1] = False
        out["attn_mask"] = m
    elif mask == "float":
        out["attn_mask"] = rng.standard_normal((length, src)).astype(dtype)
    elif mask == "3d":
        out["attn_mask"] = rng.standard_normal((n * 2, length, src)).astype(dtype)
    elif mask == "causal":
        out["attn_mask"] = np.triu(np.ones((length, src), bool), 1)
    return out


def _run_mha(ours, theirs, q, k, v, call, dtype, rng, train=False):
    ours.train(train)
    theirs.train(train)
    leaves = [None if x is None else _pair(x.astype(dtype)) for x in (q, k, v)]
    args_a = [leaves[0][0]] * 3 if k is None else [p[0] for p in leaves]
    args_t = [leaves[0][1]] * 3 if k is None else [p[1] for p in leaves]
    kw_a = {n: ag.tensor(x) if isinstance(x, np.ndarray) else x for n, x in call.items()}
    kw_t = {n: torch.tensor(x) if isinstance(x, np.ndarray) else x for n, x in call.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_a, w_a = ours(*args_a, **kw_a)
        out_t, w_t = theirs(*args_t, **kw_t)
    _close(out_a, out_t, "output")
    assert (w_a is None) == (w_t is None)
    if w_t is not None:
        _close(w_a, w_t, "weights")
    g = rng.standard_normal(out_t.shape).astype(dtype)
    loss_a = (out_a * ag.tensor(g)).sum()
    loss_t = (out_t * torch.tensor(g)).sum()
    if w_t is not None:
        gw = rng.standard_normal(w_t.shape).astype(dtype)
        loss_a = loss_a + (w_a * ag.tensor(gw)).sum()
        loss_t = loss_t + (w_t * torch.tensor(gw)).sum()
    loss_a.backward()
    loss_t.backward()
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, params_t[name].grad, f"grad of {name}")
    for i, pair in enumerate(leaves):
        if pair is not None:
            _close(pair[0].grad, pair[1].grad, f"grad of input {i}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("call", CALLS, ids=[str(i) for i in range(len(CALLS))])
def test_self_attention_matches_torch(call, batch_first, dtype):
    rng = np.random.default_rng(0)
    ours, theirs = _mha_pair(dtype, batch_first=batch_first)
    q, k, v = _mha_inputs(rng, batch_first, True)
    _run_mha(ours, theirs, q, k, v, _masks(call, rng, True, 5, 5, dtype), dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("config", CONFIGS[:-1], ids=[str(i) for i in range(len(CONFIGS) - 1)])
@pytest.mark.parametrize("call", [CALLS[0], CALLS[4]], ids=["plain", "masks"])
def test_options_match_torch(call, config, batch_first, dtype):
    rng = np.random.default_rng(1)
    ours, theirs = _mha_pair(dtype, batch_first=batch_first, **config)
    q, k, v = _mha_inputs(rng, batch_first, True, config.get("kdim", 8), config.get("vdim", 8),
                          same=False)
    _run_mha(ours, theirs, q, k, v, _masks(call, rng, True, 5, 6, dtype), dtype, rng)


@pytest.mark.parametrize("call", [CALLS[0], CALLS[3], CALLS[4], CALLS[6]], ids=str)
@pytest.mark.parametrize("same", [True, False])
def test_unbatched_inputs_match_torch(same, call):
    rng = np.random.default_rng(2)
    ours, theirs = _mha_pair(np.float64, batch_first=True)
    q, k, v = _mha_inputs(rng, True, False, same=same, src=5)
    _run_mha(ours, theirs, q, k, v, _masks(call, rng, False, 5, 5, np.float64), np.float64, rng)


def test_training_without_dropout_matches_torch():
    rng = np.random.default_rng(3)
    ours, theirs = _mha_pair(np.float64, batch_first=True, add_bias_kv=True)
    q, k, v = _mha_inputs(rng, True, True, same=False)
    _run_mha(ours, theirs, q, k, v, _masks(CALLS[4], rng, True, 5, 6, np.float64), np.float64, rng,
             train=True)


def test_dropout_applies_in_training_only():
    ag.manual_seed(0)
    m = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = ag.randn(2, 5, 8)
    a, b = m(x, x, x)[0], m(x, x, x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    a, b = m(x, x, x)[0], m(x, x, x)[0]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("need_weights", [False, True])
@pytest.mark.parametrize("mode", ["train", "eval", "eval_no_grad"])
def test_fully_masked_rows_are_nan_or_zero_as_in_torch(mode, need_weights):
    """PyTorch: NaN where the weights are computed explicitly and on its inference
    fast path (eval, no gradient needed), zeros through scaled_dot_product_attention."""
    ours, theirs = _mha_pair(np.float32, batch_first=True)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 8)).astype(np.float32)
    kpm = np.zeros((3, 5), bool)
    kpm[1] = True
    am = np.zeros((5, 5), bool)
    am[2] = True
    ours.train(mode == "train")
    theirs.train(mode == "train")
    results = []
    for lib, m in ((ag, ours), (torch, theirs)):
        t = lib.tensor(x)
        if mode == "eval_no_grad":
            with lib.no_grad():
                results.append(m(t, t, t, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am),
                                 need_weights=need_weights))
        else:
            results.append(m(t, t, t, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am),
                             need_weights=need_weights))
    (out_a, w_a), (out_t, w_t) = results
    _close(out_a, out_t, "output")
    if need_weights:
        _close(w_a, w_t, "weights")


def test_merge_masks_matches_torch():
    ours, theirs = _mha_pair(np.float32, batch_first=True)
    rng = np.random.default_rng(5)
    am = rng.standard_normal((4, 4)).astype(np.float32)
    kpm = rng.standard_normal((3, 4)).astype(np.float32)
    x = np.zeros((3, 4, 8), np.float32)
    for args in ((am, kpm), (am, None), (None, kpm)):
        ma, ta = ours.merge_masks(*(None if a is None else ag.tensor(a) for a in args), ag.tensor(x))
        mt, tt = theirs.merge_masks(*(None if a is None else torch.tensor(a) for a in args),
                                    torch.tensor(x))
        assert ta == tt
        _close(ma, mt, "merged mask")


@pytest.mark.parametrize("make,call", [
    (lambda lib: lib.nn.MultiheadAttention(6, 4), None),
    (lambda lib: lib.nn.MultiheadAttention(0, 2), None),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda lib, m, x: m(x, x, x, is_causal=True)),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda lib, m, x: m(x, x, x, key_padding_mask=lib.zeros(3, 4, dtype=lib.bool))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda lib, m, x: m(x[None], x[None], x[None])),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda lib, m, x: m(x, x, x, attn_mask=lib.zeros(5, 5, dtype=lib.int64))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda lib, m, x: m(x, x, x, attn_mask=lib.zeros(4, 4))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda lib, m, x: m(x, x[:, :, :4], x[:, :, :4])),
], ids=["heads", "embed", "causal_without_mask", "kpm_shape", "4d", "int_mask", "mask_shape",
        "embed_of_key"])
def test_errors_match_torch_in_type(make, call):
    errors = []
    for lib in (torch, ag):
        try:
            m = make(lib)
            call(lib, m, lib.ones(5, 2, 8))
        except Exception as e:  # noqa: BLE001 - the type is what's compared
            errors.append(type(e))
        else:
            errors.append(None)
    assert errors[0] is not None and errors[1] is not None and issubclass(errors[1], errors[0]), errors


def test_mismatched_mask_dtypes_warn_as_torch():
    m = nn.MultiheadAttention(8, 2)
    x = ag.ones(5, 2, 8)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        m(x, x, x, key_padding_mask=ag.zeros(2, 5, dtype=ag.bool), attn_mask=ag.zeros(5, 5))
