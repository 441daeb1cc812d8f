"""Every op the exporter maps, each in a small model exported with a dynamic batch
axis and run in onnxruntime at two batch sizes against autograd_lite's own outputs
(float32: rtol = atol = 1e-5)."""
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import Lambda, node_types, roundtrip  # noqa: E402


def randn(*shape):
    return lambda n: [ag.randn(n, *shape)]


def positive(*shape):
    return lambda n: [ag.rand(n, *shape) + 0.2]


# (id, fn(x...) or module, inputs maker)
UNARY = [
    ("exp", ag.exp), ("log", lambda x: ag.log(x.abs() + 0.5)), ("log2", lambda x: ag.log2(x.abs() + 0.5)),
    ("log10", lambda x: ag.log10(x.abs() + 0.5)), ("log1p", lambda x: ag.log1p(x.abs())),
    ("expm1", ag.expm1), ("sqrt", lambda x: ag.sqrt(x.abs())), ("rsqrt", lambda x: ag.rsqrt(x.abs() + 0.1)),
    ("abs", ag.abs), ("sin", ag.sin), ("cos", ag.cos), ("tan", lambda x: ag.tan(x * 0.5)),
    ("tanh", ag.tanh), ("sigmoid", ag.sigmoid), ("relu", ag.relu), ("reciprocal", lambda x: 1 / (x.abs() + 0.5)),
    ("neg", lambda x: -x), ("sign", lambda x: x * ag.sign(x)), ("floor", lambda x: x + ag.floor(x)),
    ("ceil", lambda x: x + ag.ceil(x)), ("trunc", lambda x: x + ag.trunc(x * 3)),
    ("round", lambda x: x + ag.round(x * 3)), ("round_decimals", lambda x: x + ag.round(x, decimals=1)),
    ("clamp", lambda x: ag.clamp(x, -0.5, 0.7)), ("clamp_min", lambda x: ag.clamp(x, min=-0.3)),
    ("clamp_max", lambda x: x.clamp(max=0.2)), ("square", ag.square), ("pow_scalar", lambda x: x.abs() ** 1.7),
    ("pow_tensor", lambda x: 2.0 ** x), ("scalar_arith", lambda x: (x * 2.0 + 1.0 - 0.5) / 3.0),
    ("rsub", lambda x: 1.0 - x), ("rdiv", lambda x: 2.0 / (x.abs() + 1)),
    ("floor_divide", lambda x: x + ag.floor_divide(x, 0.7)), ("remainder", lambda x: x + ag.remainder(x, 0.7)),
    ("div_trunc", lambda x: x + ag.div(x, 0.7, rounding_mode="trunc")),
    ("maximum", lambda x: ag.maximum(x, x * 0.5)), ("minimum", lambda x: ag.minimum(x, 0.1 - x)),
    ("lerp", lambda x: ag.lerp(x, x * 2 + 1, 0.3)), ("to_double", lambda x: x.double().float() * 2),
    ("clone", lambda x: x.clone() + 1), ("where_const", lambda x: ag.where(ag.tensor([True, False, True, False, True, True]), x, 0.0)),
    # activations
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2)), ("elu", lambda x: F.elu(x, 0.7)), ("gelu", F.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")), ("silu", F.silu), ("softplus", F.softplus),
    ("softplus_beta", lambda x: F.softplus(x * 5, beta=2.0, threshold=3.0)), ("logsigmoid", F.logsigmoid),
    ("softmax", lambda x: F.softmax(x, dim=1)), ("log_softmax", lambda x: F.log_softmax(x, dim=-1)),
    ("softmax_dim0", lambda x: F.softmax(x, dim=0)),
    # reductions
    ("sum", lambda x: x.sum(1)), ("sum_all", lambda x: x.sum() + x), ("mean", lambda x: x.mean(-1, keepdim=True)),
    ("prod", lambda x: x.prod(1)), ("var", lambda x: x.var(1)), ("std", lambda x: x.std(1, keepdim=True)),
    ("var_biased", lambda x: ag.var(x, 1, correction=0)), ("logsumexp", lambda x: ag.logsumexp(x, 1)),
    ("norm2", lambda x: x.norm(dim=1)), ("norm1", lambda x: ag.norm(x, 1, dim=1)),
    ("norm_inf", lambda x: ag.norm(x, float("inf"), dim=1)), ("norm3", lambda x: ag.norm(x, 3, dim=1)),
    ("amax", lambda x: ag.amax(x, 1)), ("amin", lambda x: ag.amin(x, -1, keepdim=True)),
    ("max_dim", lambda x: x.max(1)[0]), ("min_dim_values", lambda x: ag.min(x, 1, keepdim=True).values),
    ("cumsum", lambda x: ag.cumsum(x, 1)),
    # shapes
    ("reshape", lambda x: x.reshape(x.shape[0], 2, 3).sum(1)), ("view_flat", lambda x: x.view(-1) * 2),
    ("flatten", lambda x: x.unsqueeze(2).flatten(1)), ("squeeze", lambda x: x.unsqueeze(1).squeeze(1)),
    ("transpose", lambda x: x.t() * 2), ("permute", lambda x: x.reshape(-1, 2, 3).permute(2, 0, 1)),
    ("expand", lambda x: x[:, :1].expand(x.shape[0], 4)), ("broadcast_add", lambda x: x + x[:1]),
    ("flip", lambda x: ag.flip(x, 1)), ("roll", lambda x: ag.roll(x, 2, 1)), ("roll_flat", lambda x: ag.roll(x, 3)),
    ("repeat", lambda x: x.repeat(1, 2)), ("repeat_new_dim", lambda x: x.repeat(2, 1, 1).sum(0)),
    ("cat", lambda x: ag.cat([x, x * 2], 1)), ("stack", lambda x: ag.stack([x, x + 1], 2)),
    ("split", lambda x: x.split([2, 4], 1)[1]), ("chunk", lambda x: x.chunk(3, 1)[2] * 2),
    ("unbind", lambda x: ag.unbind(x, 1)[3]),
    ("tensor_unfold", lambda x: x.unfold(1, 3, 2).sum(-1) * x.unfold(-1, 2, 4)[:, :1, 1]),
    # indexing
    ("slice", lambda x: x[:, 1:5:2]), ("slice_neg", lambda x: x[:, -3:]), ("index_int", lambda x: x[:, 2]),
    ("index_last_row", lambda x: x[-1:] + x[:1]), ("index_none", lambda x: x[:, None, 2:]),
    ("ellipsis", lambda x: x[..., 1]), ("index_list", lambda x: x[:, [0, 2, 2]]),
    ("index_select", lambda x: ag.index_select(x, 1, ag.tensor([4, 0]))),
    ("gather", lambda x: ag.gather(x, 1, ag.tensor([[0, 5], [2, 3], [1, 1]]))),
    ("take_along_dim", lambda x: ag.take_along_dim(x, ag.tensor([[4], [0], [2]]), 1)),
    ("index_2d", lambda x: x[[0, 2], [1, 5]] + x[1:3, [0, 0]].sum()),
    ("masked_fill", lambda x: x.masked_fill(ag.tensor([True, False, False, True, False, True]), -1.0)),
    ("narrow", lambda x: ag.narrow(x, 1, 2, 3)),
    ("bool_mask_cols", lambda x: x[:, ag.tensor([True, False, True, True, False, True])]),
    ("masked_select", lambda x: ag.masked_select(x, ag.tensor([True, False, True, True, False, True]))),
    # products
    ("matmul", lambda x: x @ ag.ones(6, 3)), ("matmul_self", lambda x: x @ x.t()),
    ("einsum", lambda x: ag.einsum("bi,bi->b", x, x)), ("outer", lambda x: ag.outer(x[0], x[0]) + 0 * x.sum()),
]


