"""Scaled dot-product attention (``torch.nn.functional.scaled_dot_product_attention``).

For queries Q (..., L, E), keys K (..., S, E) and values V (..., S, Ev):
    scores  = Q Kᵀ · scale + M               (..., L, S)   scale defaults to 1/√E
    weights = softmax(scores) over the S keys, then dropout with probability dropout_p
    output  = weights V                      (..., L, Ev)
The leading dims ``...`` broadcast between the three inputs (any number of them, none
included).  The mask M comes from ``attn_mask``, broadcastable to (..., L, S): a bool mask
marks with True the keys a query *may* attend to (False -> -inf), a float mask is added
to the scores.  ``is_causal=True`` stands for the lower-triangular bool mask of ones
(query i sees keys j <= i, aligned at the top left when L != S) and excludes
``attn_mask``.  A row whose keys are all masked gives weights of zero (PyTorch's "safe
softmax"), so its output is zero and no NaN enters the gradients.  With
``enable_gqa=True`` (grouped-query attention) keys and values may have fewer heads (dim
-3) than the queries, Hq = g·Hk; each key/value head then serves g consecutive query
heads.  Everything is built from differentiable ops (matmul, masked_fill, softmax,
dropout), so autograd supplies the gradients.
"""
from __future__ import annotations

import math

import numpy as np

from ... import creation
from ...tensor import Tensor
from .activation import softmax
from .dropout import dropout as _dropout


def _check(query: Tensor, key: Tensor, value: Tensor, dropout_p: float,
           enable_gqa: bool) -> None:
    for name, tensor in (("query", query), ("key", key), ("value", value)):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {name} must be a Tensor, got "
                            f"{type(tensor).__name__}")
        if tensor.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} must have at least 2 "
                             f"dimensions (..., length, features), got shape {tensor.shape}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query has {query.shape[-1]} "
                           f"features (shape {tuple(query.shape)}) but key has "
                           f"{key.shape[-1]} (shape {tuple(key.shape)}); they must be equal")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key (shape {tuple(key.shape)}) "
                           f"and value (shape {tuple(value.shape)}) must have the same "
                           "source length (dim -2)")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], got "
                         f"{dropout_p}")
    if enable_gqa and (query.ndim < 3 or key.ndim < 3 or value.ndim < 3):
        raise ValueError("scaled_dot_product_attention: enable_gqa needs a heads dimension "
                         "(dim -3) in query, key and value")


def _grouped(query: Tensor, tensor: Tensor, name: str) -> Tensor:
    """Repeat each of ``tensor``'s Hk heads (dim -3) Hq/Hk times, so head h of the
    queries meets head h // (Hq/Hk) of the keys and values."""
    heads, groups = query.shape[-3], tensor.shape[-3]
    if heads == groups:
        return tensor
    if heads % groups:
        raise RuntimeError(f"scaled_dot_product_attention: enable_gqa needs query's heads "
                           f"({heads}, dim -3) to be a multiple of {name}'s ({groups})")
    return tensor.repeat_interleave(heads // groups, dim=-3)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + mask) V over the last two dims, shapes as the module
    docstring; returns (..., L, Ev)."""
    _check(query, key, value, dropout_p, enable_gqa)
    if enable_gqa:
        key, value = _grouped(query, key, "key"), _grouped(query, value, "value")
    target_len, source_len = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = (query @ key.transpose(-2, -1)) * scale  # (..., L, S)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        attn_mask = creation.ones(target_len, source_len, dtype=np.bool_,
                                  device=query.device).tril()
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError(f"scaled_dot_product_attention: attn_mask must be a Tensor or "
                            f"None, got {type(attn_mask).__name__}")
        if attn_mask.ndim < 2 or attn_mask.shape[-2] not in (1, target_len) \
                or attn_mask.shape[-1] not in (1, source_len):
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape "
                               f"{tuple(attn_mask.shape)} does not broadcast to (..., "
                               f"{target_len}, {source_len}) (target length, source length)")
        if attn_mask.dtype == np.bool_:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
        # PyTorch's safe softmax: a row with every key masked gets weights 0, not NaN.
        # Its scores become 0 (a finite softmax, whose gradient the second fill zeroes).
        dead = scores.detach().isinf().logical_and(scores.detach() < 0).all(dim=-1,
                                                                            keepdim=True)
        if bool(dead.any()):
            weights = softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
        else:
            weights = softmax(scores, dim=-1)
    else:
        weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, training=True)
    return weights @ value
