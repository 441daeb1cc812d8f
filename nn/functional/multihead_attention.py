"""multi_head_attention_forward with PyTorch's signature, and the body
nn.MultiheadAttention runs on either layout (batch first or sequence first).

Heads are split and merged with views: the packed in-projection (*, 3E) is chunked,
viewed as (*, H, D) and permuted to (N, H, L, D), which the attention op multiplies as
strided batches (NumPy hands BLAS the row stride); the op writes its output in the
input's (*, H, D) order, so merging the heads back is a view too. need_weights=False runs the fused op; need_weights=True
computes the weights explicitly (softmax, dropout, matmul), as PyTorch, so rows with
every key masked are NaN there and zeros in the fused op (PyTorch's SDPA).
"""
import math

import numpy as np

import autograd_lite as ag
from autograd_lite.ops import attention as attention_ops

from .activation import softmax
from .attention import canonical_mask
from .dropout import dropout
from .linear import linear

__all__ = ["multi_head_attention_forward"]


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True, key_padding_mask=None,
                                 need_weights=True, attn_mask=None, use_separate_proj_weight=False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
                                 static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention of query (L, N, E) or (L, E) over key/value (S, N, E*) or
    (S, E*); returns (output (L, N, E), weights (N, L, S) averaged over heads, or
    (N, H, L, S), or None without need_weights). See nn.MultiheadAttention."""
    return mha_forward(
        query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k,
        bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
        key_padding_mask, need_weights, attn_mask,
        (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None,
        static_k, static_v, average_attn_weights, is_causal, batch_first=False)


def mha_forward(query, key, value, embed_dim, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
                add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask,
                need_weights, attn_mask, separate_weights, static_k, static_v, average_attn_weights,
                is_causal, batch_first, nan_rows=False):
    """The body of multi_head_attention_forward; batch_first says where batched inputs
    keep their batch dim (0) or their sequence dim (0, PyTorch's functional layout).
    nan_rows: fully masked rows give NaN with need_weights=False too (MultiheadAttention's
    fast path in PyTorch)."""
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    bdim = 0 if batch_first else 1
    if not batched:
        query, key, value = query.unsqueeze(bdim), key.unsqueeze(bdim), value.unsqueeze(bdim)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    sdim = 1 - bdim
    tgt_len, bsz, e = query.shape[sdim], query.shape[bdim], query.shape[2]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                      None if attn_mask is None else attn_mask.dtype, "attn_mask",
                                      query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to create "
                           "this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the causal flag alone, as PyTorch hands SDPA
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if e != embed_dim:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim}, but got {e}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if separate_weights is not None:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match "
                                 f"value's {tuple(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                             f"{tuple(value.shape)}")
    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias,
                             separate_weights)
    src_len = k.shape[sdim]
    mask = _attn_mask_4d(attn_mask, bsz, num_heads, tgt_len, src_len)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        k = ag.cat([k, _along_batch(bias_k, bsz, bdim)], sdim)
        v = ag.cat([v, _along_batch(bias_v, bsz, bdim)], sdim)
        mask, key_padding_mask = _pad_one(mask), _pad_one(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be set or both be None")
    q = _split_heads(q, num_heads, head_dim, bdim)  # (N, H, L, D)
    k = _split_heads(k, num_heads, head_dim, bdim) if static_k is None else \
        _static(static_k, bsz, num_heads, head_dim, "static_k")
    v = _split_heads(v, num_heads, head_dim, bdim) if static_v is None else \
        _static(static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        k = ag.cat([k, ag.zeros((bsz, num_heads, 1, head_dim), dtype=k.dtype)], 2)
        v = ag.cat([v, ag.zeros((bsz, num_heads, 1, v.shape[-1]), dtype=v.dtype)], 2)
        mask, key_padding_mask = _pad_one(mask), _pad_one(key_padding_mask)
    src_len = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"Expected key_padding_mask of shape {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0
    scale = 1 / math.sqrt(head_dim) if head_dim else math.inf
    if need_weights:
        out, weights = _explicit_attention(q, k, v, mask, scale, dropout_p)
        weights = weights.mean(1) if average_attn_weights else weights
    else:
        out = attention_ops.attention(q, k, v, mask, scale, is_causal, dropout_p, nan_rows,
                                      layout=(0, 2, 1, 3) if bdim == 0 else (2, 0, 1, 3))
        weights = None
    out = linear(_merge_heads(out, bdim), out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(bdim)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """True for batched (3-D) inputs, False for unbatched (2-D); PyTorch's errors."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but "
                                 f"found {key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` "
                                 f"or 2-D but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but "
                                 f"found {key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` "
                                 f"or 1-D but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, "
                                     f"2-D or 3-D but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _in_projection(query, key, value, e, w, b, separate):
    """q, k, v (*, E): one GEMM for self-attention (query is key is value), two when key
    is value, three otherwise (PyTorch's packed in-projection); or the separate weights."""
    if separate is not None:
        wq, wk, wv = separate
        bq, bk, bv = (None, None, None) if b is None else b.chunk(3)
        if tuple(wq.shape) != (e, e):
            raise AssertionError(f"expecting query weights shape of {(e, e)}, but got {tuple(wq.shape)}")
        if tuple(wk.shape) != (e, key.shape[-1]) or tuple(wv.shape) != (e, value.shape[-1]):
            raise AssertionError(f"expecting key and value weights of shapes {(e, key.shape[-1])} and "
                                 f"{(e, value.shape[-1])}, but got {tuple(wk.shape)} and "
                                 f"{tuple(wv.shape)}")
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
    if w is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if key is value:
        if query is key:
            return linear(query, w, b).chunk(3, -1)
        wq, wkv = w.split([e, 2 * e])
        bq, bkv = (None, None) if b is None else b.split([e, 2 * e])
        return (linear(query, wq, bq),) + tuple(linear(key, wkv, bkv).chunk(2, -1))
    wq, wk, wv = w.chunk(3)
    bq, bk, bv = (None, None, None) if b is None else b.chunk(3)
    return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)