@pytest.mark.parametrize("name,fn", UNARY, ids=[u[0] for u in UNARY])
def test_op(name, fn):
    ag.manual_seed(0)
    static = ("transpose", "matmul_self", "view_flat", "outer", "roll_flat", "take_along_dim", "gather", "index_2d",
              "masked_select")
    dynamic = () if name in static else ((0,),)
    batches = (3, 3) if not dynamic else (3, 4)
    roundtrip(Lambda(fn), randn(6), batches=batches, dynamic=dynamic)


def test_mul_by_tensor_constant_and_div():
    w = ag.linspace(0.5, 2.0, 6)
    roundtrip(Lambda(lambda x: x * w / (w + 1) - w), randn(6))


def test_3d_reductions_and_reshapes():
    fns = [lambda x: x.mean((0, 2)) + 0 * x.sum(),
           lambda x: x.reshape(x.shape[0], -1).reshape(x.shape[0], 4, 3),
           lambda x: x.transpose(1, 2).reshape(x.shape[0] * 3, 4),
           lambda x: x.sum(0)]
    for fn in fns[:2]:
        roundtrip(Lambda(fn), randn(4, 3))
    for fn in fns[2:]:
        roundtrip(Lambda(fn), randn(4, 3), batches=(2, 2), dynamic=())


