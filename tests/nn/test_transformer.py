"""nn.Transformer, TransformerEncoder/Decoder and their layers against PyTorch:
state_dict keys, loading both ways, outputs in eval mode and the gradients of every
parameter (float64 and float32, batch_first and norm_first both ways), masks and
causal flags, deep-copied layers, initialisation, PyTorch's inference fast paths
(nested tensors, NaN rows), errors."""
import copy
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import torch_dtype

TOL = {np.dtype("float64"): dict(rtol=1e-7, atol=1e-9), np.dtype("float32"): dict(rtol=2e-4, atol=2e-5)}
DTYPES = (np.float64, np.float32)
D, H, FF = 8, 2, 16


def _close(a, t, what, tol=None):
    tn = t.detach().numpy()
    an = a.detach().numpy()
    assert an.shape == tn.shape, f"{what}: shape {an.shape} != {tn.shape}"
    assert an.dtype == tn.dtype, f"{what}: dtype {an.dtype} != {tn.dtype}"
    np.testing.assert_allclose(an, tn, err_msg=what, equal_nan=True, **(tol or TOL[tn.dtype]))


def _build(make, dtype, direction="torch_to_ours"):
    """make(lib) in both libraries with one set of weights, loaded one way or the other."""
    torch.manual_seed(0)
    ag.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = make(torch).to(torch_dtype(dtype))
        ours = make(ag).to(dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if direction == "torch_to_ours":
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    else:
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _tensors(arrays, dtype):
    """{name: array} as autograd_lite and torch tensors (float arrays cast, requiring grad)."""
    out_a, out_t = {}, {}
    for k, x in arrays.items():
        if x is None:
            out_a[k] = out_t[k] = None
            continue
        if x.dtype.kind == "f":
            x = x.astype(dtype)
        grad = x.dtype.kind == "f" and k in ("src", "tgt", "memory")
        out_a[k] = ag.tensor(x, requires_grad=grad)
        out_t[k] = torch.tensor(x, requires_grad=grad)
    return out_a, out_t


def _compare(ours, theirs, arrays, call, dtype, grad=True):
    ours.eval()
    theirs.eval()
    ta, tt = _tensors(arrays, dtype)
    out_a, out_t = call(ours, ta), call(theirs, tt)
    _close(out_a, out_t, "output")
    if not grad:
        return out_a, out_t
    w = np.random.default_rng(9).standard_normal(tuple(out_t.shape)).astype(dtype)
    (out_a * ag.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, params_t[name].grad, f"grad of {name}")
    for k in ta:
        if ta[k] is not None and ta[k].requires_grad:
            _close(ta[k].grad, tt[k].grad, f"grad of {k}")
    return out_a, out_t


def _seq(rng, n, length, batch_first, batch=3):
    shape = (batch, length, D) if batch_first else (length, batch, D)
    return rng.standard_normal(shape)


def _padding(rng, batch, length):
    kpm = np.zeros((batch, length), bool)
    kpm[1, length - 2:] = True
    kpm[2, length - 1:] = True
    return kpm


# ---- the whole model, both loading directions, every flag --------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
@pytest.mark.parametrize("direction", ["torch_to_ours", "ours_to_torch"])
def test_transformer_matches_torch(direction, norm_first, batch_first, dtype):
    def make(lib):
        return lib.nn.Transformer(D, H, 2, 2, FF, batch_first=batch_first, norm_first=norm_first)
    ours, theirs = _build(make, dtype, direction)
    rng = np.random.default_rng(0)
    arrays = dict(src=_seq(rng, 3, 6, batch_first), tgt=_seq(rng, 3, 5, batch_first),
                  src_key_padding_mask=_padding(rng, 3, 6), memory_key_padding_mask=_padding(rng, 3, 6),
                  tgt_mask=np.triu(np.full((5, 5), -np.inf), 1), tgt_key_padding_mask=_padding(rng, 3, 5))

    def call(m, t):
        return m(t["src"], t["tgt"], tgt_mask=t["tgt_mask"], src_key_padding_mask=t["src_key_padding_mask"],
                 memory_key_padding_mask=t["memory_key_padding_mask"],
                 tgt_key_padding_mask=t["tgt_key_padding_mask"])
    _compare(ours, theirs, arrays, call, dtype)


@pytest.mark.parametrize("options", [
    dict(activation="gelu"),
    dict(activation="relu", bias=False),
    dict(layer_norm_eps=1e-3, dropout=0.0),
    dict(activation=lambda x: x.sigmoid() * x),
], ids=["gelu", "no_bias", "eps", "callable"])
def test_transformer_options_match_torch(options):
    def make(lib):
        return lib.nn.Transformer(D, H, 1, 2, FF, batch_first=True, **options)
    ours, theirs = _build(make, np.float64)
    rng = np.random.default_rng(1)
    arrays = dict(src=_seq(rng, 3, 6, True), tgt=_seq(rng, 3, 5, True),
                  src_mask=rng.standard_normal((6, 6)), memory_mask=rng.random((5, 6)) < 0.2)

    def call(m, t):
        return m(t["src"], t["tgt"], src_mask=t["src_mask"], memory_mask=t["memory_mask"],
                 tgt_is_causal=False)
    _compare(ours, theirs, arrays, call, np.float64)


def test_unbatched_transformer_matches_torch():
    ours, theirs = _build(lambda lib: lib.nn.Transformer(D, H, 1, 1, FF), np.float64)
    rng = np.random.default_rng(2)
    arrays = dict(src=rng.standard_normal((6, D)), tgt=rng.standard_normal((4, D)))
    _compare(ours, theirs, arrays, lambda m, t: m(t["src"], t["tgt"]), np.float64)


# ---- encoder and decoder stacks ---------------------------------------------------------------
MASKS = [
    dict(),
    dict(mask="causal_float"),
    dict(mask="causal_bool"),
    dict(mask="causal_float", is_causal=True),
    dict(mask="random_bool", src_key_padding_mask="kpm"),
    dict(mask="float"),
    dict(src_key_padding_mask="float_kpm"),
]


def _encoder_args(rng, spec, length=6):
    out = {}
    mask = spec.get("mask")
    if mask == "causal_float":
        out["mask"] = np.triu(np.full((length, length), -np.inf), 1)
    elif mask == "causal_bool":
        out["mask"] = np.triu(np.ones((length, length), bool), 1)
    elif mask == "random_bool":
        m = rng.random((length, length)) < 0.3
        np.fill_diagonal(m, False)
        out["mask"] = m
    elif mask == "float":
        out["mask"] = rng.standard_normal((length, length))
    if spec.get("src_key_padding_mask") == "kpm":
        out["src_key_padding_mask"] = _padding(rng, 3, length)
    elif spec.get("src_key_padding_mask") == "float_kpm":
        out["src_key_padding_mask"] = rng.standard_normal((3, length))
    return out


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("spec", MASKS, ids=[str(i) for i in range(len(MASKS))])
def test_encoder_masks_match_torch(spec, batch_first, dtype):
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=batch_first)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(D))
    ours, theirs = _build(make, dtype)
    rng = np.random.default_rng(3)
    arrays = dict(src=_seq(rng, 3, 6, batch_first), **_encoder_args(rng, spec))
    is_causal = spec.get("is_causal")

    def call(m, t):
        kw = {k: v for k, v in t.items() if k != "src"}
        return m(t["src"], is_causal=is_causal, **kw)
    _compare(ours, theirs, arrays, call, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
@pytest.mark.parametrize("causal", ["mask", "flag", "none"])
def test_decoder_matches_torch(causal, norm_first, dtype):
    def make(lib):
        layer = lib.nn.TransformerDecoderLayer(D, H, FF, batch_first=True, norm_first=norm_first)
        return lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(D))
    ours, theirs = _build(make, dtype)
    rng = np.random.default_rng(4)
    arrays = dict(tgt=_seq(rng, 3, 5, True), memory=_seq(rng, 3, 6, True),
                  tgt_mask=None if causal == "none" else np.triu(np.ones((5, 5), bool), 1),
                  memory_key_padding_mask=_padding(rng, 3, 6),
                  tgt_key_padding_mask=_padding(rng, 3, 5))

    def call(m, t):
        return m(t["tgt"], t["memory"], tgt_mask=t["tgt_mask"], tgt_is_causal=causal == "flag" or None,
                 memory_key_padding_mask=t["memory_key_padding_mask"],
                 tgt_key_padding_mask=t["tgt_key_padding_mask"])
    _compare(ours, theirs, arrays, call, dtype)


