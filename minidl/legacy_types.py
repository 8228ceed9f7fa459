"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ...

Old PyTorch code makes tensors with ``torch.LongTensor([1, 2])`` or ``torch.FloatTensor(3, 4)``
and checks ``isinstance(x, torch.FloatTensor)``.  Each type here makes a minidl Tensor of its
dtype (zero-filled when given sizes), and ``isinstance`` tests a tensor's dtype.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, legacy_array


class _LegacyType(type):
    """The class of the legacy types: calling one makes a Tensor of its ``dtype``."""

    dtype: np.dtype

    def __call__(cls, *data, device=None) -> Tensor:
        return Tensor._from_array(legacy_array(data, cls.dtype, device))

    def __instancecheck__(cls, value) -> bool:
        return isinstance(value, Tensor) and value.dtype == cls.dtype


def _legacy_type(name: str, dtype) -> _LegacyType:
    return _LegacyType(name, (), {"dtype": np.dtype(dtype), "__module__": __name__})


FloatTensor = _legacy_type("FloatTensor", np.float32)
DoubleTensor = _legacy_type("DoubleTensor", np.float64)
LongTensor = _legacy_type("LongTensor", np.int64)
IntTensor = _legacy_type("IntTensor", np.int32)
BoolTensor = _legacy_type("BoolTensor", np.bool_)
ByteTensor = _legacy_type("ByteTensor", np.uint8)
