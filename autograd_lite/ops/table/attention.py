"""Table entries of nn.functional.scaled_dot_product_attention (ops/attention.py): 2-D to
5-D inputs, broadcast batch dims, bool and float masks (broadcast, with fully masked
rows), causal masks (square and not), scale, grouped-query heads, views, empty
sequences; and of multi_head_attention_forward (packed and separate projections,
bias_k/bias_v, add_zero_attn, masks, static keys, unbatched inputs, need_weights).
Dropout draws differ from PyTorch's, so those samples compare shapes and dtypes only.
MultiheadAttention and the Transformer layers are tested in tests/nn/test_attention.py
and tests/nn/test_transformer.py."""
import numpy as np

from ..opinfo import OpInfo, S, T

F = "nn.functional."
_INF = -np.inf


# ---- ONNX converter (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _causal_bias(b, q, k, dtype):
    """(L, S): -inf above the diagonal; a constant, or Trilu of -inf of the scores'
    shape when L or S follows the dynamic axes (opset 14)."""
    rows, cols = b.in_shape(0)[-2], b.in_shape(1)[-2]
    if not (b.dynamic_in(0) & {len(b.in_shape(0)) - 2} or b.dynamic_in(1) & {len(b.in_shape(1)) - 2}):
        return b.const(np.triu(np.full((rows, cols), -np.inf, dtype), 1), name="causal_mask")
    if b.opset < 14:
        raise b.error("a causal mask over sequences whose length follows the dynamic axes needs opset 14 "
                      "(Trilu)")
    size = b.op("Concat", [b.shape_of(q, -2, -1), b.shape_of(k, -2, -1)], axis=0)
    full = b.op("Expand", [b.scalar(-np.inf, dtype), size])
    return b.op("Trilu", [full, b.scalar(1, np.int64)], upper=1)


def _sdpa_onnx(b, node, inputs):
    """softmax(q k^T * scale + mask [+ causal]) v; rows with no key left are zeros (NaN
    with nan_rows), as the op's."""
    q, k, v = inputs[0], inputs[1], inputs[2]
    mask, dropout_p = inputs.optional(3), inputs.arg(6)
    if dropout_p:
        raise b.error(f"dropout on the attention weights (dropout_p={dropout_p}) is random and can't be "
                      f"exported; pass dropout_p=0.0 outside training (MultiheadAttention does in eval mode)")
    dtype = b.out_dtype()
    work = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)
    if work != dtype:
        q, k, v = b.cast(q, work), b.cast(k, work), b.cast(v, work)
        mask = None if mask is None else b.cast(mask, work)
    nk = len(b.in_shape(1))
    kt = b.op("Transpose", [k], perm=list(range(nk - 2)) + [nk - 1, nk - 2])
    scores = b.op("Mul", [b.op("MatMul", [q, kt]), b.scalar(node.scale, work)])
    if mask is not None:
        scores = b.op("Add", [scores, mask])
    if node.causal:
        scores = b.op("Add", [scores, _causal_bias(b, q, k, work)])
    p = b.op("Softmax", [scores], axis=-1)
    if mask is not None or node.causal:
        dead = b.op("Equal", [b.reduce("ReduceMax", scores, [-1], True), b.scalar(-np.inf, work)])
        p = b.op("Where", [dead, b.scalar(np.nan if node.nan_rows else 0, work), p])
    out = b.op("MatMul", [p, v])
    return out if work == dtype else b.cast(out, dtype)


def _qkv(batch, length, src, e, ev):
    return T(*batch, length, e), T(*batch, src, e), T(*batch, src, ev)


_DEAD_ROWS = T(3, 4, values=[[0.0, 0.5, -1.0, 0.0], [_INF] * 4, [0.0, _INF, 0.3, _INF]])

SAMPLES = [
    S(*_qkv((2, 3), 4, 5, 8, 6)),
    S(*_qkv((), 4, 5, 3, 2)),
    S(*_qkv((2,), 4, 5, 3, 2), T(4, 5)),  # a float mask, differentiated
    S(*_qkv((2, 3), 4, 5, 4, 3), T(2, 1, 1, 5, kind="bool")),  # a key-padding-like mask
    S(*_qkv((2,), 3, 4, 3, 2), _DEAD_ROWS),  # fully and partly masked rows
    S(*_qkv((2,), 3, 4, 3, 2), attn_mask=T(2, 3, 4, kind="bool")),
    S(*_qkv((2, 2), 4, 4, 3, 3), is_causal=True),
    S(*_qkv((2,), 6, 3, 3, 2), is_causal=True),  # L > S: upper-left aligned
    S(*_qkv((2,), 3, 6, 3, 2), None, 0.0, True),
    S(*_qkv((2,), 4, 5, 3, 2), scale=0.3),
    S(T(2, 3, 4, 3), T(1, 3, 5, 3), T(3, 5, 2)),  # batch dims broadcast
    S(*_qkv((2, 2, 2), 3, 5, 4, 3), T(2, 1, 2, 3, 5)),  # 5-D with a broadcast mask
    S(T(2, 4, 3, 4), T(2, 2, 5, 4), T(2, 1, 5, 3), enable_gqa=True),
    S(T(2, 4, 3, 4), T(2, 2, 5, 4), T(2, 2, 5, 3), T(3, 5), enable_gqa=True, scale=0.5),
    S(T(2, 3, 4, layout="transposed"), T(2, 5, 4), T(2, 5, 3, layout="strided")),
    S(*_qkv((2,), 4, 5, 3, 2), None, 0.0),  # dropout_p = 0: deterministic
    S(*_qkv((2,), 0, 5, 3, 2)),
    S(*_qkv((2,), 3, 0, 3, 2)),
    S(*_qkv((0, 2), 3, 4, 3, 2)),
]