def test_layers_alone_match_torch_in_training_without_dropout():
    rng = np.random.default_rng(5)
    for make in (lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, norm_first=True),
                 lambda lib: lib.nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, activation="gelu")):
        ours, theirs = _build(make, np.float64)
        ours.train()
        theirs.train()
        x, mem = rng.standard_normal((5, 3, D)), rng.standard_normal((6, 3, D))
        ta, tt = _tensors(dict(src=x, memory=mem), np.float64)
        if isinstance(ours, nn.TransformerEncoderLayer):
            out_a, out_t = ours(ta["src"]), theirs(tt["src"])
        else:
            out_a, out_t = ours(ta["src"], ta["memory"]), theirs(tt["src"], tt["memory"])
        _close(out_a, out_t, "output")


# ---- structure: state_dict keys, deep copies, initialisation, masks ------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Transformer(D, H, 2, 1, FF),
    lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF), 3),
    lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(D, H, FF, bias=False), 2,
                                          lib.nn.LayerNorm(D)),
], ids=["transformer", "encoder", "decoder"])
def test_state_dict_keys_shapes_and_repr_match_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = make(ag), make(torch)
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    assert all(tuple(sd_o[k].shape) == tuple(sd_t[k].shape) for k in sd_t)
    assert repr(ours) == repr(theirs)


