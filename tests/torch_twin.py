"""The PyTorch twin of a minidl model, built from the model itself, for the tests that
move weights between minidl and PyTorch.

- A layer of ``minidl.nn`` becomes the ``torch.nn`` class of the same name, built from
  the minidl layer's attributes, which carry PyTorch's constructor argument names
  (``in_channels``, ``kernel_size``, ``negative_slope`` ...; ``bias`` is whether there
  is one).  Containers keep their children's names, so the state dict keys match.
- A module class of the model's own (a study model, a block) becomes a
  ``torch.nn.Module`` subclass that runs *the same Python methods* — ``forward`` and its
  helpers, such as ``IizukaNet.fuse`` — with the names of minidl's engine those methods
  read from their module rebound to PyTorch's (minidl's ``cat`` becomes ``torch.cat``);
  the tensor methods they call (``reshape``, ``expand``, ``transpose`` ...) are already
  PyTorch's.  Its other attributes (``task``, ``image_size`` ...) are copied.

So the twin computes what the minidl model computes, with PyTorch's layers and kernels,
without a hand-written copy of any model to keep in step.  The weights are the twin's
own (PyTorch's initialization); the tests move them across.
"""
import inspect
import types

import minidl.nn


def torch_twin(module, torch):
    """A torch.nn.Module equivalent to the minidl ``module`` (see the module docstring)."""
    if type(module).__module__.startswith("minidl.nn."):
        return _layer(module, torch)
    return _own_module(module, torch)


def _layer(module, torch):
    name = type(module).__name__
    if name == "Sequential":
        return torch.nn.Sequential(*(torch_twin(child, torch) for child in module))
    if name == "ModuleList":
        return torch.nn.ModuleList(torch_twin(child, torch) for child in module)
    if name == "ModuleDict":
        return torch.nn.ModuleDict({k: torch_twin(v, torch) for k, v in module.items()})
    torch_class = getattr(torch.nn, name)
    arguments = {}
    for parameter in inspect.signature(torch_class).parameters:
        if parameter == "bias" and "bias" in module._parameters:
            arguments["bias"] = module.bias is not None
        elif parameter in module.__dict__:
            arguments[parameter] = module.__dict__[parameter]
    return torch_class(**arguments)


def _engine_names(function, torch) -> dict:
    """The globals of ``function`` with minidl's engine functions, classes and modules
    replaced by PyTorch's of the same name (``cat`` -> ``torch.cat``, ``nn`` ->
    ``torch.nn``)."""
    names = dict(function.__globals__)
    for name, value in function.__globals__.items():
        where = getattr(value, "__module__", None)
        if value is minidl.nn:
            names[name] = torch.nn
        elif value is minidl.nn.functional:
            names[name] = torch.nn.functional
        elif isinstance(where, str) and where.startswith("minidl.") and \
                not where.startswith("minidl.models") and \
                hasattr(torch, getattr(value, "__name__", "")):
            names[name] = getattr(torch, value.__name__)
    return names


def _rebound(function, torch):
    return types.FunctionType(function.__code__, _engine_names(function, torch),
                              function.__name__, function.__defaults__, function.__closure__)


def _twin_class(cls, torch):
    """A torch.nn.Module subclass with the methods of ``cls`` (and of its own bases)
    rebound to PyTorch's names, and their class attributes."""
    methods = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith(("minidl.nn", "builtins")):
            continue
        for name, member in vars(klass).items():
            if isinstance(member, types.FunctionType) and name != "__init__":
                methods[name] = _rebound(member, torch)
            elif not name.startswith("__"):  # class attributes (image_size ...)
                methods[name] = member
    return type(f"Torch{cls.__name__}", (torch.nn.Module,), methods)


def _own_module(module, torch):
    twin = _twin_class(type(module), torch)()
    for name, value in module.__dict__.items():
        if not name.startswith("_") and name not in ("training", "forward"):
            setattr(twin, name, value)
    for name, child in module._modules.items():
        setattr(twin, name, None if child is None else torch_twin(child, torch))
    for name, parameter in module._parameters.items():
        twin.register_parameter(name, None if parameter is None else torch.nn.Parameter(
            torch.tensor(parameter.numpy())))
    for name, buffer in module._buffers.items():
        twin.register_buffer(name, None if buffer is None else torch.tensor(buffer.numpy()))
    return twin
