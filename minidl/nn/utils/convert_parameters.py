"""Parameters as one flat vector and back (``torch.nn.utils.parameters_to_vector`` /
``vector_to_parameters``), for optimizers and analyses that see a model as one point."""
from __future__ import annotations

from ...creation import cat
from ...tensor import Tensor


def _tensors(owner: str, parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: expected Tensors, got {type(p).__name__}")
    devices = {str(p.device) for p in parameters}
    if len(devices) > 1:
        raise TypeError(f"{owner}: found parameters on several devices ({sorted(devices)})")
    return parameters


def parameters_to_vector(parameters) -> Tensor:
    """Every parameter flattened and concatenated, in order: a 1-D tensor of their total
    size (differentiable: it is a ``cat`` of views)."""
    return cat([p.reshape(-1) for p in _tensors("parameters_to_vector", parameters)])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Make each parameter's data the next slice of the 1-D ``vec`` (the inverse of
    ``parameters_to_vector``); the parameters then share ``vec``'s memory, as in PyTorch."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    parameters = _tensors("vector_to_parameters", parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(f"vector_to_parameters: vec of shape {vec.shape} must be 1-D with "
                         f"the parameters' {total} elements")
    start = 0
    for p in parameters:
        p.data = vec[start:start + p.numel()].view_as(p).data
        start += p.numel()
