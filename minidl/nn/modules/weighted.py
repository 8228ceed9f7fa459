"""The parameters of a layer with a weight and an optional bias (Linear, Conv, Bilinear)."""
from __future__ import annotations

from ... import creation
from ..parameter import Parameter


def add_weight_and_bias(layer, weight_shape: tuple, bias_size: int, bias: bool, dtype,
                        device) -> None:
    """Give ``layer`` ``weight`` (``weight_shape``) and ``bias`` (``bias_size``, or a
    registered None without ``bias``), filled by its ``reset_parameters``, then moved to
    ``device`` if given (PyTorch's layer constructors' order)."""
    layer.weight = Parameter(creation.empty(*weight_shape, dtype=dtype))
    if bias:
        layer.bias = Parameter(creation.empty(bias_size, dtype=dtype))
    else:
        layer.register_parameter("bias", None)
    layer.reset_parameters()
    if device is not None:
        layer.to(device)
