"""``torch.backends``: flags PyTorch programs set for cuDNN, CUDA matmul and Apple's MPS.

minidl uses none of these libraries (its GPU kernels are its own, through CuPy), so the
flags can be set and read but change nothing, and ``is_available()`` says so truthfully.
"""
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