# ---- layers -----------------------------------------------------------------------------------------------
LAYERS = [
    ("linear_3d", nn.Linear(6, 4), randn(5, 6)),
    ("linear_nobias", nn.Linear(6, 4, bias=False), randn(6)),
    ("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1), randn(3, 11)),
    ("conv1d_dilated_groups", nn.Conv1d(4, 6, 3, dilation=2, groups=2, padding="same"), randn(4, 12)),
    ("conv2d", nn.Conv2d(3, 4, 3, stride=(2, 1), padding=(1, 2)), randn(3, 9, 8)),
    ("conv2d_same_even", nn.Conv2d(2, 4, 4, padding="same", bias=False), randn(2, 7, 7)),
    ("conv2d_depthwise", nn.Conv2d(4, 4, 3, groups=4, dilation=2), randn(4, 9, 9)),
    ("conv2d_reflect", nn.Conv2d(2, 3, 3, padding=2, padding_mode="reflect"), randn(2, 8, 7)),
    ("conv2d_replicate", nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), randn(2, 6, 6)),
    ("conv2d_circular", nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), randn(2, 6, 5)),
    ("conv1d_reflect", nn.Conv1d(2, 3, 3, padding=1, padding_mode="reflect"), randn(2, 9)),
    ("convT1d", nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1, output_padding=1), randn(3, 6)),
    ("convT2d", nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2), randn(4, 5, 6)),
    ("convT2d_dilated", nn.ConvTranspose2d(2, 3, 3, stride=1, dilation=2), randn(2, 4, 4)),
    ("maxpool2d", nn.MaxPool2d(2), randn(3, 8, 8)),
    ("maxpool2d_pad_dil", nn.MaxPool2d(3, stride=2, padding=1, dilation=1), randn(2, 9, 9)),
    ("maxpool2d_ceil", nn.MaxPool2d(3, stride=2, ceil_mode=True), randn(2, 8, 8)),
    ("maxpool2d_dilation", nn.MaxPool2d(2, stride=1, dilation=2), randn(2, 7, 7)),
    ("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), randn(3, 10)),
    ("avgpool2d", nn.AvgPool2d(2), randn(3, 8, 8)),
    ("avgpool2d_pad", nn.AvgPool2d(3, stride=2, padding=1), randn(2, 9, 9)),
    ("avgpool2d_pad_exclude", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), randn(2, 9, 9)),
    ("avgpool2d_divisor", nn.AvgPool2d(2, divisor_override=3), randn(2, 6, 6)),
    ("avgpool2d_ceil", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), randn(2, 8, 7)),
    ("avgpool2d_ceil_exclude", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     randn(2, 8, 7)),
    ("maxpool2d_ceil_pad", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), randn(2, 8, 7)),
    ("avgpool1d", nn.AvgPool1d(3, stride=2), randn(3, 11)),
    ("adaptive_avg_global", nn.AdaptiveAvgPool2d(1), randn(3, 7, 5)),
    ("adaptive_avg_even", nn.AdaptiveAvgPool2d((2, 4)), randn(3, 6, 8)),
    ("adaptive_avg_uneven", nn.AdaptiveAvgPool2d((3, 2)), randn(3, 7, 5)),
    ("adaptive_avg1d", nn.AdaptiveAvgPool1d(4), randn(3, 10)),
    ("batchnorm1d", nn.BatchNorm1d(6), randn(6)),
    ("batchnorm1d_3d", nn.BatchNorm1d(3), randn(3, 5)),
    ("batchnorm2d", nn.BatchNorm2d(3), randn(3, 4, 4)),
    ("batchnorm_noaffine", nn.BatchNorm2d(3, affine=False), randn(3, 4, 4)),
    ("layernorm", nn.LayerNorm(6), randn(6)),
    ("layernorm_2d", nn.LayerNorm((3, 4)), randn(2, 3, 4)),
    ("layernorm_noaffine", nn.LayerNorm(6, elementwise_affine=False), randn(5, 6)),
    ("flatten", nn.Flatten(), randn(2, 3, 4)),
    ("unflatten", nn.Unflatten(1, (2, 3)), randn(6)),
    ("dropout", nn.Sequential(nn.Dropout(0.5), nn.Linear(6, 2)), randn(6)),
    ("identity", nn.Identity(), randn(6)),
    ("zeropad2d", nn.ZeroPad2d((1, 2, 0, 1)), randn(2, 4, 4)),
    ("constpad_crop", nn.ConstantPad2d((-1, 2, 1, -1), 0.5), randn(2, 4, 5)),
    ("reflectpad1d", nn.ReflectionPad1d((2, 1)), randn(2, 6)),
    ("replicatepad2d", nn.ReplicationPad2d(2), randn(2, 4, 4)),
    ("upsample_nearest", nn.Upsample(scale_factor=2), randn(2, 3, 4)),
    ("upsample_nearest_size", nn.Upsample(size=(5, 7), mode="nearest"), randn(2, 3, 4)),
    ("upsample_bilinear", nn.Upsample(scale_factor=2, mode="bilinear"), randn(2, 3, 4)),
    ("upsample_bilinear_ac", nn.UpsamplingBilinear2d(size=(5, 6)), randn(2, 3, 4)),
    ("upsample_linear", nn.Upsample(scale_factor=1.5, mode="linear"), randn(2, 6)),
    ("relu6_like", nn.Sequential(nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.GELU(), nn.SiLU(), nn.Tanh(),
                                 nn.Sigmoid(), nn.Softplus(), nn.LogSigmoid(), nn.Softmax(1), nn.LogSoftmax(1)),
     randn(6)),
]


