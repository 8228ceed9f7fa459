"""The PyTorch twin of a minidl model: built from the same source file, with the same weights.

minidl's models (``minidl.models``, the repository's ``models/``) use only PyTorch's names:
``nn.Conv2d``, ``cat``, ``Tensor`` ...  So the very same class definitions, executed with
``torch`` standing where they import ``minidl``, define a PyTorch model with the same
layers, the same attribute names (hence the same ``state_dict`` keys) and the same forward
code.  ``twin_class`` loads a model module that way, in a package of its own
(``_minidl_torch_twin``) whose ``nn``, ``creation``, ``tensor`` and ``autograd`` are
PyTorch's; ``torch_twin`` builds the twin of a model and copies its weights and buffers.

Nothing here changes minidl's own modules; PyTorch is needed only by the benchmarks.
"""
from __future__ import annotations

import importlib
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
