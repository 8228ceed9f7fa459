"""PyTorch's memory formats: ``torch.contiguous_format``, ``torch.channels_last`` ...

A PyTorch tensor's memory format is the order of its strides; code passes one to
``Tensor.contiguous``, ``Tensor.to`` or ``Module.to`` to speed up convolutions on some
hardware.  minidl keeps every tensor in one layout (NCHW, row-major), so a memory format
changes no value and no result: the names exist so that such code runs, and a wrong
argument is still an error.
"""
from __future__ import annotations


class memory_format:  # noqa: N801  (PyTorch's name)
    """One of PyTorch's memory formats (``torch.memory_format``)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_memory_format(value, op: str) -> None:
    """Raise ``TypeError`` naming ``op`` unless ``value`` is None or a memory format."""
    if value is not None and not isinstance(value, memory_format):
        raise TypeError(f"{op}: memory_format must be a torch.memory_format such as "
                        f"torch.contiguous_format, got {value!r}")