@pytest.mark.parametrize("name,module,make", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(name, module, make):
    ag.manual_seed(0)
    for p in module.parameters():
        p.data.copy_(ag.randn(*p.shape) * 0.5)  # not the init's values
    for buf_name, buf in module.named_buffers():
        if buf.is_floating_point():
            buf.copy_(ag.rand(*buf.shape) + (0.5 if "var" in buf_name else -0.5))
    roundtrip(module, make, batches=(2, 5))


def test_interpolate_area_and_nearest_exact():
    roundtrip(Lambda(lambda x: F.interpolate(x, size=(3, 5), mode="area")), randn(2, 6, 7))
    roundtrip(Lambda(lambda x: F.interpolate(x, scale_factor=1.7, mode="nearest-exact")), randn(2, 5, 4))


def test_embedding_and_bilinear():
    ag.manual_seed(1)
    emb = nn.Embedding(10, 4, padding_idx=0)
    proto = roundtrip(emb, lambda n: [ag.randint(0, 10, (n, 3))], batches=(2, 6))
    assert [i.name for i in proto.graph.initializer] == ["weight"]
    bil = nn.Bilinear(3, 4, 2)
    roundtrip(bil, lambda n: [ag.randn(n, 3), ag.randn(n, 4)], dynamic=((0,), (0,)))


def test_int32_indices_are_taken_as_they_are():
    """Gather takes int32 indices: the graph input stays int32 and onnxruntime agrees."""
    emb = nn.Embedding(10, 4)
    proto = roundtrip(emb, lambda n: [ag.randint(0, 10, (n, 3)).int()])
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT32


LOSSES = [lambda x, t, y: F.cross_entropy(x, t), lambda x, t, y: F.cross_entropy(x, t, reduction="none"),
          lambda x, t, y: F.cross_entropy(x, t, weight=ag.tensor([1.0, 2.0, 0.5, 1.0]), ignore_index=2),
          lambda x, t, y: F.nll_loss(F.log_softmax(x, 1), t, reduction="sum"),
          lambda x, t, y: F.binary_cross_entropy(ag.sigmoid(x), y, reduction="none"),
          lambda x, t, y: F.mse_loss(x, y) + F.l1_loss(x, y)]


@pytest.mark.parametrize("k", range(len(LOSSES)))
def test_losses(k):
    def make(n):
        return [ag.randn(n, 4), ag.randint(0, 4, (n,)), ag.rand(n, 4)]

    model = Lambda(LOSSES[k])
    with ag.no_grad():
        batched = model(*make(2)).ndim > 0
    roundtrip(model, make, dynamic=((0,),) if batched else None, batches=(2, 5) if batched else (3, 3))


@pytest.mark.parametrize("cell", [nn.LSTMCell, nn.GRUCell, nn.RNNCell])
def test_cells(cell):
    ag.manual_seed(2)
    c = cell(4, 5)

    def run(self, x, h):
        state = (h, h * 0.5) if isinstance(self.c, nn.LSTMCell) else h
        out = self.c(x, state)
        out = self.c(x, out)
        return out[0] if isinstance(out, tuple) else out

    roundtrip(Lambda(run, c=c), lambda n: [ag.randn(n, 4), ag.randn(n, 5)], dynamic=((0,), (0,)))


def test_opsets_give_the_same_values():
    x_make = randn(6)
    fn = Lambda(lambda self, x: F.gelu(self.ln(x)).mean(-1, keepdim=True) + ag.amax(x, 1, keepdim=True),
                ln=nn.LayerNorm(6))
    for opset in (13, 17, 18, 20):
        proto = roundtrip(fn, x_make, opset=opset)
        assert proto.opset_import[0].version == opset
        assert ("LayerNormalization" in node_types(proto)) == (opset >= 17)
        assert ("Gelu" in node_types(proto)) == (opset >= 20)


def test_float64_model():
    ag.manual_seed(0)
    m = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.LayerNorm(5), nn.Linear(5, 2)).double()
    roundtrip(m, lambda n: [ag.randn(n, 6, dtype=ag.float64)])


