"""MultiheadAttention, with PyTorch's parameters, initialisation and paths."""
import autograd_lite as ag

from . import init
from .functional.attention import canonical_mask
from .functional.multihead_attention import mha_forward
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under PyTorch's name for MultiheadAttention.out_proj (so reprs match)."""


class MultiheadAttention(Module):
    """Attention from `num_heads` heads of embed_dim // num_heads dims each.

    in_proj_weight (3E, E) holds the query, key and value projections (q_proj_weight,
    k_proj_weight (E, kdim) and v_proj_weight (E, vdim) instead when kdim or vdim
    differ from embed_dim), xavier_uniform_; biases start at zero; bias_k and bias_v
    (add_bias_kv) are one more key and value, xavier_normal_.

    As PyTorch, need_weights=True (the default) computes the weights explicitly (the
    slow path; rows with every key masked are NaN), need_weights=False runs the fused
    attention (such rows give zeros), except where PyTorch takes its inference fast
    path (eval mode, no gradient needed, batch_first self-attention with bool or no
    masks...), whose fully masked rows are NaN: this module gives the same numbers.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = dict(dtype=dtype, device=device)
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(ag.empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(ag.empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(ag.empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(ag.empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(ag.empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(ag.empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(ag.empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """query (L, N, E), or (N, L, E) when batch_first, or (L, E) unbatched; key and
        value (S, N, kdim/vdim) likewise. Returns (output like query, weights (N, L, S)
        averaged over heads or (N, H, L, S) per head, or None without need_weights)."""
        nan_rows = self._takes_fast_path(query, key, value, key_padding_mask, attn_mask)
        return self._attend(query, key, value, key_padding_mask, need_weights, attn_mask,
                            average_attn_weights, is_causal, nan_rows)

    def _attend(self, query, key, value, key_padding_mask, need_weights, attn_mask,
                average_attn_weights, is_causal, nan_rows):
        """forward's computation; nan_rows: fully masked rows give NaN (PyTorch's fast
        paths, which TransformerEncoderLayer decides for itself)."""
        key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                          None if attn_mask is None else attn_mask.dtype,
                                          "attn_mask", query.dtype)
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        same = self._qkv_same_embed_dim
        return mha_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, self.training, key_padding_mask, need_weights,
            attn_mask,
            None if same else (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight),
            None, None, average_attn_weights, is_causal,
            batch_first=self.batch_first and query.ndim == 3, nan_rows=nan_rows)

    def _takes_fast_path(self, query, key, value, key_padding_mask, attn_mask):
        """Whether PyTorch would run its native inference kernel (whose rows with every
        key masked are NaN, not zeros); PyTorch's conditions, in its order."""
        if any(m is not None and m.is_floating_point() for m in (attn_mask, key_padding_mask)):
            return False
        if query.ndim != 3 or query is not key or key is not value:
            return False
        if self.in_proj_bias is None or self.in_proj_weight is None:
            return False
        if query.dtype != self.in_proj_bias.dtype or query.dtype != self.in_proj_weight.dtype:
            return False
        if self.training or self.num_heads % 2 or not self.batch_first:
            return False
        if self.bias_k is not None or self.bias_v is not None or self.add_zero_attn:
            return False
        if not self._qkv_same_embed_dim:
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight,
                   self.out_proj.bias)
        return not (ag.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors))

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """(mask, type) as PyTorch's fast path sees them: type 1 for key_padding_mask
        alone, 2 when attn_mask is given (expanded to (N, H, L, S), plus the padding)."""
        mask_type = merged = None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                merged = attn_mask.reshape(batch_size, -1, seq_len, seq_len)
            else:
                merged = attn_mask.reshape(1, 1, seq_len, seq_len).expand(
                    batch_size, self.num_heads, -1, -1)
            if key_padding_mask is not None:
                merged = merged + key_padding_mask.reshape(batch_size, 1, 1, seq_len).expand(
                    -1, self.num_heads, -1, -1)
        return merged, mask_type