def test_encoder_layers_are_deep_copies_of_the_given_layer():
    layer = nn.TransformerEncoderLayer(D, H, FF)
    enc = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    layers = list(enc.layers)
    assert len(layers) == 3 and enc.num_layers == 3
    assert all(lay is not layer for lay in layers) and len({id(lay) for lay in layers}) == 3
    for lay in layers:
        for (name, p), (_, q) in zip(lay.named_parameters(), layer.named_parameters()):
            assert p is not q and np.array_equal(p.detach().numpy(), q.detach().numpy()), name
    with ag.no_grad():
        layers[0].linear1.weight.add_(1.0)
    assert not np.array_equal(layers[0].linear1.weight.detach().numpy(),
                              layers[1].linear1.weight.detach().numpy())
    assert not np.array_equal(layers[0].linear1.weight.detach().numpy(),
                              layer.linear1.weight.detach().numpy())
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(D, H, FF), 2)
    assert dec.layers[0] is not dec.layers[1]


def test_transformer_initialisation():
    ag.manual_seed(0)
    m = nn.Transformer(32, 4, 1, 1, 64)
    for name, p in m.named_parameters():
        x = p.detach().numpy()
        if x.ndim > 1:  # xavier_uniform_: U(-a, a), a = sqrt(6 / (fan_in + fan_out))
            a = np.sqrt(6 / sum(x.shape))
            assert np.abs(x).max() <= a and np.abs(x).max() > 0.8 * a, name
        elif "norm" in name:
            assert np.all(x == (1 if name.endswith("weight") else 0)), name
        else:
            assert np.all(x == 0) or "linear" in name, name


def test_generate_square_subsequent_mask_matches_torch():
    for dtype, tdtype in ((None, None), (ag.float64, torch.float64), (ag.bool, torch.bool)):
        ours = nn.Transformer.generate_square_subsequent_mask(4, dtype=dtype)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=tdtype)
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert isinstance(nn.Transformer.__dict__["generate_square_subsequent_mask"], staticmethod)


def test_nested_tensor_warning_matches_torch():
    messages = []
    for lib in (torch, ag):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF), 2)
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True), 2)
        messages.append([str(w.message) for w in caught if "nested" in str(w.message)])
    assert messages[0] == messages[1] and len(messages[0]) == 1


