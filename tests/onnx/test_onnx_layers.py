"""The layers main gained (GroupNorm, InstanceNorm, LocalResponseNorm, the dropout
variants, Fold/Unfold, PixelShuffle and friends, distances, the newer losses, and
attention: scaled_dot_product_attention, MultiheadAttention, the Transformer layers),
each exported with a dynamic batch axis and run in onnxruntime at two batch sizes
against autograd_lite's own outputs (float32: rtol = atol = 1e-5)."""
import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import Lambda, node_types, roundtrip  # noqa: E402


def randn(*shape):
    return lambda n: [ag.randn(n, *shape)]


def _randomize(module):
    """Parameters and float buffers away from their initial values."""
    for p in module.parameters():
        p.data.copy_(ag.randn(*p.shape) * 0.5)
    for name, buf in module.named_buffers():
        if buf.is_floating_point():
            buf.copy_(ag.rand(*buf.shape) + (0.5 if "var" in name else -0.5))


LAYERS = [
    ("group_norm", nn.GroupNorm(3, 6), randn(6, 4, 5)),
    ("group_norm_1d", nn.GroupNorm(2, 4, affine=False), randn(4, 7)),
    ("group_norm_flat", nn.GroupNorm(2, 6), randn(6)),
    ("instance_norm1d", nn.InstanceNorm1d(3), randn(3, 8)),
    ("instance_norm2d_affine", nn.InstanceNorm2d(3, affine=True), randn(3, 4, 5)),
    ("instance_norm2d_running", nn.InstanceNorm2d(3, affine=True, track_running_stats=True), randn(3, 4, 5)),
    ("instance_norm3d", nn.InstanceNorm3d(2), randn(2, 3, 3, 4)),
    ("local_response_norm", nn.LocalResponseNorm(3, 0.01, 0.75, 2.0), randn(5, 4, 4)),
    ("local_response_norm_1d", nn.LocalResponseNorm(2), randn(5, 6)),
    ("dropout_variants", nn.Sequential(nn.Dropout1d(0.5), nn.Dropout(0.3), nn.AlphaDropout(0.2),
                                       nn.FeatureAlphaDropout(0.4), nn.Conv1d(3, 4, 1)), randn(3, 6)),
    ("dropout2d", nn.Sequential(nn.Dropout2d(0.5), nn.Conv2d(3, 2, 1)), randn(3, 4, 4)),
    ("dropout3d", nn.Sequential(nn.Dropout3d(0.5), nn.Flatten(), nn.Linear(54, 3)), randn(2, 3, 3, 3)),
    ("unfold", nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), randn(3, 6, 7)),
    ("unfold_simple", nn.Unfold(2), randn(2, 4, 4)),
    ("fold", nn.Fold((5, 6), 2), randn(12, 20)),
    ("fold_strided", nn.Fold((7, 6), (3, 2), dilation=(2, 1), padding=(1, 0), stride=(2, 2)), randn(18, 9)),
    ("pixel_shuffle", nn.PixelShuffle(2), randn(8, 3, 3)),
    ("pixel_unshuffle", nn.PixelUnshuffle(2), randn(2, 4, 6)),
    ("channel_shuffle", nn.ChannelShuffle(3), randn(6, 2, 2)),
    ("upscale_block", nn.Sequential(nn.Conv2d(2, 8, 3, padding=1), nn.PixelShuffle(2), nn.Hardswish(),
                                    nn.GroupNorm(1, 2)), randn(2, 4, 5)),
    ("pairwise_distance", nn.PairwiseDistance(p=3.0), lambda n: [ag.randn(n, 5), ag.randn(n, 5)]),
    ("cosine_similarity", nn.CosineSimilarity(dim=1), lambda n: [ag.randn(n, 5), ag.randn(n, 5)]),
]


