"""scaled_dot_product_attention with PyTorch's signature and checks; the fused op is
autograd_lite.ops.attention's. multi_head_attention_forward is
nn/functional/multihead_attention.py's."""
import math
import warnings

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError, is_floating_dtype
from autograd_lite.ops import attention as attention_ops

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 *, scale=None, enable_gqa=False):
    """softmax(query key^T * scale + mask) value over query (N, ..., Hq, L, E), key
    (N, ..., H, S, E), value (N, ..., H, S, Ev) -> (N, ..., Hq, L, Ev); batch dims
    broadcast. A bool attn_mask marks the pairs that take part (True), a float one is
    added to the scores; is_causal masks key j > query i. A query row with no key left
    gives zeros. `dropout_p` drops attention weights always (pass 0.0 in evaluation).
    `enable_gqa`: H divides Hq, each key/value head serving Hq / H query heads."""
    op = "scaled_dot_product_attention"
    q, k, v = query, key, value
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"{op}: expected query, key and value to be at least 2-D, got shapes "
                           f"{tuple(q.shape)}, {tuple(k.shape)} and {tuple(v.shape)}")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"{op}: expected query, key and value to have the same dtype, got "
                           f"{q.dtype}, {k.dtype} and {v.dtype}")
    if not q.is_floating_point():
        raise RuntimeError(f"{op}: expected floating point query, key and value, got {q.dtype}")
    if attn_mask is not None and is_causal:
        raise RuntimeError(f"{op}: an explicit attn_mask should not be set when is_causal=True")
    if dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa:
        k, v = _repeat_kv_heads(q, k, v, op)
    if q.shape[-1] != k.shape[-1]:
        raise ShapeError(f"{op}: query {tuple(q.shape)} and key {tuple(k.shape)} must have the same "
                         f"embedding size (last dim)")
    if k.shape[-2] != v.shape[-2]:
        raise ShapeError(f"{op}: key {tuple(k.shape)} and value {tuple(v.shape)} must have the same "
                         f"sequence length (dim -2)")
    try:
        batch = np.broadcast_shapes(tuple(q.shape[:-2]), tuple(k.shape[:-2]))
        np.broadcast_shapes(batch, tuple(v.shape[:-2]))
    except ValueError:
        raise ShapeError(f"{op}: the batch dims of query {tuple(q.shape)}, key {tuple(k.shape)} and "
                         f"value {tuple(v.shape)} don't broadcast") from None
    scores = tuple(batch) + (q.shape[-2], k.shape[-2])
    mask = None if attn_mask is None else _additive_mask(attn_mask, q.dtype, scores, op)
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1]) if q.shape[-1] else math.inf
    return attention_ops.attention(q, k, v, mask, scale, bool(is_causal), max(float(dropout_p), 0.0))


def _repeat_kv_heads(q, k, v, op):
    """key and value with each head repeated Hq / H times along dim -3 (grouped-query
    attention), as repeat_interleave."""
    if q.ndim < 3 or k.ndim < 3 or v.ndim < 3:
        raise IndexError(f"{op}: enable_gqa needs a heads dim (-3) in query, key and value, got "
                         f"shapes {tuple(q.shape)}, {tuple(k.shape)} and {tuple(v.shape)}")
    hq = q.shape[-3]
    out = []
    for t in (k, v):
        h = t.shape[-3]
        if h == hq:
            out.append(t)
            continue
        if h == 0 or hq % h:
            raise RuntimeError(f"{op}: the number of heads in key and value ({k.shape[-3]}, "
                               f"{v.shape[-3]}) must divide the number of heads in query ({hq})")
        lead, tail = tuple(t.shape[:-3]), tuple(t.shape[-2:])
        t = t.unsqueeze(-3).expand(*lead, h, hq // h, *tail)
        out.append(t.reshape(*lead, hq, *tail))
    return out


def _additive_mask(mask, dtype, scores, op):
    """attn_mask as a float tensor added to scores of shape `scores` (*B, L, S): a bool
    mask gives 0 where True and -inf where False; a float32 mask is cast to `dtype`."""
    if mask.dtype.kind == "b":
        mask = _bool_as_additive(mask, 0.0, -np.inf, dtype)
    elif not is_floating_dtype(mask.dtype) or (mask.dtype != dtype and mask.dtype != np.float32):
        raise RuntimeError(f"{op}: expected attn_mask of dtype bool, float32 or the query's dtype "
                           f"{dtype}, got {mask.dtype}")
    elif mask.dtype != dtype:
        mask = mask.to(dtype)
    try:
        fits = np.broadcast_shapes(tuple(mask.shape), scores) == scores
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{op}: attn_mask of shape {tuple(mask.shape)} doesn't broadcast to the "
                         f"attention weights' shape {scores}")
    return mask


def canonical_mask(mask, name, other_dtype, other_name, dtype, check_other=True):
    """A bool or float mask as a float one of `dtype` (-inf where a bool mask is True),
    with PyTorch's warning when it and the other mask differ in dtype."""
    if mask is None:
        return None
    kind = "f" if is_floating_dtype(mask.dtype) else mask.dtype.kind
    if kind not in "bf":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_dtype is not None and mask.dtype != other_dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type "
                      f"for both instead.", UserWarning, stacklevel=3)
    if kind == "b":
        return _bool_as_additive(mask, -np.inf, 0.0, dtype)
    return mask


def _bool_as_additive(mask, where_true, where_false, dtype):
    """A bool mask as a float one of `dtype`, by `where` (which an ONNX export follows,
    as it can't follow NumPy)."""
    return ag.where(mask, ag.tensor(where_true, dtype=dtype), ag.tensor(where_false, dtype=dtype))
