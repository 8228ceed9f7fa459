"""``torch`` and ``torchvision`` as views of minidl's own modules.

Every PyTorch module name maps to a minidl module by the longest matching prefix in
``PREFIXES``: ``torch.nn.functional`` -> ``minidl.nn.functional``,
``torch.utils.data`` -> ``minidl.data``, ``torchvision.transforms`` ->
``minidl.vision.transforms``.  The module a program gets for ``torch`` is a
:class:`TorchAlias`: it hands out the minidl object behind each name (``torch.Tensor`` *is*
``minidl.Tensor``), sub-modules as aliases of their own (``torch.nn``), and for a name
minidl does not have raises :class:`~.missing.NotImplementedInMinidl` naming it in PyTorch's
terms — at the point of use, as a one-line error.

minidl modules that are minidl's own and not PyTorch's (``minidl.ops``, ``minidl.kernels``,
``minidl.studies`` ...) are not reachable through ``torch``: ``torch.ops`` is PyTorch's
operator registry, not minidl's autograd functions, so it is reported as missing.
"""
from __future__ import annotations

import importlib
import types

from .missing import NotImplementedInMinidl, TorchModuleNotInMinidl

# Longest prefix first wins; None: a namespace with no minidl module behind it (its
# children are found through PREFIXES).
PREFIXES = {
    "torch": "minidl",
    "torch.utils.data": "minidl.data",
    "torchvision": "minidl.vision",
}
ROOTS = ("torch", "torchvision")

# minidl's own sub-packages and modules: never the meaning of ``torch.<name>``.
MINIDL_ONLY = {"backend", "bench", "cli", "color", "compat", "creation", "data", "datasets",
               "kernels", "models", "ops", "run", "studies", "tensor", "training", "vision"}

_aliases: dict[str, TorchAlias] = {}


def is_torch_name(name: str) -> bool:
    """True for ``torch``, ``torchvision`` and their sub-module names."""
    return any(name == root or name.startswith(root + ".") for root in ROOTS)


def minidl_name(torch_name: str) -> str | None:
    """The minidl module name a PyTorch module name maps to (None: not one of minidl's)."""
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if torch_name == prefix or torch_name.startswith(prefix + "."):
            rest = torch_name[len(prefix):]
            head = rest.split(".")[1] if rest else ""
            if PREFIXES[prefix] == "minidl" and head in MINIDL_ONLY:
                return None
            return PREFIXES[prefix] + rest
    return None


def _import_target(torch_name: str):
    """The minidl module (or module-like object) behind ``torch_name``, or None."""
    name = minidl_name(torch_name)
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is None or not (name == error.name or name.startswith(error.name + ".")):
            raise  # a module that minidl's own code imports is missing: a real error
    parent, _, child = name.rpartition(".")
    try:  # an object rather than a module file (a namespace such as minidl.cuda)
        holder = importlib.import_module(parent)
    except ModuleNotFoundError:
        return None
    value = getattr(holder, child, None)
    return value if value is not None and not callable(value) else None


def _has_children(torch_name: str) -> bool:
    """True when some PREFIXES entry lies below ``torch_name`` (a pure namespace)."""
    return any(prefix.startswith(torch_name + ".") for prefix in PREFIXES)


def resolve(torch_name: str) -> TorchAlias:
    """The alias module for a PyTorch module name; raises TorchModuleNotInMinidl."""
    alias = _aliases.get(torch_name)
    if alias is None:
        target = _import_target(torch_name)
        if target is None and not _has_children(torch_name):
            raise TorchModuleNotInMinidl(torch_name)
        alias = _aliases[torch_name] = TorchAlias(torch_name, target)
    return alias


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


class TorchAlias(types.ModuleType):
    """A PyTorch module name whose attributes are those of a minidl module."""

    def __init__(self, torch_name: str, target):
        super().__init__(torch_name, getattr(target, "__doc__", None))
        object.__setattr__(self, "_minidl_target", target)
        self.__path__ = []  # a package: ``import torch.nn`` asks the import hook

    def __getattr__(self, name: str):
        target = self._minidl_target
        full = f"{self.__name__}.{name}"
        if _is_dunder(name):
            if target is not None and hasattr(target, name):
                return getattr(target, name)
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        if full in _aliases:
            return _aliases[full]
        if target is not None and not name.startswith("_") and hasattr(target, name):
            value = getattr(target, name)
            if not isinstance(value, types.ModuleType):
                return value
        try:
            return resolve(full)
        except TorchModuleNotInMinidl:
            raise NotImplementedInMinidl(full) from None

    def __setattr__(self, name: str, value) -> None:
        """Flags set by a program (``torch.backends.cudnn.benchmark = True``) reach the
        minidl object when it has them, so minidl sees what the program chose."""
        target = self._minidl_target
        if (not _is_dunder(name) and target is not None and hasattr(target, name)
                and not isinstance(getattr(target, name), types.ModuleType | type)
                and not callable(getattr(target, name))):
            setattr(target, name, value)
        else:
            super().__setattr__(name, value)

    def __dir__(self):
        target = self._minidl_target
        names = set(super().__dir__())
        if target is not None:
            names |= {n for n in dir(target) if not n.startswith("_")}
        return sorted(names)

    def __repr__(self) -> str:
        target = self._minidl_target
        behind = getattr(target, "__name__", None) or "a namespace"
        return f"<module {self.__name__!r} (minidl: {behind})>"
