"""``embedding_bag``: sums, means or maxima of bags of embedding rows, without building the
(bags, entries, D) tensor of rows that ``embedding`` + a reduction would
(``torch.nn.functional.embedding_bag``).

    input (B, N) integers: each row a bag of N entries (offsets must be None), or
    input (L,) with offsets (B,): bag b = input[offsets[b] : offsets[b + 1]] (the last to
    the end; with include_last_offset, offsets has B + 1 entries and the last one closes
    the last bag) -> output (B, embedding_dim); the maths in :mod:`minidl.ops.embedding_bag`.
"""
from __future__ import annotations

import numpy as np

from ...backend import array_module
from ...ops.embedding_bag import EmbeddingBagReduce
from ...tensor import Tensor
from .embedding import check_indices, refuse_table_options

MODES = ("sum", "mean", "max")


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Bags of rows of ``weight`` (V, D) reduced by ``mode`` ("sum", "mean", "max") -> (B, D).

    ``per_sample_weights`` (the shape of ``input``) scales each entry (mode "sum" only);
    entries equal to ``padding_idx`` are left out of their bag (an empty bag is zeros)."""
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ValueError("embedding_bag: weight must be a 2-D Tensor (num_embeddings, "
                         f"embedding_dim), got {getattr(weight, 'shape', weight)!r}")
    refuse_table_options("embedding_bag", max_norm, scale_grad_by_freq, sparse,
                         NotImplementedError)
    if mode not in MODES:
        raise ValueError(f"embedding_bag: mode must be one of {MODES}, got {mode!r}")
    count = weight.shape[0]
    check_indices("embedding_bag", input, count, "embeddings")
    if padding_idx is not None:
        if not isinstance(padding_idx, int) or not -count <= padding_idx < count:
            raise ValueError(f"embedding_bag: padding_idx {padding_idx!r} is out of range "
                             f"for {count} embeddings")
        padding_idx %= count
    xp = array_module(input.array)
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: with a 2-D input (bags, entries) offsets must be "
                             "None")
        bags, entries = input.shape
        bag = xp.repeat(xp.arange(bags), entries)
    elif input.ndim == 1:
        bags, bag = _bags_from_offsets(input.shape[0], offsets, include_last_offset, xp)
    else:
        raise ValueError(f"embedding_bag: input must be 1-D (with offsets) or 2-D (bags, "
                         f"entries), got shape {tuple(input.shape)}")
    samples = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported "
                                      f"for mode='sum', got mode={mode!r} (as in PyTorch)")
        if not isinstance(per_sample_weights, Tensor) or \
                tuple(per_sample_weights.shape) != tuple(input.shape) or \
                per_sample_weights.dtype != weight.dtype:
            raise ValueError(f"embedding_bag: per_sample_weights must be a Tensor of the "
                             f"input's shape {tuple(input.shape)} and weight's dtype "
                             f"{weight.dtype}")
        samples = per_sample_weights.reshape(-1)
    index = input.array.reshape(-1)
    keep = bag < bags  # entries past the last offset (include_last_offset) are in no bag
    if not bool(keep.all()):
        index, bag = index[keep], bag[keep]
        samples = samples[: int(keep.sum())] if samples is not None else None
    return EmbeddingBagReduce.apply(weight, samples, index=index, bag=bag, num_bags=bags,
                                    mode=mode, padding_idx=padding_idx)


def _bags_from_offsets(length: int, offsets, include_last_offset: bool, xp):
    """(number of bags, the bag of each of ``length`` entries) from PyTorch's offsets."""
    if not isinstance(offsets, Tensor) or offsets.ndim != 1 or offsets.dtype.kind not in "iu":
        raise ValueError("embedding_bag: a 1-D input needs offsets, a 1-D Tensor of integers "
                         "(the start of each bag)")
    starts = offsets.array.astype(np.int64)
    if starts.shape[0] == 0:
        raise ValueError("embedding_bag: offsets must hold at least one offset")
    bags = starts.shape[0] - 1 if include_last_offset else starts.shape[0]
    if int(starts[0]) != 0:
        raise ValueError(f"embedding_bag: offsets[0] must be 0 (the first bag starts at the "
                         f"first entry), got {int(starts[0])}")
    if bool((starts[1:] < starts[:-1]).any()) or int(starts[-1]) > length:
        raise ValueError(f"embedding_bag: offsets must be non-decreasing and at most the "
                         f"input's length {length}, got {starts.tolist()}")
    # entry l belongs to the last bag whose start is <= l; past the closing offset: bag B
    bag = xp.searchsorted(starts, xp.arange(length), side="right") - 1
    if include_last_offset:
        bag = xp.where(xp.arange(length) >= starts[-1], bags, bag)
    return bags, bag