def _attn_mask_4d(mask, bsz, num_heads, tgt_len, src_len):
    """attn_mask (L, S) or (N * H, L, S) as (1, 1, L, S) or (N, H, L, S)."""
    if mask is None:
        return None
    if mask.ndim == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but should be "
                               f"{(tgt_len, src_len)}.")
        return mask.reshape(1, 1, tgt_len, src_len)
    if mask.ndim == 3:
        if tuple(mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
        return mask.reshape(bsz, num_heads, tgt_len, src_len)
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")


def _pad_one(mask):
    """A mask with one more key (a zero column), for bias_k/bias_v and add_zero_attn."""
    if mask is None:
        return None
    return ag.cat([mask, ag.zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)], -1)


def _along_batch(bias, bsz, bdim):
    """bias_k / bias_v (1, 1, E) as one more key per batch element."""
    return bias.expand(bsz, 1, bias.shape[-1]) if bdim == 0 else bias.expand(1, bsz, bias.shape[-1])


def _split_heads(x, num_heads, head_dim, bdim):
    """(L, N, E) or (N, L, E) -> (N, H, L, D), a view."""
    x = x.reshape(*x.shape[:2], num_heads, head_dim)
    return x.permute(0, 2, 1, 3) if bdim == 0 else x.permute(1, 2, 0, 3)


def _merge_heads(x, bdim):
    """(N, H, L, D) -> (N, L, E) or (L, N, E)."""
    n, h, length, d = x.shape
    if bdim == 0:
        return x.permute(0, 2, 1, 3).reshape(n, length, h * d)
    return x.permute(2, 0, 1, 3).reshape(length, n, h * d)


def _static(t, bsz, num_heads, head_dim, name):
    if t.shape[0] != bsz * num_heads or t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name} of shape ({bsz * num_heads}, S, {head_dim}), but got "
                             f"{tuple(t.shape)}")
    return t.reshape(bsz, num_heads, t.shape[1], head_dim)


def _explicit_attention(q, k, v, mask, scale, dropout_p):
    """softmax(q * scale @ k^T + mask), dropped out, @ v, keeping the weights (N, H, L, S)."""
    scores = (q * scale) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores + mask
    with np.errstate(invalid="ignore"):  # rows of -inf: NaN, as PyTorch (which doesn't warn)
        weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, p=dropout_p)
    return weights @ v, weights
