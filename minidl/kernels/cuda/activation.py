"""The rectifier and its gradient on the GPU: the reference's CuPy expression
(``reference.activation`` is written with the array's own module)."""
from ..reference.activation import relu_backward, relu_forward

__all__ = ["relu_backward", "relu_forward"]
