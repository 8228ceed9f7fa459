"""``Size``: the shape of a tensor, a tuple of ints (``torch.Size``)."""
from __future__ import annotations

import math


class Size(tuple):
    """A tuple of dimension sizes; ``tensor.shape`` and ``tensor.size()`` return one.

    It is a plain tuple (``x.shape == (2, 3)``, ``h, w = x.shape[-2:]``) that slices to a
    Size and counts its elements with ``numel()``.  Its repr is ``minidl.Size([2, 3])``, as
    PyTorch's; str() and f-strings show the tuple, ``(2, 3)``, as minidl's messages do.
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, map(int, sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        # a slice of sizes is a Size; its items are ints already (no check again: shapes
        # are read at every operation)
        return tuple.__new__(Size, item) if type(index) is slice else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"minidl.Size({list(self)})"

    __str__ = tuple.__repr__
