"""Softmax and log-softmax on the GPU: the reference's CuPy expressions
(``reference.softmax`` is written with the array's own module)."""
from ..reference.softmax import (
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)

__all__ = ["log_softmax_backward", "log_softmax_forward", "softmax_backward",
           "softmax_forward"]
