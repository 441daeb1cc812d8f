"""autograd_lite.onnx.export on whole models (MLPs, LeNet, a convolutional
autoencoder, recurrent classifiers, a transformer encoder block), checked with
onnx.checker and run in onnxruntime at two batch sizes with a dynamic batch axis
(float32: rtol = atol = 1e-5); the export's API (names, dynamic axes, files, opsets,
constant folding) and its errors."""
import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import Lambda, node_types, roundtrip  # noqa: E402


def _randomize_buffers(model):
    for name, buf in model.named_buffers():
        if buf.is_floating_point():
            buf.copy_(ag.rand(*buf.shape) + (0.5 if "var" in name else -0.5))


# ---- models ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_norm", [False, True])
def test_mlp(batch_norm):
    ag.manual_seed(0)
    model = nn.MLP([20, 32, 16, 5], activation="tanh", dropout=0.3, batch_norm=batch_norm)
    _randomize_buffers(model)
    proto = roundtrip(model, lambda n: [ag.randn(n, 20)], batches=(3, 17))
    names = [t.name for t in proto.graph.initializer]
    assert set(names) == {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    assert ("BatchNormalization" in node_types(proto)) == batch_norm


def test_lenet():
    ag.manual_seed(1)
    model = nn.LeNet5(num_classes=10, in_channels=1, input_size=28)
    proto = roundtrip(model, lambda n: [ag.randn(n, 1, 28, 28)], batches=(2, 5))
    assert {"Conv", "MaxPool", "Gemm", "Relu", "Reshape"} <= node_types(proto)
    assert set(model.state_dict()) <= {t.name for t in proto.graph.initializer}


def test_lenet_avg_pool_and_tanh():
    ag.manual_seed(2)
    model = nn.LeNet5(num_classes=4, in_channels=3, input_size=32, activation="tanh", pool="avg")
    roundtrip(model, lambda n: [ag.randn(n, 3, 32, 32)], batches=(1, 4))


def test_conv_autoencoder():
    ag.manual_seed(3)
    model = nn.ConvAutoencoder(in_channels=1)
    proto = roundtrip(model, lambda n: [ag.rand(n, 1, 28, 28)], batches=(2, 3))
    assert {"Conv", "ConvTranspose"} <= node_types(proto)


def test_dynamic_image_sizes():
    ag.manual_seed(18)
    fcn = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                        nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(8, 4))
    roundtrip(fcn, lambda n: [ag.randn(n, 3, 8 + n, 9 + 2 * n)], dynamic=((0, 2, 3),), batches=(1, 2, 3))
    ae = nn.ConvAutoencoder(1)
    roundtrip(ae, lambda n: [ag.rand(2, 1, 4 * n + 8, 4 * n + 8)], dynamic=((0, 2, 3),), batches=(1, 2, 5),
              out_axes=(0, 2, 3))


def test_dense_autoencoders():
    ag.manual_seed(4)
    roundtrip(nn.Autoencoder([16, 8, 4]), lambda n: [ag.rand(n, 16)])
    vae = nn.VAE([16, 8, 2])
    roundtrip(Lambda(lambda self, x: self.vae.decode(self.vae.encode(x)[0]), vae=vae), lambda n: [ag.rand(n, 16)])