# ---- PyTorch's inference fast paths ---------------------------------------------------------------
@pytest.mark.parametrize("left_aligned", [True, False])
def test_eval_without_grad_zeroes_padding_as_torch_nested_tensors(left_aligned):
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
        norm = lib.nn.LayerNorm(D)
        return lib.nn.TransformerEncoder(layer, 2, norm=norm)
    ours, theirs = _build(make, np.float32)
    with torch.no_grad():
        theirs.norm.bias.add_(0.5)  # the padded zeros go through the final norm
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(6)
    x = _seq(rng, 3, 6, True).astype(np.float32)
    kpm = _padding(rng, 3, 6)
    if not left_aligned:
        kpm[0, 1] = True
    ours.eval()
    theirs.eval()
    with torch.no_grad():
        out_t = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
    with ag.no_grad():
        out_a = ours(ag.tensor(x), src_key_padding_mask=ag.tensor(kpm))
    _close(out_a, out_t, "output")
    with_grad = ours(ag.tensor(x), src_key_padding_mask=ag.tensor(kpm))  # no packing: computed
    differs = not np.allclose(with_grad.detach().numpy()[1, -1], out_a.numpy()[1, -1])
    assert differs == left_aligned


@pytest.mark.parametrize("mode", ["train", "eval", "eval_no_grad"])
def test_fully_masked_rows_match_torch_on_every_path(mode):
    """NaN on PyTorch's fused encoder-layer path (eval, no gradient), zeros elsewhere."""
    def make(lib):
        return lib.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, batch_first=True)
    ours, theirs = _build(make, np.float32)
    rng = np.random.default_rng(7)
    x = _seq(rng, 3, 5, True).astype(np.float32)
    mask = np.zeros((5, 5), bool)
    mask[1] = True
    outs = []
    for lib, m in ((ag, ours), (torch, theirs)):
        m.train(mode == "train")
        if mode == "eval_no_grad":
            with lib.no_grad():
                outs.append(m(lib.tensor(x), src_mask=lib.tensor(mask)))
        else:
            outs.append(m(lib.tensor(x), src_mask=lib.tensor(mask)))
    _close(outs[0], outs[1], "output")
    assert np.isnan(outs[0].detach().numpy()[:, 1]).all() == (mode == "eval_no_grad")


def test_a_layer_with_hooks_leaves_the_fast_path_as_torch():
    def make(lib):
        return lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
    ours, theirs = _build(make, np.float32)
    x = _seq(np.random.default_rng(8), 3, 5, True).astype(np.float32)
    mask = np.zeros((5, 5), bool)
    mask[1] = True
    outs = []
    for lib, m in ((ag, ours), (torch, theirs)):
        m.eval()
        m.linear1.register_forward_hook(lambda mod, inp, out: None)
        with lib.no_grad():
            outs.append(m(lib.tensor(x), src_mask=lib.tensor(mask)))
    _close(outs[0], outs[1], "output")
    assert not np.isnan(outs[0].numpy()).any()


# ---- training and errors ----------------------------------------------------------------------------
def test_training_with_dropout_runs_backward_and_differs_per_call():
    ag.manual_seed(0)
    model = nn.Transformer(D, H, 1, 1, FF, dropout=0.3, batch_first=True)
    src, tgt = ag.randn(2, 5, D), ag.randn(2, 4, D)
    a = model(src, tgt)
    b = model(src, tgt)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    a.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_deepcopy_of_a_whole_model_keeps_outputs():
    model = nn.Transformer(D, H, 1, 1, FF).eval()
    clone = copy.deepcopy(model)
    src, tgt = ag.randn(5, 2, D), ag.randn(4, 2, D)
    np.testing.assert_array_equal(model(src, tgt).detach().numpy(), clone(src, tgt).detach().numpy())


@pytest.mark.parametrize("call", [
    lambda lib, m: m(lib.ones(5, 2, D), lib.ones(4, 3, D)),
    lambda lib, m: m(lib.ones(5, 2, D), lib.ones(4, 2, D + 1)),
    lambda lib, m: lib.nn.TransformerEncoderLayer(D, H, FF, activation="tanh"),
], ids=["batch", "d_model", "activation"])
def test_errors_match_torch_in_type(call):
    errors = []
    for lib in (torch, ag):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = lib.nn.Transformer(D, H, 1, 1, FF)
        try:
            call(lib, m)
        except Exception as e:  # noqa: BLE001 - the type is what's compared
            errors.append(type(e))
        else:
            errors.append(None)
    assert errors[0] is not None and errors[1] is not None and issubclass(errors[1], errors[0]), errors
