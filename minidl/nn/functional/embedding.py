"""Integers to vectors: ``one_hot`` (a fixed 0/1 code) and ``embedding`` (a learned table
lookup), as in ``torch.nn.functional``."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...backend import array_module, scatter_add
from ...tensor import Tensor


def check_indices(op: str, input, size: int | None, what: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor of integers, got "
                        f"{type(input).__name__}")
    if input.dtype.kind not in "iu":
        raise TypeError(f"{op}: input must hold integers (int64), got {input.dtype}")
    values = input.array
    if values.size and values.min() < 0:
        raise IndexError(f"{op}: input holds {int(values.min())}; {what} must be "
                         "non-negative")
    if size is not None and values.size and values.max() >= size:
        raise IndexError(f"{op}: input holds {int(values.max())}, out of range for {size} "
                         f"{what}")


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(*) class indices -> (*, num_classes) int64 with a 1 at each index, 0 elsewhere.

    ``num_classes=-1`` takes one more than the largest index.
    """
    if num_classes != -1 and (not isinstance(num_classes, int) or num_classes < 1):
        raise ValueError(f"one_hot: num_classes must be a positive int or -1, got "
                         f"{num_classes!r}")
    check_indices("one_hot", tensor, None if num_classes == -1 else num_classes, "classes")
    xp = array_module(tensor.array)
    if num_classes == -1:
        if tensor.numel() == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(tensor.array.max()) + 1
    codes = (tensor.array[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._from_array(codes)


class Embedding(Function):
    """y[...] = weight[index[...]] (rows of the (num_embeddings, dim) table);
    dL/dweight[k] = Σ of the output gradients of the positions that read row k
    (none for ``padding_idx``, whose row never learns)."""

    def forward(self, weight, *, index, padding_idx):
        self.index, self.padding_idx, self.shape = index, padding_idx, weight.shape
        return weight[index]

    def backward(self, grad):
        xp = array_module(grad)
        grad_weight = xp.zeros(self.shape, dtype=grad.dtype)
        scatter_add(xp, grad_weight, self.index.reshape(-1),
                    grad.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            grad_weight[self.padding_idx] = 0
        return grad_weight


def refuse_table_options(op: str, max_norm, scale_grad_by_freq, sparse, error) -> None:
    """``error`` for the lookup options minidl does not implement (a max_norm
    renormalisation, frequency-scaled gradients, sparse gradients) when they differ from
    their defaults."""
    for name, value, default in (("max_norm", max_norm, None),
                                 ("scale_grad_by_freq", scale_grad_by_freq, False),
                                 ("sparse", sparse, False)):
        if value != default:
            raise error(f"{op}: {name}={value!r} is not supported by minidl (only "
                        f"{name}={default!r})")


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integers of
    ``input`` (*): output (*, embedding_dim).  The row ``padding_idx`` gets no gradient."""
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
                         f"got shape {weight.shape}")
    refuse_table_options("embedding", max_norm, scale_grad_by_freq, sparse, ValueError)
    count = weight.shape[0]
    check_indices("embedding", input, count, "embeddings")
    if padding_idx is not None:
        if not -count <= padding_idx < count:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for "
                             f"{count} embeddings")
        padding_idx %= count
    return Embedding.apply(weight, index=input.array, padding_idx=padding_idx)