class RecurrentClassifier(nn.Module):
    def __init__(self, cell=nn.LSTM, layers=2, bidirectional=True, batch_first=True, vocab=30):
        super().__init__()
        self.batch_first = batch_first
        self.embed = nn.Embedding(vocab, 8)
        self.rnn = cell(8, 12, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
        self.head = nn.Linear(12 * (2 if bidirectional else 1), 3)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        last = out[:, -1] if self.batch_first else out[-1]
        return self.head(last)


@pytest.mark.parametrize("cell", [nn.LSTM, nn.GRU, nn.RNN])
@pytest.mark.parametrize("bidirectional,batch_first,layers", [(True, True, 2), (False, False, 3), (True, False, 1)])
def test_recurrent_classifier(cell, bidirectional, batch_first, layers):
    ag.manual_seed(5)
    model = RecurrentClassifier(cell, layers, bidirectional, batch_first)
    shape = (lambda n: (n, 9)) if batch_first else (lambda n: (9, n))
    proto = roundtrip(model, lambda n: [ag.randint(0, 30, shape(n))], batches=(2, 6),
                      dynamic=((0,) if batch_first else (1,),))
    onnx_op = {nn.LSTM: "LSTM", nn.GRU: "GRU", nn.RNN: "RNN"}[cell]
    count = sum(n.op_type == onnx_op for n in proto.graph.node)
    assert count == layers * (2 if bidirectional else 1)


def test_recurrent_sequence_length_is_dynamic_too():
    ag.manual_seed(6)
    model = RecurrentClassifier(nn.LSTM, 2, True, True)
    roundtrip(model, lambda n: [ag.randint(0, 30, (n, n + 3))], batches=(2, 5), dynamic=((0, 1),))


def test_lstm_with_given_states_and_all_outputs():
    ag.manual_seed(7)
    lstm = nn.LSTM(4, 6, num_layers=2, bidirectional=True)

    def run(self, x, h, c):
        out, (hn, cn) = self.lstm(x, (h, c))
        return out, hn, cn

    roundtrip(Lambda(run, lstm=lstm), lambda n: [ag.randn(5, n, 4), ag.randn(4, n, 6), ag.randn(4, n, 6)],
              dynamic=((1,), (1,), (1,)), batches=(2, 3), out_axes=(1,))


def test_relu_rnn_without_bias():
    ag.manual_seed(8)
    rnn = nn.RNN(3, 5, nonlinearity="relu", bias=False, batch_first=True)
    roundtrip(Lambda(lambda self, x: self.rnn(x)[0], rnn=rnn), lambda n: [ag.randn(n, 4, 3)])


def test_lstm_with_projections_and_zero_states_made_in_forward():
    ag.manual_seed(15)
    lstm = nn.LSTM(4, 6, proj_size=3, batch_first=True)  # a composition of ordinary ops per step
    roundtrip(Lambda(lambda self, x: self.lstm(x)[0], lstm=lstm), lambda n: [ag.randn(n, 5, 4)])

    def cell_from_zeros(self, x):
        return self.cell(x, ag.zeros(x.shape[0], 6)) + ag.ones(x.shape[0], 1)

    proto = roundtrip(Lambda(cell_from_zeros, cell=nn.GRUCell(4, 6)), lambda n: [ag.randn(n, 4)])
    assert "Shape" in node_types(proto)  # the zeros' batch size is read from the input


def test_packed_sequences():
    ag.manual_seed(16)
    gru = nn.GRU(4, 6, batch_first=True, bidirectional=True)

    def run(self, x):
        packed = nn.utils.rnn.pack_padded_sequence(x, [5, 3, 2], batch_first=True)
        out, _ = self.gru(packed)
        return nn.utils.rnn.pad_packed_sequence(out, batch_first=True)[0]

    roundtrip(Lambda(run, gru=gru), lambda n: [ag.randn(3, 5, 4)], dynamic=(), batches=(3, 3))


def test_in_place_ops_and_setitem():
    ag.manual_seed(17)
    roundtrip(nn.Sequential(nn.Linear(4, 5), nn.ReLU(inplace=True), nn.Linear(5, 2)), lambda n: [ag.randn(n, 4)])

    def edit(x):
        y = x * 2
        y += 1
        y[:, 1] = 0.5
        v = x[1, :2] * 2
        y[0, [0, 2]] = v
        return y

    roundtrip(Lambda(edit), lambda n: [ag.randn(3, 4)], dynamic=(), batches=(3, 3))


def test_masks_passed_as_inputs():
    proto = roundtrip(Lambda(lambda x, m: x.masked_fill(m, 0.0) * 2),
                      lambda n: [ag.randn(n, 4), ag.randn(n, 4) > 0], dynamic=((0,), (0,)))
    assert [i.name for i in proto.graph.input] == ["in0", "in1"] and "Where" in node_types(proto)


class EncoderBlock(nn.Module):
    """A pre-norm transformer encoder block from primitives (nn has no
    MultiheadAttention yet)."""

    def __init__(self, d=16, heads=4, ff=32):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(0.1), nn.Linear(ff, d))

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q, k, v = (z.reshape(b, t, self.heads, hd).transpose(1, 2) for z in (q, k, v))
        att = F.softmax(q @ k.transpose(-2, -1) / hd ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(y)
        return x + self.ff(self.ln2(x))


class TinyTransformer(nn.Module):
    def __init__(self, vocab=50, d=16, max_len=32, layers=2, classes=3):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.register_buffer("pos", ag.randn(max_len, d) * 0.1)
        self.blocks = nn.ModuleList([EncoderBlock(d) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, classes)

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos[: tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x).mean(1))


def test_transformer_encoder():
    ag.manual_seed(9)
    model = TinyTransformer()
    proto = roundtrip(model, lambda n: [ag.randint(0, 50, (n, 7))], batches=(2, 5))
    assert {"tok.weight", "head.weight", "blocks.1.qkv.bias"} <= {t.name for t in proto.graph.initializer}
    assert {"LayerNormalization", "Softmax", "MatMul", "Reshape", "Transpose"} <= node_types(proto)


def test_transformer_dynamic_batch_and_sequence():
    ag.manual_seed(10)
    model = TinyTransformer()
    proto = roundtrip(model, lambda n: [ag.randint(0, 50, (n, 2 * n + 1))], batches=(2, 4), dynamic=((0, 1),))
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["in0_dynamic_axes_1", "in0_dynamic_axes_2"]
    assert "pos" in {t.name for t in proto.graph.initializer}  # sliced to the input's length in the graph


def test_encoder_at_opset_13_and_18():
    ag.manual_seed(11)
    model = EncoderBlock()
    for opset in (13, 18):
        roundtrip(model, lambda n: [ag.randn(n, 5, 16)], opset=opset)


def test_two_inputs_two_outputs_and_keyword_input():
    ag.manual_seed(12)

    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 3), nn.Linear(5, 3)

        def forward(self, x, y, scale=None):
            h = self.a(x) + self.b(y)
            return h * scale, F.softmax(h, dim=1)

    model = TwoHeads().eval()
    x, y, s = ag.randn(2, 4), ag.randn(2, 5), ag.rand(2, 3)
    f = io.BytesIO()
    agonnx.export(model, (x, y, {"scale": s}), f, output_names=["scaled", "probs"],
                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}, "scale": {0: "batch"},
                                "scaled": {0: "batch"}, "probs": {0: "batch"}})
    session = ort.InferenceSession(f.getvalue())
    assert [i.name for i in session.get_inputs()] == ["x", "y", "scale"]
    assert [o.name for o in session.get_outputs()] == ["scaled", "probs"]
    assert session.get_inputs()[0].shape == ["batch", 4]
    x, y, s = ag.randn(6, 4), ag.randn(6, 5), ag.rand(6, 3)
    got = session.run(None, {"x": x.numpy(), "y": y.numpy(), "scale": s.numpy()})
    with ag.no_grad():
        want = model(x, y, scale=s)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-5, atol=1e-5)


