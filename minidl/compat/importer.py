"""The import hook: ``import torch`` (and its sub-modules, and ``torchvision``) gives minidl.

:class:`TorchFinder` sits first on ``sys.meta_path`` and answers every ``torch...`` and
``torchvision...`` import with a :class:`~.aliases.TorchAlias`; a module minidl does not
have fails at the import with one line (``minidl does not implement torch.fft (yet)``).

:func:`torch_is_minidl` installs the hook for the duration of a ``with`` block and puts
back whatever was there before — including a real PyTorch that was already imported, so a
test process can run the same program on both engines.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys

from .aliases import is_torch_name, resolve


class TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch``/``torchvision`` modules among minidl's (a meta path finder)."""

    def find_spec(self, fullname, path=None, target=None):
        if not is_torch_name(fullname):
            return None
        resolve(fullname)  # raises the one-line error now for a module minidl lacks
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return resolve(spec.name)

    def exec_module(self, module) -> None:
        """Nothing to run: the alias is ready when created."""


@contextlib.contextmanager
def torch_is_minidl():
    """Within the block, ``import torch`` and ``import torchvision`` give minidl."""
    finder = TorchFinder()
    saved = {name: module for name, module in sys.modules.items() if is_torch_name(name)}
    for name in saved:
        del sys.modules[name]
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if is_torch_name(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
