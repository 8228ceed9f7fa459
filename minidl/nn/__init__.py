"""Neural-network building blocks: ``Module``, ``Parameter``, layers, ``init``, ``functional``."""
from . import functional, init, parallel, utils
from .modules import *  # noqa: F401,F403  (every layer class, as torch.nn)
from .modules import __all__ as _modules_all
from .parallel import DataParallel
from .parameter import Parameter

__all__ = ["Parameter", "DataParallel", "functional", "init", "parallel",
           "utils"] + _modules_all