# ---- API ----------------------------------------------------------------------------------------------------
def test_writes_a_file_and_returns_the_model(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    path = tmp_path / "m.onnx"
    proto = agonnx.export(model, ag.randn(1, 3), str(path))
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded.SerializeToString() == proto.SerializeToString()
    assert [i.name for i in loaded.graph.input] == ["input"]  # forward's argument name
    assert [o.name for o in loaded.graph.output] == ["output"]
    assert loaded.opset_import[0].version == agonnx.DEFAULT_OPSET
    assert model.training  # the export restores the mode
    from autograd_lite.ops.linear import Linear
    assert not hasattr(Linear.forward, "__wrapped__")  # ops record their calls only during an export


def test_constant_folding_of_recurrent_weights():
    ag.manual_seed(13)
    lstm = nn.LSTM(3, 4)
    model = Lambda(lambda self, x: self.lstm(x)[0], lstm=lstm)
    folded = roundtrip(model, lambda n: [ag.randn(5, n, 3)], dynamic=((1,),))
    kept = roundtrip(model, lambda n: [ag.randn(5, n, 3)], dynamic=((1,),), folding=False)
    assert node_types(folded) == {"LSTM", "Squeeze"}
    assert {"Split", "Concat", "Unsqueeze"} <= node_types(kept)
    assert {t.name for t in kept.graph.initializer} >= set(lstm.state_dict(prefix="lstm."))


def test_parameters_that_need_no_grad_and_frozen_layers():
    ag.manual_seed(14)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    for p in model[0].parameters():
        p.requires_grad_(False)
    proto = roundtrip(model, lambda n: [ag.randn(n, 4)])
    assert {t.name for t in proto.graph.initializer} == set(model.state_dict())


def test_bad_arguments():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="opset_version"):
        agonnx.export(model, ag.randn(1, 3), None, opset_version=9)
    with pytest.raises(ValueError, match="dynamic_axes names 'nope'"):
        agonnx.export(model, ag.randn(1, 3), None, dynamic_axes={"nope": [0]})
    with pytest.raises(TypeError, match="nn.Module"):
        agonnx.export(lambda x: x, ag.randn(1, 3), None)


