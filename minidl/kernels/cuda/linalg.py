"""Matrix products on the GPU: cuBLAS through CuPy's ``matmul`` (``reference.linalg`` is
written with the array's own module)."""
from ..reference.linalg import matmul

__all__ = ["matmul"]
