"""Parametrizations (PyTorch's ``torch.nn.utils.parametrize`` and
``torch.nn.utils.parametrizations``): a module's tensor computed from other tensors each
time it is read.

    layer = weight_norm(nn.Linear(20, 40))
    layer.parametrizations.weight.original0    # g, the norms (40, 1)
    layer.parametrizations.weight.original1    # v, the direction (40, 20)
    layer.weight                               # g · v / ‖v‖, recomputed on each access

``register_parametrization(module, name, parametrization)`` moves ``module.<name>`` into
``module.parametrizations[name]`` (a :class:`ParametrizationList`) as ``original`` (or
``original0``, ``original1``, ... when the parametrization's ``right_inverse`` returns
several tensors) and gives the module's class (a subclass made for it, as PyTorch does) a
property ``<name>`` that runs the parametrizations on the originals; assigning to it runs
``right_inverse``.  ``state_dict`` keys are PyTorch's
(``parametrizations.weight.original0``).  ``parametrize``, the namespace of
``register_parametrization``, ``remove_parametrizations``, ``is_parametrized`` and
``cached``, is what ``torch.nn.utils.parametrize`` resolves to.
"""
from __future__ import annotations

import contextlib
import types

from ...autograd.grad_mode import no_grad
from ...ops.arguments import normalize_dims
from ...tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter
from .weight_norm import norm_except_dim

__all__ = ["weight_norm", "register_parametrization", "remove_parametrizations",
           "is_parametrized", "cached", "ParametrizationList", "parametrize"]

_cache_enabled = 0
_cache: dict = {}


@contextlib.contextmanager
def cached():
    """Within the block, each parametrized tensor is computed once, on first access."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register_parameter_or_buffer(module, name: str, x) -> None:
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to ``original`` (or to
    ``original0``, ``original1``, ...)."""

    def __init__(self, modules, original, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = tuple(original.shape), original.dtype
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, Tensor) and not isinstance(new, (list, tuple)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if isinstance(new, Tensor) else len(new)
        if isinstance(new, Tensor):
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not "
                                 f"change the dtype.\noriginal.dtype: {original.dtype}\n"
                                 f"right_inverse(original).dtype: {new.dtype}")
            with no_grad():  # keep the same object (an optimizer may hold it)
                original.data = new.detach().clone()
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                     f"tensors (list, tuple...). Got element {i} of the "
                                     f"sequence with type {type(originali).__name__}.")
                if isinstance(original, Parameter):
                    originali = Parameter(originali.detach().clone(),
                                          original.requires_grad)
                else:
                    originali = originali.detach().clone()
                _register_parameter_or_buffer(self, f"original{i}", originali)
        if not self.unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError("A parametrization must return a tensor. Got "
                                 f"{type(z).__name__}.")
            if z.dtype != original_dtype:
                raise ValueError("Registering a parametrization may not change the dtype "
                                 f"of the tensor, unless `unsafe` flag is enabled.\n"
                                 f"unparametrized dtype: {original_dtype}\n"
                                 f"parametrized dtype: {z.dtype}")
            if tuple(z.shape) != original_shape:
                raise ValueError("Registering a parametrization may not change the shape "
                                 f"of the tensor, unless `unsafe` flag is enabled.\n"
                                 f"unparametrized shape: {original_shape}\n"
                                 f"parametrized shape: {tuple(z.shape)}")

    def right_inverse(self, value) -> None:
        """Set the originals so that the parametrized tensor is ``value``."""
        with no_grad():
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
                else:
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       f"implement right_inverse.")
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                self.original.data = value.detach().clone()
            else:
                if len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of tensors of "
                                     f"length {self.ntensors}. Got a sequence of length "
                                     f"{len(value)}.")
                for i, tensor in enumerate(value):
                    getattr(self, f"original{i}").data = tensor.detach().clone()

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _make_property(tensor_name: str) -> property:
    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            key = (id(self), tensor_name)
            if key not in _cache:
                _cache[key] = parametrization()
            return _cache[key]
        return parametrization()

    def set_original(self, value) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    return property(get_parametrized, set_original)


def _inject_new_class(module) -> None:
    cls = module.__class__

    def getstate(self):
        raise RuntimeError("Serialization of parametrized modules is only supported "
                           "through state_dict().")

    param_cls = type(f"Parametrized{cls.__name__}", (cls,),
                     {"__getstate__": getstate, "_minidl_parametrized_base": cls})
    module.__class__ = param_cls


def is_parametrized(module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (of ``tensor_name``, if given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def type_before_parametrizations(module) -> type:
    """The module's class before any parametrization was registered."""
    if is_parametrized(module):
        return module.__class__._minidl_parametrized_base
    return type(module)


def register_parametrization(module, tensor_name: str, parametrization,
                             *, unsafe: bool = False):
    """Parametrize ``module.<tensor_name>`` by ``parametrization`` (a Module); returns
    ``module``.  A second call on the same name appends to its list."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got "
                                 f"{type(x).__name__}.")
            if x.dtype != y.dtype or tuple(x.shape) != tuple(y.shape):
                raise ValueError("Registering a parametrization may not change the shape "
                                 "or dtype of the tensor, unless `unsafe` flag is enabled.")
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        setattr(module.__class__, tensor_name, _make_property(tensor_name))
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def remove_parametrizations(module, tensor_name: str, leave_parametrized: bool = True):
    """Undo the parametrizations of ``module.<tensor_name>``: it becomes a plain parameter
    (or buffer) again, holding the parametrized value (or the original, when
    ``leave_parametrized=False``, possible only with a single original)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            with no_grad():
                original.data = t.detach().clone()
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                             "tensor that is parametrized in terms of a sequence of tensors.")
        with no_grad():
            t = getattr(module, tensor_name).detach().clone()
        original0 = parametrizations.original0
        original = Parameter(t, original0.requires_grad) \
            if isinstance(original0, Parameter) else t
    delattr(module.__class__, tensor_name)
    del module.parametrizations._modules[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__._minidl_parametrized_base
    return module


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def _dim(self, weight) -> int:
        return self.dim if self.dim == -1 else normalize_dims(self.dim, weight.ndim,
                                                              "weight_norm")[0]

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, self._dim(weight_v)))

    def right_inverse(self, weight):
        return norm_except_dim(weight, self._dim(weight)), weight


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Weight normalization as a parametrization (PyTorch's
    ``torch.nn.utils.parametrizations.weight_norm``): ``original0`` is g (the norms),
    ``original1`` is v (the direction), and ``module.<name>`` is g · v / ‖v‖."""
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _namespace() -> types.ModuleType:
    namespace = types.ModuleType(
        "minidl.nn.utils.parametrize",
        "torch.nn.utils.parametrize: register_parametrization and its companions.")
    for name in ("register_parametrization", "remove_parametrizations", "is_parametrized",
                 "cached", "ParametrizationList", "type_before_parametrizations"):
        setattr(namespace, name, globals()[name])
    setattr(namespace, "__all__", [  # noqa: B010  (a module built here)
        "register_parametrization", "remove_parametrizations", "is_parametrized", "cached",
        "ParametrizationList", "type_before_parametrizations"])
    return namespace


parametrize = _namespace()