# ---- what can't be exported says so -------------------------------------------------------------------------
def test_every_op_class_has_a_converter_or_a_reason():
    from autograd_lite.extend import Op
    from autograd_lite.onnx import registry

    classes, stack, seen = set(), [Op], {}
    while stack:
        for sub in stack.pop().__subclasses__():
            classes.add(sub.__name__)
            seen.setdefault(sub.__name__, set()).add(sub)
            stack.append(sub)
    # converters are keyed by class name: two op classes may not share one
    assert {name: owners for name, owners in seen.items() if len(owners) > 1} == {}
    mapped = set(registry.converters())
    assert not mapped & set(registry.NOT_MAPPED)
    assert classes - mapped - set(registry.NOT_MAPPED) == set()
    from autograd_lite.ops.table import ENTRIES
    for entry in ENTRIES:  # the op table's mappings name real op classes
        assert set(entry.onnx or {}) <= classes, entry


def test_unmapped_op_is_named():
    with pytest.raises(agonnx.UnsupportedOperatorError, match="Cumprod.*no cumulative product") as info:
        agonnx.export(Lambda(lambda x: ag.cumprod(x, 1)), ag.randn(2, 3), None)
    assert info.value.op == "Cumprod"


def test_custom_function_is_named():
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with pytest.raises(agonnx.UnsupportedOperatorError, match="Double"):
        agonnx.export(Lambda(lambda x: Double.apply(x)), ag.randn(2, 3), None)


def test_values_computed_outside_the_graph_are_refused():
    # a mask made with NumPy records nothing: exporting it as a constant would bake
    # these inputs' values into the model
    with pytest.raises(agonnx.ExportError, match="Where .*computed from the inputs outside the recorded graph"):
        agonnx.export(Lambda(lambda x: ag.where(ag.tensor(x.detach().numpy() > 0), x, x * 0.1)), ag.randn(4, 3), None)
    with pytest.raises(agonnx.ExportError, match="output 0"):
        agonnx.export(Lambda(lambda x: x.detach() * 2), ag.randn(4, 3), None)