@pytest.mark.parametrize("name,module,make", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(name, module, make):
    ag.manual_seed(0)
    _randomize(module)
    n_in = len(make(2))
    roundtrip(module, make, batches=(2, 5), dynamic=((0,),) * n_in)


def test_dropout_left_on_in_eval_stays_random():
    """F.dropout's default training=True drops in eval mode too: so does the export,
    with ONNX's own draws (as PyTorch's export)."""
    model = Lambda(lambda x: F.dropout(x * 1.0, 0.5))
    proto = agonnx.export(model, ag.randn(2, 200), None)
    assert "Dropout" in node_types(proto)
    x = np.random.default_rng(0).uniform(1, 2, (2, 200)).astype(np.float32)
    got = ort.InferenceSession(proto.SerializeToString()).run(None, {proto.graph.input[0].name: x})[0]
    dropped = got == 0
    np.testing.assert_allclose(got[~dropped], 2 * x[~dropped], rtol=1e-6)
    assert 0.3 < dropped.mean() < 0.7


def test_fold_undoes_unfold_with_overlaps_summed():
    model = Lambda(lambda x: F.fold(F.unfold(x, 3, padding=1), (5, 6), 3, padding=1))
    proto = roundtrip(model, randn(2, 5, 6))
    assert {"Conv", "ConvTranspose"} <= node_types(proto)


def test_normalize_and_losses():
    roundtrip(Lambda(lambda x: F.normalize(x, p=2.0, dim=1)), randn(5))

    def make(n):
        return [ag.randn(n, 4), ag.randn(n, 4), ag.randint(0, 2, (n,)) * 2 - 1]

    losses = [lambda x, y, t: F.smooth_l1_loss(x, y, reduction="none", beta=0.5),
              lambda x, y, t: F.huber_loss(x, y, reduction="none", delta=0.7),
              lambda x, y, t: F.soft_margin_loss(x, y.sign(), reduction="none"),
              lambda x, y, t: F.cosine_embedding_loss(x, y, t, reduction="none"),
              lambda x, y, t: F.hinge_embedding_loss(x, y.sign(), reduction="none"),
              lambda x, y, t: F.gaussian_nll_loss(x, y, x.abs() + 0.1, reduction="none"),
              lambda x, y, t: F.poisson_nll_loss(x, y.abs(), reduction="none")]
    for loss in losses:
        roundtrip(Lambda(loss), make, dynamic=((0,), (0,), (0,)))


# ---- attention ---------------------------------------------------------------------------------------------
def test_scaled_dot_product_attention():
    ag.manual_seed(2)

    def make(n):
        return [ag.randn(n, 2, 5, 4), ag.randn(n, 2, 6, 4), ag.randn(n, 2, 6, 3)]

    proto = roundtrip(Lambda(F.scaled_dot_product_attention), make, dynamic=((0,),) * 3)
    assert {"MatMul", "Softmax"} <= node_types(proto)
    roundtrip(Lambda(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.3)), make,
              dynamic=((0,),) * 3)
    causal = ag.randn(1, 2, 5, 4)
    roundtrip(Lambda(lambda q: F.scaled_dot_product_attention(q, q, q, is_causal=True)), randn(2, 5, 4))
    roundtrip(Lambda(lambda q: F.scaled_dot_product_attention(q, causal, causal, is_causal=True)),
              randn(2, 3, 4))  # L < S: upper-left aligned


def test_attention_masks_as_inputs():
    """A float mask and a bool mask given as model inputs; a row with every key masked
    gives zeros, as the op's."""
    ag.manual_seed(3)

    def make(n, kind):
        m = ag.randn(n, 1, 5, 6)
        if kind == "bool":
            m = m > -0.5
            m[:, :, 0] = False  # no key for the first query
        return [ag.randn(n, 2, 5, 4), ag.randn(n, 2, 6, 4), ag.randn(n, 2, 6, 3), m]

    for kind in ("float", "bool"):
        roundtrip(Lambda(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m)),
                  lambda n: make(n, kind), dynamic=((0,),) * 4)


def test_causal_attention_over_a_dynamic_sequence():
    model = Lambda(lambda q: F.scaled_dot_product_attention(q, q * 0.5, q, is_causal=True))
    proto = roundtrip(model, lambda n: [ag.randn(2, 2, n + 2, 4)], dynamic=((2,),), out_axes=(2,))
    assert "Trilu" in node_types(proto)
    with pytest.raises(agonnx.ExportError, match="needs opset 14"):
        agonnx.export(model, ag.randn(2, 2, 4, 4), None, opset_version=13, input_names=["q"],
                      dynamic_axes={"q": [2]})