# ops composed of mapped ones (addmm, tensordot, diff, ...) and the two with converters of
# their own (Copysign, NanToZero, NotNan)
COMPOSED = [
    ("addmm", lambda x: ag.addmm(ag.ones(3), x, ag.linspace(-1, 1, 18).reshape(6, 3), beta=0.5, alpha=2)),
    ("addmv", lambda x: ag.addmv(ag.ones(6), x.t(), ag.linspace(-1, 1, 3))),
    ("baddbmm", lambda x: ag.baddbmm(x.reshape(-1, 2, 3), x.reshape(-1, 2, 3), ag.ones(1, 3, 3).expand(x.shape[0], 3, 3))),
    ("tensordot", lambda x: ag.tensordot(x, ag.linspace(-1, 1, 12).reshape(6, 2), 1)),
    ("addcmul", lambda x: ag.addcmul(x, x, x * 0.5, value=-0.3)),
    ("addcdiv", lambda x: ag.addcdiv(x, x, x.abs() + 1, value=2.0)),
    ("copysign", lambda x: ag.copysign(x, x.flip(1))), ("copysign_number", lambda x: ag.copysign(x, -1.0)),
    ("nansum", lambda x: ag.nansum(ag.log(x), 1)), ("nanmean", lambda x: ag.nanmean(ag.log(x), 1, keepdim=True)),
    ("aminmax", lambda x: ag.aminmax(x, dim=1).max - ag.aminmax(x, dim=1).min),
    ("diff", lambda x: ag.diff(x, 2, 1)), ("repeat_interleave", lambda x: x.repeat_interleave(2, 1)),
    ("tensor_split", lambda x: x.tensor_split(3, 1)[1]), ("select", lambda x: x.select(1, -2)),
]


@pytest.mark.parametrize("name,fn", COMPOSED, ids=[c[0] for c in COMPOSED])
def test_composed_op(name, fn):
    ag.manual_seed(0)
    static = ("addmv", "baddbmm")
    dynamic = () if name in static else ((0,),)
    roundtrip(Lambda(fn), randn(6), batches=(3, 3) if not dynamic else (3, 4), dynamic=dynamic)
