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
           namespace="nn.functional"),
    OpInfo("scaled_dot_product_attention", F + "scaled_dot_product_attention", DROPOUT,
           namespace="nn.functional", random=True),
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
    OpInfo("multi_head_attention_forward", F + "multi_head_attention_forward", MHA,
           namespace="nn.functional",  # float32: gradients ~7 with cancellation to ~1e-3
           tol={"float32": dict(rtol=1e-4, atol=5e-5)}),
    OpInfo("multi_head_attention_forward", F + "multi_head_attention_forward", MHA_DROPOUT,
           namespace="nn.functional", random=True),
]
