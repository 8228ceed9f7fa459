"""Weight normalization (Salimans & Kingma, 2016): W = g · v / ‖v‖, a direction v and a
length g learned separately (PyTorch's ``torch.nn.utils.weight_norm`` hook form).

``weight_norm(module, name, dim)`` replaces the parameter ``<name>`` by ``<name>_g`` (the
norms, of the weight's shape with every dimension but ``dim`` of size 1) and ``<name>_v``
(the weight itself); a forward pre-hook recomputes ``module.<name> = v · g / ‖v‖`` before
each forward pass, the norm taken over every dimension but ``dim``.  ``dim=None`` (PyTorch
then uses -1, which here means no dimension, not the last) takes one norm over the whole
tensor, and g is 0-d.
"""
from __future__ import annotations

from ...ops.arguments import normalize_dims
from ...tensor import Tensor
from ..parameter import Parameter


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (kept, size 1), or over the
    whole of ``v`` (0-d) for dim = -1."""
    if dim == -1:
        return v.norm()
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.norm(2, others, keepdim=True) if others else v.abs()


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g``, ``_v``."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, dim

    def compute_weight(self, module) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        for suffix in ("", "_g", "_v"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Apply weight normalization to ``module.<name>`` and return ``module``."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on the "
                               f"same parameter {name!r}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"weight_norm: {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = -1
    elif dim != -1:
        dim = normalize_dims(dim, weight.ndim, "weight_norm")[0]
    hook = WeightNorm(name, dim)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo ``weight_norm``: ``module.<name>`` becomes one plain parameter again."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of {name!r} not found in {module}")
