"""Optimizer updates on the GPU: the reference's CuPy expressions (``reference.optim`` is
written with the array's own module)."""
from ..reference.optim import adadelta_update, adam_update

__all__ = ["adadelta_update", "adam_update"]
