"""``torch.nn.parallel``: running a module over a batch on the available devices
(``DataParallel``), and data-parallel training over the ranks of a process group
(``DistributedDataParallel``)."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