def test_comparisons_become_nodes():
    """Masks from comparisons, logical ops and isnan (bool tensors, no graph nodes) are
    exported as the comparisons that made them, with the inputs' dtypes aligned."""
    fns = [lambda x: ag.where(x > 0, x, x * 0.1),
           lambda x: x.masked_fill((x < -0.5) | (x >= 1.0), 0.0),
           lambda x: ag.where(~(x != x[:, :1]) & (0.5 <= x), x, -x),
           lambda x: ag.where(ag.logical_xor(x.le(0.2), ag.gt(x, -0.2)), 1.0, x),
           lambda x: ag.where(ag.isfinite(x) & ~ag.isnan(x) & (x == 0.0), 2.0, x),
           lambda x: ag.where(ag.ne(x, 0), x, 3.0)]
    for fn in fns + [lambda x: ag.where(ag.exp(x) > 1.5, x, 0.5)]:  # exp(x) feeds only the comparison
        roundtrip(Lambda(fn), lambda n: [ag.randn(n, 4).round()])
    tokens = Lambda(lambda self, t: self.emb(t).masked_fill(t.unsqueeze(-1) == 0, 0.0), emb=nn.Embedding(5, 3))
    proto = roundtrip(tokens, lambda n: [ag.randint(0, 5, (n, 6))])
    assert "Equal" in node_types(proto)
    outputs = Lambda(lambda self, x: (self.lin(x).argmax(1), ag.argmin(x, 1, keepdim=True), x.argmax(), x > 0.5),
                     lin=nn.Linear(4, 3))
    proto = roundtrip(outputs, lambda n: [ag.randn(n, 4)], out_axes=())
    assert {"ArgMax", "ArgMin", "Greater"} <= node_types(proto)
    mixed = Lambda(lambda x, t: ag.where(t > x, x, 2 * x))  # int64 against float32: compared as float64
    roundtrip(mixed, lambda n: [ag.randn(n, 4), ag.randint(-1, 2, (n, 4))], dynamic=((0,), (0,)))


def test_values_only_a_python_branch_compares_are_not_exported():
    def fn(x):
        if bool((ag.cumprod(x, 1) > 100).any()):  # a check with no ONNX form, which the outputs don't need
            raise ValueError("too large")
        return x * 2

    proto = roundtrip(Lambda(fn), lambda n: [ag.rand(n, 3)])
    assert node_types(proto) == {"Mul"}


def test_a_comparison_changed_in_place_is_not_trusted():
    def fn(x):
        mask = x > 0
        mask[0] = True  # the note of `x > 0` no longer describes the mask
        return ag.where(mask, x, -x)

    with pytest.raises(agonnx.ExportError, match="computed from the inputs outside the recorded graph"):
        agonnx.export(Lambda(fn), ag.tensor([[-1.0, 2.0, -3.0], [1.0, -1.0, 2.0]]), None)


def test_models_branching_on_values_are_refused():
    model = Lambda(lambda x: x * 2 if float(x[0, 0]) > 0.5 else ag.exp(x))
    with pytest.raises(agonnx.ExportError, match="different graph"):
        agonnx.export(model, ag.tensor([[1.0, 0.0, 0.0]]), None)


def test_reshapes_of_dynamic_dims():
    merge = Lambda(lambda x: x.reshape(x.shape[0] * x.shape[1], 2).reshape(x.shape[0] * x.shape[1], 1, 2))
    proto = roundtrip(merge, lambda n: [ag.randn(n, n + 1, 2)], dynamic=((0, 1),), batches=(2, 3))
    assert "Reshape" in node_types(proto)
    swap = Lambda(lambda x: x.reshape(x.shape[1], x.shape[0], 2) * 1.0)
    roundtrip(swap, lambda n: [ag.randn(n, n + 1, 2)], dynamic=((0, 1),), batches=(2, 3), out_axes=(0, 1))
    # B * 2 next to another dynamic dim is no input's dim: refused, naming the op
    product = Lambda(lambda x: x.reshape(x.shape[1], x.shape[0] * 2))
    with pytest.raises(agonnx.ExportError, match="Reshape: its reshape target"):
        agonnx.export(product, ag.randn(2, 3, 2), None, dynamic_axes={"x": [0, 1]}, input_names=["x"])
