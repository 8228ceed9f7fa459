"""``torch.nn.parallel``: running a module over a batch on the available devices."""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
