"""Batches of sequences of different lengths (``torch.nn.utils.rnn``).

Padding: ``pad_sequence`` stacks sequences of shapes (L_i, *) into one tensor (T, B, *)
(or (B, T, *) with ``batch_first``), T = max L_i, the missing steps filled with
``padding_value``.

Packing: a :class:`PackedSequence` keeps only the real steps, time step by time step.  With
the sequences sorted longest first, step t holds the first ``batch_sizes[t]`` sequences (the
ones longer than t), so for sequences "abc" and "x" the data is "a x b c" and
``batch_sizes`` is [2, 1, 1].  A recurrent layer given a PackedSequence runs step t on
``batch_sizes[t]`` rows only, so the padding never enters a hidden state.
``sorted_indices`` (with ``enforce_sorted=False``) says which input sequence became the
i-th longest; ``unsorted_indices`` is its inverse, used to put results back in the caller's
order.  Everything here is built from differentiable tensor operations (cat, stack,
indexing), so gradients flow through packing and padding.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import creation
from ...tensor import Tensor


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``: data (sum of lengths, *)
    holds the sequences' steps time-major, ``batch_sizes`` (int64, on the CPU) how many
    sequences each time step has.  Made by :func:`pack_padded_sequence` and
    :func:`pack_sequence`, not by hand."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)) as PyTorch allows
            if not (isinstance(data, list | tuple) and len(data) == 2):
                raise ValueError("PackedSequence: give data and batch_sizes, or one pair "
                                 "(data, batch_sizes)")
            data, batch_sizes = data
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data`` converted as ``Tensor.to`` would (the indices follow it to its device;
        ``batch_sizes`` stays on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def moved(indices):
            return None if indices is None else indices.to(data.device)

        return type(self)(data, self.batch_sizes, moved(self.sorted_indices),
                          moved(self.unsorted_indices))

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def cuda(self) -> PackedSequence:
        return self.to("cuda")

    def double(self) -> PackedSequence:
        return self.to(np.float64)

    def float(self) -> PackedSequence:
        return self.to(np.float32)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    order = np.asarray(permutation.tolist(), dtype=np.int64)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return creation.tensor(inverse, device=permutation.device)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *) with
    ``batch_first``), T = max L_i, filling the missing steps with ``padding_value`` after
    each sequence (``padding_side="right"``) or before it (``"left"``)."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got "
                           f"arg of type: {type(sequences)}")
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"pad_sequence: Expected padding_side to be one of left or right, "
                           f"but got {padding_side}.")
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    first = sequences[0]
    for i, sequence in enumerate(sequences):
        if not isinstance(sequence, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(sequence).__name__}, "
                            "expected a Tensor")
        if sequence.ndim == 0 or sequence.shape[1:] != first.shape[1:]:
            raise RuntimeError(f"pad_sequence: sequence {i} has shape {sequence.shape}, but "
                               f"sequence 0 has shape {first.shape}; every sequence must be "
                               "(length, *) with the same trailing dimensions")
    longest = max(sequence.shape[0] for sequence in sequences)
    padded = []
    for sequence in sequences:
        missing = longest - sequence.shape[0]
        if missing:
            fill = creation.full((missing, *sequence.shape[1:]), padding_value,
                                 dtype=sequence.dtype, device=sequence.device)
            pieces = [sequence, fill] if padding_side == "right" else [fill, sequence]
            sequence = creation.cat(pieces, 0)
        padded.append(sequence)
    return creation.stack(padded, 0 if batch_first else 1)


def _lengths_array(lengths) -> np.ndarray:
    """``lengths`` (a list, or a 1-D CPU integer tensor) as an int64 NumPy array."""
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1 or lengths.device.type != "cpu":
            raise RuntimeError(f"pack_padded_sequence: 'lengths' argument should be a 1D CPU "
                               f"int64 tensor, but got {lengths.ndim}D {lengths.device} "
                               f"tensor")
        lengths = lengths.tolist()
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) whose sequence b
    has ``lengths[b]`` real steps.  With ``enforce_sorted`` the lengths must be in
    decreasing order; otherwise the sequences are sorted here (``sorted_indices``)."""
    if input.ndim < 2:
        raise RuntimeError(f"pack_padded_sequence: input must have at least 2 dimensions "
                           f"(time, batch, *), got shape {input.shape}")
    lengths = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if lengths.size != input.shape[batch_dim]:
        raise RuntimeError(f"pack_padded_sequence: Expected `len(lengths)` to be equal to "
                           f"batch_size, but got {lengths.size} (batch_size="
                           f"{input.shape[batch_dim]})")
    sorted_indices = None
    if enforce_sorted:
        if np.any(lengths[1:] > lengths[:-1]):
            raise RuntimeError(
                "pack_padded_sequence: `lengths` array must be sorted in decreasing order "
                f"when `enforce_sorted` is True (got {lengths.tolist()}). You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = creation.tensor(order, device=input.device)
        input = input.index_select(batch_dim, sorted_indices)
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("pack_padded_sequence: Length of all samples has to be greater "
                           "than 0, but found an element in 'lengths' that is <= 0")
    steps = input.shape[1 - batch_dim]
    if lengths.size and lengths[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a sequence has length {lengths[0]} but "
                           f"the input (shape {input.shape}, batch_first={batch_first}) "
                           f"has only {steps} time steps")
    if batch_first:
        input = input.transpose(0, 1)
    batch = input.shape[1]
    batch_sizes = [int((lengths > t).sum()) for t in range(int(lengths[0]))]
    # the packed rows of the time-major (T·B, *) view, picked in one indexing operation
    rows = np.concatenate([t * batch + np.arange(size) for t, size in enumerate(batch_sizes)])
    flat = input.reshape(steps * batch, *input.shape[2:])
    data = flat[creation.tensor(rows, device=input.device)]
    return PackedSequence(data, creation.tensor(batch_sizes, dtype=np.int64), sorted_indices,
                          None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """The inverse of :func:`pack_padded_sequence`: ``(padded, lengths)``, padded (T, B, *)
    (or (B, T, *)) in the caller's original order, T = the longest length or
    ``total_length``, and the lengths as an int64 tensor."""
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = np.asarray(batch_sizes.tolist(), dtype=np.int64)
    steps = sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: Expected total_length to be at least the "
                             f"length of the longest sequence in input, but got total_length="
                             f"{total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(sizes[0])
    # each position (t, b) of the padded (T, B, *) reads a row of data, or the padding row
    # appended after the data
    padding = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype,
                            device=data.device)
    source = creation.cat([data, padding], 0)
    rows = np.full((steps, batch), data.shape[0], dtype=np.int64)
    start = 0
    for t, size in enumerate(sizes):
        rows[t, :size] = np.arange(start, start + size)
        start += size
    padded = source[creation.tensor(rows.reshape(-1), device=data.device)]
    padded = padded.reshape(steps, batch, *data.shape[1:])
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    if batch_first:
        padded = padded.transpose(0, 1)
    if unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, unsorted_indices)
        lengths = lengths[np.asarray(unsorted_indices.tolist(), dtype=np.int64)]
    return padded, creation.tensor(lengths, dtype=np.int64)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *): ``pad_sequence`` then ``pack_padded_sequence``."""
    sequences = list(sequences)
    lengths = [sequence.shape[0] if sequence.ndim else 0 for sequence in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length: a list of (L_i, *)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [sequence[:int(length)]
            for sequence, length in zip(padded_sequences.unbind(0), _lengths_array(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The sequences of a PackedSequence, in their original order: a list of (L_i, *)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
