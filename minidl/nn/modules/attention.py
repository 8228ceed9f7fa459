"""Multi-head attention (Vaswani et al., 2017), with PyTorch's parameters and arguments.

For one head h with projections W_qʰ, W_kʰ, W_vʰ (each (d, E), d = E / heads):
    Qʰ = query W_qʰᵀ + b_qʰ   (L, d)      Kʰ = key W_kʰᵀ + b_kʰ   (S, d)
    Vʰ = value W_vʰᵀ + b_vʰ   (S, d)
    Aʰ = softmax(Qʰ Kʰᵀ / √d + mask)      (L, S)   each row sums to 1 over the S keys
    headʰ = Aʰ Vʰ                          (L, d)
    output = concat(head¹ … headᴴ) W_oᵀ + b_o   (L, E)
The three input projections are stacked in one ``in_proj_weight`` (3E, E) and one
``in_proj_bias`` (3E,) — rows [0, E) for queries, [E, 2E) keys, [2E, 3E) values — and the
output projection is the Linear ``out_proj``, exactly as in ``torch.nn.MultiheadAttention``,
so a state dict moves between the two unchanged.  Gradients come from autograd through
linear, matmul, softmax and the reshapes.
"""
from __future__ import annotations

import math

import numpy as np

from ... import creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class MultiheadAttention(Module):
    """Attention of ``num_heads`` heads over ``embed_dim`` features.

    Shapes (``batch_first=False``): query (L, N, E), key and value (S, N, E); with
    ``batch_first=True`` the batch comes first, (N, L, E) and (N, S, E); unbatched inputs
    are (L, E) and (S, E).  ``forward`` returns ``(output, weights)``: output shaped like the
    query, weights (N, L, S) averaged over heads, or (N, heads, L, S) with
    ``average_attn_weights=False``, or None with ``need_weights=False``.
    Masks: ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N·heads, L, S); a bool
    mask marks with True the keys a query may *not* attend to, a float mask is added to the
    scores before the softmax.  Dropout (probability ``dropout``) acts on the attention
    weights in training mode; the returned weights are the ones used, after dropout.
    With ``need_weights=False`` the heads run through ``F.scaled_dot_product_attention``
    (the masks merged into one), as in PyTorch: a query whose keys are all masked then
    gives zeros instead of NaN.  ``is_causal`` is PyTorch's hint that ``attn_mask`` is the
    causal mask; the mask itself is used, and the hint without a mask is PyTorch's error.
    ``kdim``/``vdim`` (default ``embed_dim``) are the key's and value's feature sizes; when
    either differs from ``embed_dim`` the projections are three separate parameters
    ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim) and
    ``in_proj_weight`` is None, as in PyTorch.  ``add_bias_kv`` appends the learned
    ``bias_k``/``bias_v`` (1, 1, E) to the projected keys and values, and
    ``add_zero_attn`` a key and value of zeros to each head, so S grows by one for each
    (the masks are widened with entries that block nothing).
    Initialization as PyTorch: in_proj_weight Xavier-uniform, biases zero, out_proj.weight
    as a Linear layer's, bias_k and bias_v Xavier-normal.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads),
                            ("kdim", embed_dim if kdim is None else kdim),
                            ("vdim", embed_dim if vdim is None else vdim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"MultiheadAttention: {name} must be a positive int, "
                                 f"got {value!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                             f"num_heads {num_heads}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1), got {dropout}")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim,
                                                           dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self.bias_k: Parameter | None
        self.bias_v: Parameter | None
        if add_bias_kv:
            self.bias_k = Parameter(creation.empty(1, 1, embed_dim, dtype=dtype))
            self.bias_v = Parameter(creation.empty(1, 1, embed_dim, dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    # -- argument checks ---------------------------------------------------------------
    def _check_inputs(self, query, key, value) -> bool:
        """Raise a clear error for inconsistent shapes; return whether the input is batched."""
        if query.ndim not in (2, 3):
            raise ValueError(f"MultiheadAttention: query must be 2-D (unbatched) or 3-D, got "
                             f"shape {query.shape}")
        for name, tensor in (("query", query), ("key", key), ("value", value)):
            if tensor.ndim != query.ndim:
                raise ValueError(f"MultiheadAttention: {name} has shape {tensor.shape} but "
                                 f"query has {query.shape}; all must have the same number "
                                 "of dimensions")
        for name, tensor, features, what in (("query", query, self.embed_dim, "embed_dim"),
                                             ("key", key, self.kdim, "kdim"),
                                             ("value", value, self.vdim, "vdim")):
            if tensor.shape[-1] != features:
                raise ValueError(f"MultiheadAttention: {name} has {tensor.shape[-1]} features "
                                 f"(shape {tensor.shape}), expected {what}={features}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"MultiheadAttention: key shape {key.shape} does not match value "
                             f"shape {value.shape} (apart from the features)")
        batch_axis = 0 if self.batch_first else 1
        if query.ndim == 3 and query.shape[batch_axis] != key.shape[batch_axis]:
            raise ValueError(f"MultiheadAttention: query (shape {query.shape}) and key (shape "
                             f"{key.shape}) have different batch sizes (batch_first="
                             f"{self.batch_first})")
        return query.ndim == 3

    @staticmethod
    def _masked(scores, mask):
        """scores (N, H, L, S) with a broadcastable mask applied: True (bool) -> -inf, a
        float mask is added."""
        if mask.dtype == np.bool_:
            return scores.masked_fill(mask, float("-inf"))
        return scores + mask

    @staticmethod
    def _padded(mask, count: int):
        """``mask`` with ``count`` more key columns that block nothing (False or 0)."""
        if mask is None:
            return None
        extra = creation.zeros(*mask.shape[:-1], count, dtype=mask.dtype, device=mask.device)
        return creation.cat([mask, extra], dim=-1)

    @staticmethod
    def _merged(attn_mask, key_padding_mask, dtype):
        """One mask for ``scaled_dot_product_attention`` (True or 0 where a query may
        attend) from MultiheadAttention's two (True or -inf where it may not): both bool ->
        bool, otherwise an additive float mask."""
        masks = [m for m in (attn_mask, key_padding_mask) if m is not None]
        if not masks:
            return None
        if all(m.dtype == np.bool_ for m in masks):
            blocked = masks[0] if len(masks) == 1 else masks[0].logical_or(masks[1])
            return blocked.logical_not()
        total = None
        for m in masks:
            if m.dtype == np.bool_:
                m = creation.zeros(*m.shape, dtype=dtype, device=m.device).masked_fill(
                    m, float("-inf"))
            total = m if total is None else total + m
        return total

    # -- the computation ---------------------------------------------------------------
    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        batched = self._check_inputs(query, key, value)
        if not batched:  # (L, E) -> (1, L, E), batch first
            query, key, value = (t.unsqueeze(0) for t in (query, key, value))
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, target_len, _ = query.shape
        source_len = key.shape[1]
        heads, d, e = self.num_heads, self.head_dim, self.embed_dim

        def project(x, index: int):
            """x (N, len, features) -> its projection number ``index`` (q, k, v): (N, len, E)."""
            rows = slice(index * e, (index + 1) * e)
            bias = None if self.in_proj_bias is None else self.in_proj_bias[rows]
            if self._qkv_same_embed_dim:
                weight = self.in_proj_weight[rows]
            else:
                weight = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)[index]
            return F.linear(x, weight, bias)

        def split(x):
            """(N, len, E) -> (N, H, len, d)."""
            return x.reshape(n, x.shape[1], heads, d).permute(0, 2, 1, 3)

        q, k, v = project(query, 0), project(key, 1), project(value, 2)
        extra = 0  # key columns appended: bias_k/bias_v, then a zero key/value
        if self.bias_k is not None and self.bias_v is not None:
            k = creation.cat([k, self.bias_k.expand(n, 1, e)], dim=1)
            v = creation.cat([v, self.bias_v.expand(n, 1, e)], dim=1)
            extra += 1
        q, k, v = split(q), split(k), split(v)
        if self.add_zero_attn:
            zeros = creation.zeros(n, heads, 1, d, dtype=k.dtype, device=k.device)
            k = creation.cat([k, zeros], dim=2)
            v = creation.cat([v, zeros], dim=2)
            extra += 1
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask`"
                               " to create this mask.")
        if attn_mask is not None:
            allowed = [(target_len, source_len), (n * heads, target_len, source_len)]
            if tuple(attn_mask.shape) not in allowed:
                raise ValueError(f"MultiheadAttention: attn_mask has shape "
                                 f"{tuple(attn_mask.shape)}, expected {allowed[0]} or "
                                 f"{allowed[1]} (target length, source length)")
            if attn_mask.ndim == 3:
                attn_mask = attn_mask.reshape(-1, heads, target_len, source_len)
        if key_padding_mask is not None:
            expected = (n, source_len) if batched else (source_len,)
            if tuple(key_padding_mask.shape) != expected:
                raise ValueError(f"MultiheadAttention: key_padding_mask has shape "
                                 f"{tuple(key_padding_mask.shape)}, expected {expected} "
                                 "((batch, source length), or (source length,) unbatched)")
            key_padding_mask = key_padding_mask.reshape(n, 1, 1, source_len)
        if extra:
            attn_mask, key_padding_mask = (self._padded(m, extra)
                                           for m in (attn_mask, key_padding_mask))
        if not need_weights:
            # PyTorch's route without weights: scaled_dot_product_attention, whose rows
            # with every key masked give zeros (the route with weights gives NaN there).
            heads_out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=self._merged(attn_mask, key_padding_mask, q.dtype),
                dropout_p=self.dropout if self.training else 0.0)
            weights = None
        else:
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))  # (N, H, L, S)
            for mask in (attn_mask, key_padding_mask):
                if mask is not None:
                    scores = self._masked(scores, mask)
            weights = F.softmax(scores, dim=-1)
            weights = F.dropout(weights, self.dropout, training=self.training)
            heads_out = weights @ v  # (N, H, L, d)
        output = self.out_proj(heads_out.permute(0, 2, 1, 3).reshape(n, target_len, e))
        if not batched:
            output = output.squeeze(0)
        elif not self.batch_first:
            output = output.transpose(0, 1)
        if weights is None:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            weights = weights.squeeze(0)
        return output, weights

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")
