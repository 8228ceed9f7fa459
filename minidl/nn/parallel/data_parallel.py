"""``DataParallel`` on minidl's one device: the module runs on the whole batch.

PyTorch's ``DataParallel`` splits a batch across the GPUs in ``device_ids``, runs a
replica of the module on each and gathers the outputs on ``output_device``.  minidl drives
one device (the CPU, or one GPU), where the split-run-gather gives exactly what running the
module on the whole batch gives; so that is what happens here, and programs written for
several GPUs run unchanged.  The wrapper keeps PyTorch's structure: the wrapped module is
``.module``, so ``state_dict()`` keys start with ``module.`` as PyTorch's do.
"""
from __future__ import annotations

from ...backend import normalize_device
from ...tensor import Tensor
from ..modules.module import Module


def _one_device(device_ids, output_device, owner: str):
    """The device the batch runs on: the first of ``device_ids`` (None: the module's)."""
    ids = list(device_ids) if device_ids is not None else []
    for device in ids + ([output_device] if output_device is not None else []):
        name = f"cuda:{device}" if isinstance(device, int) else device
        if normalize_device(name) == "cuda" and str(name) not in ("cuda", "cuda:0"):
            raise ValueError(f"{owner}: minidl drives one GPU, cuda:0; got device {device!r}")
    return ids


def _to(value, device):
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, tuple | list):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


def _module_device(module: Module):
    for tensor in module.parameters():
        return tensor.device
    for tensor in module.buffers():
        return tensor.device
    return None


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: calls
    ``module`` on the whole batch, with the inputs moved to the module's device."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: module must be a Module, got "
                            f"{type(module).__name__}")
        self.module = module
        self.device_ids = _one_device(device_ids, output_device, "DataParallel")
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        device = _module_device(self.module)
        if device is not None:
            inputs, kwargs = _to(inputs, device), _to(kwargs, device)
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """The functional form: ``module(*inputs, **module_kwargs)`` on minidl's one device."""
    _one_device(device_ids, output_device, "data_parallel")
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return DataParallel(module)(*inputs, **(module_kwargs or {}))
