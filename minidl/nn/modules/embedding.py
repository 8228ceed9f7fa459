"""``Embedding``: a learned table of vectors looked up by integer index."""
from __future__ import annotations

from ... import creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def checked_padding_idx(layer: str, num_embeddings, embedding_dim, padding_idx):
    """The table's sizes checked (positive ints) and ``padding_idx`` in [0, num_embeddings)
    (a negative one counts from the end), or None."""
    for name, value in (("num_embeddings", num_embeddings),
                        ("embedding_dim", embedding_dim)):
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{layer}: padding_idx {padding_idx} is out of range for "
                         f"{num_embeddings} embeddings")
    return padding_idx % num_embeddings


def table(layer: str, module, given, dtype, requires_grad: bool = True) -> Parameter:
    """The (num_embeddings, embedding_dim) weight of ``module``: ``given`` (its shape
    checked), or a new one drawn by ``module.reset_parameters()``."""
    shape = (module.num_embeddings, module.embedding_dim)
    if given is None:
        module.weight = Parameter(creation.empty(*shape, dtype=dtype),
                                  requires_grad=requires_grad)
        module.reset_parameters()
        return module.weight
    if tuple(given.shape) != shape:
        raise ValueError(f"{layer}: _weight must have shape {shape}, got "
                         f"{tuple(given.shape)}")
    return Parameter(given, requires_grad=requires_grad)


def reset_table(weight, padding_idx) -> None:
    """N(0, 1) samples (PyTorch's default), the row ``padding_idx`` zero."""
    init.normal_(weight)
    if padding_idx is not None:
        weight.array[padding_idx] = 0


class Embedding(Module):
    """(*) integers in [0, num_embeddings) -> (*, embedding_dim) rows of ``weight``.

    ``weight`` starts as N(0, 1) samples (PyTorch's default); the row ``padding_idx``
    starts at zero and never gets a gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        padding_idx = checked_padding_idx("Embedding", num_embeddings, embedding_dim,
                                          padding_idx)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.weight = table("Embedding", self, _weight, dtype, requires_grad=not _freeze)
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        reset_table(self.weight, self.padding_idx)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm,
                           self.norm_type, self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        **options) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D), frozen by default."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{tuple(embeddings.shape)}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, _weight=embeddings, _freeze=freeze, **options)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
