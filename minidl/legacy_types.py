"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ...

Old PyTorch code makes tensors with ``torch.LongTensor([1, 2])`` or ``torch.FloatTensor(3, 4)``
and checks ``isinstance(x, torch.FloatTensor)``.  Each type here makes a minidl Tensor of its
dtype (zero-filled when given sizes), and ``isinstance`` tests a tensor's dtype.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, legacy_array


class _LegacyType(type):
    def __call__(cls, *data, device=None) -> Tensor:
        return Tensor._from_array(legacy_array(data, cls.dtype, device))

    def __instancecheck__(cls, value) -> bool:
        return isinstance(value, Tensor) and value.dtype == cls.dtype


class FloatTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.float32)


class DoubleTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.float64)


class LongTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.int64)


class IntTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.int32)


class BoolTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.bool_)


class ByteTensor(metaclass=_LegacyType):
    dtype = np.dtype(np.uint8)
