"""nn.TransformerEncoder exported to ONNX: sequence-first and batch-first, without and
with a src_key_padding_mask (bool or float, as a model input), checked with
onnx.checker and run in onnxruntime at two batch sizes with a dynamic batch axis
against autograd_lite's own outputs (float32: rtol = atol = 1e-5)."""
import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import node_types, roundtrip  # noqa: E402

TOL = dict(rtol=1e-5, atol=1e-5)


class TokenEncoder(nn.Module):
    """Embeddings, a 2-layer TransformerEncoder with a final LayerNorm, a per-token head."""

    def __init__(self, batch_first, vocab=20, d=16, heads=4, norm_first=False, nested=True):
        super().__init__()
        self.batch_first = batch_first
        self.embed = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=32, dropout=0.1, batch_first=batch_first,
                                           norm_first=norm_first)
        nested = nested and batch_first and not norm_first  # else PyTorch's warning says why not
        self.encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(d), enable_nested_tensor=nested)
        self.head = nn.Linear(d, 3)

    def forward(self, tokens, padding=None):
        x = self.embed(tokens)
        if not self.batch_first:
            x = x.transpose(0, 1)
        y = self.encoder(x, src_key_padding_mask=padding)
        return self.head(y)


def _tokens(n, length=7):
    """(N, S) tokens; the model transposes them for a sequence-first encoder."""
    return ag.randint(1, 20, (n, length))


def _padding(n, length, kind):
    """Each sample's last n_pad (0 to 3) positions padded, never a whole sample."""
    pad = np.zeros((n, length), bool)
    for i in range(n):
        pad[i, length - (i % 4):] = True
    if kind == "bool":
        return ag.tensor(pad)
    return ag.tensor(np.where(pad, -np.inf, 0.0).astype(np.float32))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_without_mask(batch_first, norm_first):
    ag.manual_seed(0)
    model = TokenEncoder(batch_first, norm_first=norm_first)
    proto = roundtrip(model, lambda n: [_tokens(n)], batches=(2, 5))
    assert {"LayerNormalization", "Softmax", "MatMul", "Gather"} <= node_types(proto)
    names = {t.name for t in proto.graph.initializer}  # weights MatMul reads transposed are folded anew
    assert {"embed.weight", "encoder.norm.weight", "encoder.layers.1.self_attn.in_proj_bias"} <= names


@pytest.mark.parametrize("batch_first", [True, False])
def test_encoder_with_dynamic_batch_and_sequence(batch_first):
    ag.manual_seed(1)
    model = TokenEncoder(batch_first)
    roundtrip(model, lambda n: [ag.randint(1, 20, (n, n + 4))], batches=(2, 3, 5), dynamic=((0, 1),),
              out_axes=(0, 1))


def _export(model, n, kind):
    tokens, padding = _tokens(n), _padding(n, 7, kind)
    f = io.BytesIO()
    agonnx.export(model, (tokens, padding), f, input_names=["tokens", "padding"], output_names=["logits"],
                  dynamic_axes={"tokens": {0: "batch"}, "padding": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load_from_string(f.getvalue()), full_check=True)
    return ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_encoder_with_key_padding_mask(kind, batch_first):
    """The mask is a model input: the exported model masks the padded keys of any batch.
    Sequence-first, and batch-first without nested tensors, match the model's
    inference outputs everywhere."""
    ag.manual_seed(2)
    model = TokenEncoder(batch_first, nested=False).eval()
    session = _export(model, 3, kind)
    for n in (2, 6):
        tokens, padding = _tokens(n), _padding(n, 7, kind)
        got = session.run(None, {"tokens": tokens.numpy(), "padding": padding.numpy()})[0]
        with ag.no_grad():
            want = model(tokens, padding).numpy()
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, **TOL)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_nested_tensor_inference_differs_only_at_padding(kind):
    """batch_first with nested tensors (the default): in no-grad inference autograd_lite,
    as PyTorch, returns zeros (then the final norm's bias) at padded positions, a fast path the
    trace (which needs gradients recorded) doesn't take; the exported model computes
    those positions as the model does with grad enabled, and agrees elsewhere."""
    ag.manual_seed(3)
    model = TokenEncoder(True).eval()
    session = _export(model, 3, kind)
    for n in (2, 6):
        tokens, padding = _tokens(n), _padding(n, 7, kind)
        got = session.run(None, {"tokens": tokens.numpy(), "padding": padding.numpy()})[0]
        with ag.enable_grad():
            traced_path = model(tokens, padding).detach().numpy()
        with ag.no_grad():
            inference = model(tokens, padding).numpy()
        np.testing.assert_allclose(got, traced_path, **TOL)
        kept = ~_padding(n, 7, "bool").numpy()
        np.testing.assert_allclose(got[kept], inference[kept], **TOL)
        assert not np.allclose(got[~kept], inference[~kept])
