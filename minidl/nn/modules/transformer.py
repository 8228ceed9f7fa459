"""The Transformer (Vaswani et al., 2017) with ``torch.nn``'s classes, arguments and
submodule names, so state dicts move between the two unchanged.

Encoder layer, x (S, N, E) (or (N, S, E) with ``batch_first``, or (S, E) unbatched):
    post-norm (``norm_first=False``, the paper's):
        x = norm1(x + dropout1(self_attn(x, x, x)))
        x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))
    pre-norm (``norm_first=True``):
        x = x + dropout1(self_attn(norm1(x), ...))
        x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))
Decoder layer, target x (T, N, E) and memory m (S, N, E): the same with a second
attention block between the two, ``multihead_attn(x, m, m)`` (queries from the target,
keys and values from the encoder's output), with ``norm2``/``dropout2``; the feed-forward
block then uses ``norm3``/``dropout3``.
``TransformerEncoder``/``TransformerDecoder`` run ``num_layers`` deep copies of the given
layer (``layers``, a ModuleList) and then the optional final ``norm``; ``Transformer`` is
an encoder and a decoder of ``num_*_layers`` layers, each with a final LayerNorm, its
matrices re-drawn Xavier-uniform.  Masks follow ``MultiheadAttention``: ``*_mask``
(L, S) or (N·heads, L, S) and ``*_key_padding_mask`` (N, S), bool (True = may not
attend) or float (added to the scores).  ``is_causal`` flags are PyTorch's hints that the
mask given is the causal one (the mask is what is applied; a hint without a mask is an
error).  Everything is built from minidl's differentiable layers, so autograd supplies
every gradient.  PyTorch's inference fast path (nested tensors) is not reproduced: its
results equal this computation's except at padded positions, where it writes zeros.
"""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from ... import creation
from .. import functional as F
from .. import init
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


def _activation(activation) -> Callable:
    """'relu' / 'gelu' -> F.relu / F.gelu; a callable (function or Module) stays."""
    if isinstance(activation, str):
        if activation == "relu":
            return F.relu
        if activation == "gelu":
            return F.gelu
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    if not callable(activation):
        raise TypeError(f"activation must be 'relu', 'gelu' or a callable, got "
                        f"{type(activation).__name__}")
    return activation


def _check_layer_arguments(owner: str, d_model, nhead, dim_feedforward, dropout) -> None:
    for name, value in (("d_model", d_model), ("nhead", nhead),
                        ("dim_feedforward", dim_feedforward)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    if not 0.0 <= dropout <= 1.0:
        raise ValueError(f"{owner}: dropout must be in [0, 1], got {dropout}")


def _clones(module: Module, count: int) -> ModuleList:
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"num_layers must be a non-negative int, got {count!r}")
    return ModuleList([copy.deepcopy(module) for _ in range(count)])


def _sequence_length(x, batch_first: bool) -> int:
    """The sequence length of (S, E), (S, N, E) or, with ``batch_first``, (N, S, E)."""
    return x.shape[0] if x.ndim == 2 else x.shape[1 if batch_first else 0]


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None):
    """(sz, sz): 0 on and below the diagonal, -inf above (query i sees keys j <= i)."""
    return creation.full((sz, sz), float("-inf"), dtype=dtype, device=device).triu(diagonal=1)


def _detect_is_causal_mask(mask, is_causal: bool | None, size: int | None) -> bool:
    """PyTorch's rule: an explicit hint is kept; with none, whether ``mask`` is exactly the
    causal mask of ``size`` (-inf above the diagonal, or True there for a bool mask)."""
    if is_causal is not None or mask is None:
        return is_causal is True
    size = size if size is not None else mask.shape[-2]
    if tuple(mask.shape) != (size, size):
        return False
    if mask.dtype == np.bool_:
        causal = creation.ones(size, size, dtype=np.bool_, device=mask.device).triu(diagonal=1)
    else:
        causal = _generate_square_subsequent_mask(size, device=mask.device, dtype=mask.dtype)
    return bool((mask == causal).all())


def _add_feed_forward(layer, blocks: int, d_model: int, dim_feedforward: int, dropout: float,
                      layer_norm_eps: float, norm_first: bool, bias: bool, factory: dict):
    """The parts a layer adds after its attention, in PyTorch's order (its state_dict's):
    the feed-forward block (linear1, dropout, linear2), then for each of its ``blocks``
    residual blocks a LayerNorm (norm1, norm2, ...) and a Dropout (dropout1, ...)."""
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
    layer.norm_first = norm_first
    for k in range(1, blocks + 1):
        setattr(layer, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                              **factory))
    for k in range(1, blocks + 1):
        setattr(layer, f"dropout{k}", Dropout(dropout))


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and a
    LayerNorm (after it, or before with ``norm_first``); shapes and maths in the module
    docstring.  ``activation``: 'relu', 'gelu' or a callable."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        _check_layer_arguments("TransformerEncoderLayer", d_model, nhead, dim_feedforward,
                               dropout)
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **factory)
        _add_feed_forward(self, 2, d_model, dim_feedforward, dropout, layer_norm_eps,
                          norm_first, bias, factory)
        activation = _activation(activation)
        # PyTorch keeps this flag for its fast path; kept for code that reads it.
        self.activation_relu_or_gelu = (1 if activation is F.relu or isinstance(activation, ReLU)
                                        else 2 if activation is F.gelu
                                        or isinstance(activation, GELU) else 0)
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal: bool = False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention from the target to the memory (the
    encoder's output), and a feed-forward block, each with a residual connection and a
    LayerNorm (after it, or before with ``norm_first``)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        _check_layer_arguments("TransformerDecoderLayer", d_model, nhead, dim_feedforward,
                               dropout)
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, **factory)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, **factory)
        _add_feed_forward(self, 3, d_model, dim_feedforward, dropout, layer_norm_eps,
                          norm_first, bias, factory)
        self.activation = _activation(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask,
                                              tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal: bool = False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal: bool = False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` in turn, then ``norm`` if given.
    ``enable_nested_tensor`` and ``mask_check`` concern PyTorch's inference fast path;
    they are accepted and kept, and change nothing here."""

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool | None = None):
        batch_first = getattr(getattr(self.layers[0], "self_attn", None), "batch_first",
                              False) if len(self.layers) else False
        is_causal = _detect_is_causal_mask(mask, is_causal,
                                           _sequence_length(src, batch_first))
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """``num_layers`` deep copies of ``decoder_layer`` in turn, each reading the same
    ``memory``, then ``norm`` if given."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        batch_first = getattr(getattr(self.layers[0], "self_attn", None), "batch_first",
                              False) if len(self.layers) else False
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                               _sequence_length(tgt, batch_first))
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """An encoder over ``src`` (S, N, E) and a decoder over ``tgt`` (T, N, E) reading the
    encoder's output; returns (T, N, E) (batch first with ``batch_first``).
    ``custom_encoder`` / ``custom_decoder`` replace the default stacks."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        shared = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                  batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*shared, **factory), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*shared, **factory), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        batch_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch_axis] != tgt.shape[batch_axis]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None):
        """The causal mask (sz, sz): 0 on and below the diagonal, -inf above it."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
