"""``Parameter``: a tensor that a Module registers as learnable."""
from __future__ import annotations

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that ``Module.parameters()`` yields.

    ``Parameter(t)`` shares ``t``'s memory (and version counter), as in PyTorch; an array or
    a list is copied.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            self._wrap(np.empty((0,), dtype=get_default_dtype()))
        elif isinstance(data, Tensor):
            self._wrap(data.array)
            self._version_counter = data._version_counter
        else:
            from ..creation import to_array  # creation builds on Tensor
            self._wrap(to_array(data))
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
