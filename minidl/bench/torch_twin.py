"""The PyTorch twin of a minidl model: built from the same source file, with the same weights.

minidl's models (``minidl.models``, the repository's ``models/``) use only PyTorch's names:
``nn.Conv2d``, ``cat``, ``Tensor`` ...  So the very same class definitions, executed with
``torch`` standing where they import ``minidl``, define a PyTorch model with the same
layers, the same attribute names (hence the same ``state_dict`` keys) and the same forward
code.  ``twin_class`` loads a model module that way, in a package of its own
(``_minidl_torch_twin``) whose ``nn``, ``creation``, ``tensor`` and ``autograd`` are
PyTorch's; ``torch_twin`` builds the twin of a model and copies its weights and buffers.
The model files import minidl by absolute name (``from minidl import nn``, ``from
minidl.models.blocks import ...``): each twin module runs with an ``__import__`` of its
own that reads ``minidl`` as the twin package.

Nothing here changes minidl's own modules; PyTorch is needed only by the benchmarks.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.abc
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

    models_folder = Path(minidl.models.__file__).parent
    sys.meta_path.append(TwinModelFinder(models_folder))
    root = module("", __path__=[], nn=torch.nn)
    root.nn = sys.modules[f"{PACKAGE}.nn"] = torch.nn
    root.creation = module("creation", cat=torch.cat, zeros=torch.zeros,
                           ones_like=torch.ones_like, zeros_like=torch.zeros_like)
    root.tensor = module("tensor", Tensor=torch.Tensor)
    root.autograd = module("autograd", no_grad=torch.no_grad)
    # the models package without running its __init__ (which imports every model)
    root.models = module("models", __path__=[])


def twin_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``__import__`` of a twin module: ``minidl`` and ``minidl.<x>`` are the twin
    package's."""
    if level == 0 and (name == "minidl" or name.startswith("minidl.")):
        name = PACKAGE + name[len("minidl"):]
    return builtins.__import__(name, globals, locals, fromlist, level)


class TwinModelFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``_minidl_torch_twin.models.<file>`` in the models folder and runs the file
    with :func:`twin_import` as its ``__import__``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def find_spec(self, fullname, path=None, target=None):
        prefix = f"{PACKAGE}.models."
        if not fullname.startswith(prefix):
            return None
        source = self.folder / f"{fullname[len(prefix):]}.py"
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source, loader=self)

    def create_module(self, spec):
        return None  # the default module

    def exec_module(self, module) -> None:
        module.__dict__["__builtins__"] = {**vars(builtins), "__import__": twin_import}
        source = Path(module.__spec__.origin)
        exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"),
             module.__dict__)


def twin_class(cls, torch):
    """The PyTorch class defined by the source of the minidl model class ``cls``."""
    _install(torch)
    source_module = cls.__module__.rsplit(".", 1)[-1]
    twin_module = importlib.import_module(f"{PACKAGE}.models.{source_module}")
    return getattr(twin_module, cls.__name__)


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