DROPOUT = [
    S(*_qkv((2, 2), 4, 5, 3, 2), dropout_p=0.3),
    S(*_qkv((2,), 4, 5, 3, 2), T(4, 5), 0.5),
    S(*_qkv((2,), 4, 4, 3, 2), None, 0.2, True, scale=0.7),
    S(*_qkv((2,), 3, 4, 3, 2), _DEAD_ROWS, 1.0),
]

ENTRIES = [
    OpInfo("scaled_dot_product_attention", F + "scaled_dot_product_attention", SAMPLES,
           namespace="nn.functional", onnx={"ScaledDotProductAttention": _sdpa_onnx}),
    OpInfo("scaled_dot_product_attention", F + "scaled_dot_product_attention", DROPOUT,
           namespace="nn.functional", random=True, onnx={"ScaledDotProductAttention": _sdpa_onnx}),
]


# ---- multi_head_attention_forward: E = 4, 2 heads, L = 3, S = 5, N = 2 -------------------------
def _mha(q=(3, 2, 4), kv=(5, 2, 4), bias_kv=False, zero_attn=False, dropout_p=0.0, separate=False,
         **kwargs):
    """The positional arguments of multi_head_attention_forward (packed or separate
    projection weights), then `kwargs`."""
    k_shape = kv[:-1] + (3,) if separate else kv
    v_shape = kv[:-1] + (2,) if separate else kv
    bias = T(1, 1, 4) if bias_kv else None
    if separate:
        kwargs.update(use_separate_proj_weight=True, q_proj_weight=T(4, 4), k_proj_weight=T(4, 3),
                      v_proj_weight=T(4, 2))
    return S(T(*q), T(*k_shape), T(*v_shape), 4, 2, None if separate else T(12, 4), T(12), bias,
             bias, zero_attn, dropout_p, T(4, 4), T(4), **kwargs)


_KPM = T(2, 5, kind="bool", values=[[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]])
_ATTN = T(3, 5, kind="bool", values=[[0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [1, 1, 0, 0, 0]])
_CAUSAL = T(3, 3, kind="bool", values=np.triu(np.ones((3, 3)), 1))

MHA = [
    _mha(training=False),
    _mha(training=False, need_weights=False),
    _mha(training=False, average_attn_weights=False),
    _mha(bias_kv=True, zero_attn=True, training=False),
    _mha(bias_kv=True, training=False, need_weights=False, key_padding_mask=_KPM),
    _mha(zero_attn=True, training=False, attn_mask=_ATTN),
    _mha(training=False, key_padding_mask=_KPM, attn_mask=_ATTN),
    _mha(training=False, key_padding_mask=_KPM, attn_mask=_ATTN, need_weights=False),
    _mha(training=False, attn_mask=T(3, 5)),  # a float mask, differentiated
    _mha(training=False, attn_mask=T(4, 3, 5), need_weights=False),  # per batch element and head
    _mha(q=(3, 4), kv=(5, 4), training=False, key_padding_mask=T(5, kind="bool",
                                                                 values=[0, 0, 1, 0, 1])),
    _mha(q=(3, 4), kv=(5, 4), training=False, need_weights=False),
    _mha(separate=True, training=False),
    _mha(separate=True, training=False, need_weights=False, key_padding_mask=_KPM),
    _mha(training=False, static_k=T(4, 6, 2), static_v=T(4, 6, 2)),
    _mha(q=(3, 2, 4), kv=(3, 2, 4), training=False, attn_mask=_CAUSAL, is_causal=True,
         need_weights=False),
    _mha(q=(3, 2, 4), kv=(3, 2, 4), training=False, dropout_p=0.5),  # dropout off when not training
]

MHA_DROPOUT = [
    _mha(dropout_p=0.5),
    _mha(dropout_p=0.3, need_weights=False),
]

ENTRIES += [
    # float32: gradients ~7 with cancellation to ~1e-3. bfloat16: gradients up to ~27, where a
    # bfloat16 step is 0.125; PyTorch's fused CPU attention (need_weights=False) rounds the
    # probabilities to bfloat16 before the product with V and its baddbmm adds a float mask
    # in one rounding, where ours rounds once at the end: both land within ~0.45 of the
    # float64 gradients (ours closer on most samples), not on the same bfloat16 values
    OpInfo("multi_head_attention_forward", F + "multi_head_attention_forward", MHA,
           namespace="nn.functional",
           tol={"float32": dict(rtol=1e-4, atol=5e-5), "bfloat16": dict(rtol=5e-2, atol=0.5)}),
    OpInfo("multi_head_attention_forward", F + "multi_head_attention_forward", MHA_DROPOUT,
           namespace="nn.functional", random=True),
]