def test_attention_dropout_is_refused_while_training():
    model = Lambda(lambda q: F.scaled_dot_product_attention(q, q, q, dropout_p=0.3))
    with pytest.raises(agonnx.ExportError, match="dropout on the attention weights"):
        agonnx.export(model, ag.randn(2, 3, 4), None)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention(batch_first, need_weights):
    ag.manual_seed(4)
    mha = nn.MultiheadAttention(8, 2, dropout=0.1, batch_first=batch_first)
    _randomize(mha)

    def run(self, x, y):
        out, weights = self.mha(x, y, y, need_weights=need_weights)
        return (out, weights) if need_weights else out

    axis = 0 if batch_first else 1
    shape = (lambda n, s: (n, s, 8)) if batch_first else (lambda n, s: (s, n, 8))
    out_axes = (0,) if batch_first or need_weights else (1,)
    if need_weights:  # out and weights: the batch is dim 0 of the weights either way
        def check(n):
            return [ag.randn(*shape(n, 4)), ag.randn(*shape(n, 6))]
        model = Lambda(lambda self, x, y: run(self, x, y)[0], mha=mha)
        roundtrip(model, check, dynamic=((axis,), (axis,)), out_axes=(axis,))
        weights = Lambda(lambda self, x, y: run(self, x, y)[1], mha=mha)
        roundtrip(weights, check, dynamic=((axis,), (axis,)), out_axes=(0,))
    else:
        roundtrip(Lambda(run, mha=mha), lambda n: [ag.randn(*shape(n, 4)), ag.randn(*shape(n, 6))],
                  dynamic=((axis,), (axis,)), out_axes=out_axes)


def test_multihead_attention_kdim_bias_kv_and_masks():
    ag.manual_seed(5)
    mha = nn.MultiheadAttention(8, 4, kdim=5, vdim=3, add_bias_kv=True, add_zero_attn=True, batch_first=True)
    _randomize(mha)
    causal = nn.Transformer.generate_square_subsequent_mask(4)

    def run(self, q, k, v, pad):
        return self.mha(q, k, v, key_padding_mask=pad, need_weights=False)[0]

    def make(n):
        pad = ag.zeros(n, 6)
        pad[:, -2:] = float("-inf")
        return [ag.randn(n, 4, 8), ag.randn(n, 6, 5), ag.randn(n, 6, 3), pad]

    roundtrip(Lambda(run, mha=mha), make, dynamic=((0,),) * 4)
    self_attn = nn.MultiheadAttention(8, 2, batch_first=True)
    roundtrip(Lambda(lambda self, x: self.a(x, x, x, attn_mask=causal)[0], a=self_attn), randn(4, 8))


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # sequence-first, as PyTorch's
def test_transformer_decoder_layer_and_transformer():
    ag.manual_seed(6)
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.1, batch_first=True, norm_first=True)

    def make(n):
        return [ag.randn(n, 5, 8), ag.randn(n, 7, 8)]

    proto = roundtrip(layer, make, dynamic=((0,), (0,)))
    assert {"LayerNormalization", "Softmax", "MatMul"} <= node_types(proto)
    model = nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                           activation="gelu")
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    roundtrip(Lambda(lambda self, s, t: self.t(s, t, tgt_mask=mask), t=model),
              lambda n: [ag.randn(7, n, 8), ag.randn(5, n, 8)], dynamic=((1,), (1,)), out_axes=(1,))


def test_transformer_encoder_layer_activations():
    for activation in ("relu", "gelu", F.silu):
        ag.manual_seed(7)
        layer = nn.TransformerEncoderLayer(8, 2, 16, activation=activation, batch_first=True)
        roundtrip(layer, randn(5, 8))


def test_float64_attention():
    """The model's dtype is kept (compared at 1e-10)."""
    ag.manual_seed(8)
    mha = nn.MultiheadAttention(6, 3, batch_first=True).double()
    proto = roundtrip(Lambda(lambda self, x: self.m(x, x, x)[0], m=mha),
                      lambda n: [ag.randn(n, 4, 6, dtype=ag.float64)])
    assert proto.graph.output[0].type.tensor_type.elem_type == 11  # DOUBLE
