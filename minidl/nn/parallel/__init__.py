"""Data parallelism: ``nn.parallel.DistributedDataParallel`` (PyTorch's name)."""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
