"""``torchvision.tv_tensors``: Tensor subclasses that tell the v2 transforms what a
Tensor holds.  minidl has :class:`Image` (a (..., C, H, W) image); a pure Tensor in a v2
sample is treated as an image only when the sample holds no Image nor Pillow image."""
from __future__ import annotations

import numpy as np
from PIL import Image as _PIL

from .. import creation
from ..tensor import Tensor

__all__ = ["TVTensor", "Image", "wrap"]


class TVTensor(Tensor):
    """The base of the tv_tensors: a Tensor that remembers what it holds."""

    __slots__ = ()

    def __init__(self, data, *, dtype=None, device=None, requires_grad=None):
        tensor = data if isinstance(data, Tensor) else creation.tensor(np.asarray(data),
                                                                      dtype=dtype)
        if dtype is not None and isinstance(data, Tensor):
            tensor = tensor.to(dtype)
        if device is not None:
            tensor = tensor.to(device)
        self._wrap(tensor.detach().array, bool(requires_grad))

    def as_subclass(self, cls):
        return cls._from_array(self.array)


class Image(TVTensor):
    """A (..., C, H, W) image Tensor; a Pillow image becomes a uint8 (C, H, W) one and an
    (H, W) array or Tensor a (1, H, W) one."""

    __slots__ = ()

    def __init__(self, data, *, dtype=None, device=None, requires_grad=None):
        if isinstance(data, _PIL.Image):
            array = np.asarray(data)
            data = np.ascontiguousarray(array[None] if array.ndim == 2
                                        else np.moveaxis(array, -1, 0))
        super().__init__(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if self.ndim < 2:
            raise ValueError(f"tv_tensors.Image: expected at least 2 dims, got {self.ndim}")
        if self.ndim == 2:
            self._wrap(self.array[None], self._requires_grad)

    def __repr__(self) -> str:
        return "Image(" + Tensor.__repr__(self)[len("tensor("):]


def wrap(wrappee, *, like):
    """``wrappee`` as the tv_tensor type of ``like``."""
    return type(like)._from_array(wrappee.array if isinstance(wrappee, Tensor)
                                  else np.asarray(wrappee))
