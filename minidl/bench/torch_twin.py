"""The PyTorch twin of a minidl model: built from the same source file, with the same weights.

minidl's models (``minidl.models``, the repository's ``models/``) use only PyTorch's names:
``nn.Conv2d``, ``cat``, ``Tensor`` ...  So the very same class definitions, executed with
``torch`` standing where they import ``minidl``, define a PyTorch model with the same
layers, the same attribute names (hence the same ``state_dict`` keys) and the same forward
code.  ``twin_class`` loads a model module that way, in a package of its own
(``_minidl_torch_twin``) whose ``nn``, ``creation``, ``tensor`` and ``autograd`` are
PyTorch's: the model files import ``minidl`` by absolute name (``from minidl import nn``),
so a twin module runs its source with an ``__import__`` that sends ``minidl`` and its
sub-modules to the twin package.  ``torch_twin`` builds the twin of a model and copies its
weights and buffers.

Nothing here changes minidl's own modules; PyTorch is needed only by the benchmarks.
"""
from __future__ import annotations

import builtins
import importlib.util
import sys
import types
from pathlib import Path

import numpy as np

PACKAGE = "_minidl_torch_twin"


def _install(torch) -> None:
    """The twin package: its parent stands in for ``minidl`` (the modules a model file
    imports with ``from .. import``), its ``models`` for ``minidl.models``."""
    if PACKAGE in sys.modules:
        return
    import minidl.models

    def module(name, **attributes):
        created = types.ModuleType(f"{PACKAGE}.{name}" if name else PACKAGE)
        created.__dict__.update(attributes)
        sys.modules[created.__name__] = created
        return created

    root = module("", __path__=[], nn=torch.nn)
    root.nn = sys.modules[f"{PACKAGE}.nn"] = torch.nn
    root.creation = module("creation", cat=torch.cat, zeros=torch.zeros,
                           ones_like=torch.ones_like, zeros_like=torch.zeros_like)
    root.tensor = module("tensor", Tensor=torch.Tensor)
    root.autograd = module("autograd", no_grad=torch.no_grad)
    # the models package without running its __init__ (which imports every model)
    root.models = module("models", __path__=[str(Path(minidl.models.__file__).parent)])


def _twin_module(name: str) -> types.ModuleType:
    """The twin package's module ``name``: one made by ``_install``, or a model file of
    ``minidl.models`` run with :func:`_twin_import`."""
    if name in sys.modules:
        return sys.modules[name]
    prefix = f"{PACKAGE}.models."
    if not name.startswith(prefix):
        raise ImportError(f"{name.replace(PACKAGE, 'minidl', 1)} has no PyTorch twin "
                          f"(a model file imports it)")
    path = Path(sys.modules[f"{PACKAGE}.models"].__path__[0],
                *name[len(prefix):].split(".")).with_suffix(".py")
    module = types.ModuleType(name)
    module.__file__, module.__package__ = str(path), name.rpartition(".")[0]
    module.__dict__["__builtins__"] = dict(vars(builtins), __import__=_twin_import)
    sys.modules[name] = module
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _twin_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``__import__`` inside a twin module: ``minidl...`` (or a relative name) is the twin
    package's module; anything else is imported as usual."""
    if level:
        name = importlib.util.resolve_name("." * level + name, (globals or {})["__package__"])
    elif name == "minidl" or name.startswith("minidl."):
        name = PACKAGE + name[len("minidl"):]
    else:
        return builtins.__import__(name, globals, locals, fromlist, level)
    module = _twin_module(name)
    if not fromlist:
        return _twin_module(PACKAGE)
    for item in fromlist:
        if not hasattr(module, item) and f"{name}.{item}" not in sys.modules \
                and name.startswith(f"{PACKAGE}.models"):
            setattr(module, item, _twin_module(f"{name}.{item}"))  # a sub-module
    return module


def twin_class(cls, torch):
    """The PyTorch class defined by the source of the minidl model class ``cls``."""
    _install(torch)
    source_module = cls.__module__.rsplit(".", 1)[-1]
    return getattr(_twin_module(f"{PACKAGE}.models.{source_module}"), cls.__name__)


def torch_twin(model, torch, *args, **kwargs):
    """A PyTorch model built by the twin of ``type(model)`` with ``args``/``kwargs`` (the
    arguments ``model`` was built with), holding ``model``'s weights and buffers, in the
    same train/eval mode."""
    twin = twin_class(type(model), torch)(*args, **kwargs)
    state = {name: torch.from_numpy(np.array(value.numpy()))
             for name, value in model.state_dict().items()}
    twin.load_state_dict(state, strict=True)
    twin.train(model.training)
    return twin
