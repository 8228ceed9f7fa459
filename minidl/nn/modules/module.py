"""``Module``: the base class of every layer and model.

A Module owns Parameters (learnable tensors), buffers (state that is saved but not
learned, like batch-norm running statistics) and child Modules, all found by attribute
assignment: ``self.fc = Linear(3, 4)`` registers a child.  From these it derives
``parameters()``, ``state_dict()``, ``train()``/``eval()`` and ``to(device)``.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.hooks import RemovableHandle
from ...backend import normalize_device, to_device
from ...compat.missing import NotImplementedInMinidl
from ...memory_format import check_memory_format
from ...tensor import Tensor
from ..parameter import Parameter
from .hooks import (
    register_hook,
    run_forward_hooks,
    run_forward_pre_hooks,
    run_with_backward_hooks,
)

TORCH_MODULE_METHODS_MISSING = frozenset({
    "bfloat16", "compile", "get_extra_state", "set_extra_state", "ipu", "mtia", "xpu",
    "register_backward_hook", "register_load_state_dict_post_hook",
    "register_load_state_dict_pre_hook", "register_state_dict_post_hook",
    "register_state_dict_pre_hook", "set_submodule", "share_memory", "to_empty", "type"})
"""``torch.nn.Module`` methods minidl lacks: asking for one ends in one line saying so
(any other missing name is Python's usual AttributeError: most are typos in the user's
own attributes)."""


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and those it did not
    know; printed as PyTorch prints it when both are empty."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _check_registered_kind(module, name: str, value) -> None:
    """PyTorch's TypeError for a value that cannot replace a registered parameter, child
    module or buffer (a plain tensor over a parameter would silently leave training)."""
    kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
    if name in module._parameters and not (value is None or isinstance(value, Parameter)):
        raise TypeError(f"cannot assign '{kind}' as parameter '{name}' "
                        "(torch.nn.Parameter or None expected)")
    if name in module._modules and not (value is None or isinstance(value, Module)):
        raise TypeError(f"cannot assign '{kind}' as child module '{name}' "
                        "(torch.nn.Module or None expected)")
    if name in module._buffers and not (value is None or isinstance(value, Tensor)):
        raise TypeError(f"cannot assign '{kind}' as buffer '{name}' "
                        "(torch.Tensor or None expected)")


class Module:
    """Subclass, create layers in ``__init__`` and write ``forward``; call the module itself."""

    training: bool

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # -- registration by attribute assignment ------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 f"assigning {name!r}")
        if name in self._buffers and (value is None or isinstance(value, Tensor)):
            self._buffers[name] = value
            return
        _check_registered_kind(self, name, value)
        if value is None and (name in self._parameters or name in self._modules):
            (self._parameters if name in self._parameters else self._modules)[name] = None
            return
        target = self._parameters if isinstance(value, Parameter) else \
            self._modules if isinstance(value, Module) else None
        for table in (self._parameters, self._buffers, self._modules):
            if table is not target:  # a name re-assigned keeps its place in the order
                table.pop(name, None)
        if target is None:
            object.__setattr__(self, name, value)
            return
        target[name] = value
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: look in the registries.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        if name in TORCH_MODULE_METHODS_MISSING:
            raise NotImplementedInMinidl(f"torch.nn.Module.{name}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            self._parameters[name] = None
            self.__dict__.pop(name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register state that is saved in ``state_dict`` (if persistent) but not learned."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        if module is None:
            self._modules[name] = None
        else:
            setattr(self, name, module)

    # -- calling ------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        backward_hooks = self._backward_hooks or self._backward_pre_hooks
        if not (self._forward_pre_hooks or self._forward_hooks or backward_hooks):
            return self.forward(*args, **kwargs)
        args, kwargs = run_forward_pre_hooks(self, args, kwargs)
        output = (run_with_backward_hooks(self, args, kwargs) if backward_hooks
                  else self.forward(*args, **kwargs))
        return run_forward_hooks(self, args, kwargs, output)

    # -- hooks (see .hooks) --------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` before each forward; may return new args.  With
        ``with_kwargs``: ``hook(module, args, kwargs)``, which may return (args, kwargs);
        ``prepend`` runs it before the hooks registered earlier."""
        return register_hook(self, self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` after each forward; may return a new output.
        With ``with_kwargs``: ``hook(module, args, kwargs, output)``; ``prepend`` runs it
        before the hooks registered earlier."""
        if always_call:
            raise NotImplementedError("register_forward_hook: always_call=True (a hook run "
                                      "when forward raises) is not implemented")
        return register_hook(self, self._forward_hooks, hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradient with respect to the output is
        known; may return a new grad_output."""
        return RemovableHandle(self._backward_pre_hooks, hook)

    def register_full_backward_hook(self, hook) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` when the gradients with respect to the
        positional inputs are known (None for inputs that need none); may return a new
        grad_input."""
        return RemovableHandle(self._backward_hooks, hook)

    # -- walking the tree ----------------------------------------------------------------
    def named_modules(self, prefix: str = "", memo: set | None = None):
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self):
        return (module for _, module in self.named_modules())

    def named_children(self):
        return ((name, m) for name, m in self._modules.items() if m is not None)

    def children(self):
        return (module for _, module in self.named_children())

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True):
        seen = set()
        modules = (self.named_modules(prefix) if recurse else [(prefix, self)]) \
            if remove_duplicate else self._all_named_modules(prefix, recurse)
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def _all_named_modules(self, prefix: str, recurse: bool):
        """Every (name, module) path, a module shared by two layers under both names."""
        yield prefix, self
        if recurse:
            for name, child in self.named_children():
                yield from child._all_named_modules(f"{prefix}.{name}" if prefix else name,
                                                    True)

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        """(name, Parameter) pairs; a parameter shared by two layers appears once (under
        every name it has with ``remove_duplicate=False``)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True):
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn) -> Module:
        """Call ``fn`` on every sub-module (children first) and on self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes, gradients, devices -------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm uses and updates batch statistics)."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(): mode must be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.array[...] = 0

    def to(self, device=None, dtype=None, non_blocking: bool = False, *,
           memory_format=None) -> Module:
        """Move (and/or cast) every parameter and buffer in place; returns self.
        ``non_blocking`` and ``memory_format`` change nothing (minidl copies at once and
        keeps one layout)."""
        check_memory_format(memory_format, "Module.to")
        if device is not None and not isinstance(device, str):
            device, dtype = None, device
        target = normalize_device(device) if device is not None else None
        for module in self.modules():
            for table in (module._parameters, module._buffers):
                for value in table.values():
                    if value is None:
                        continue
                    array = value.array
                    if target is not None:
                        array = to_device(array, target)
                    if dtype is not None and array.dtype.kind == "f":
                        array = array.astype(dtype)
                    value.array = array
                    if value.grad is not None:
                        value.grad = None
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    # -- reaching a member by its dotted name ---------------------------------------------
    def get_submodule(self, target: str) -> Module:
        """The module at ``target`` ("encoder.0.conv"; "" is self)."""
        module = self
        for i, name in enumerate(target.split(".") if target else []):
            child = module._modules.get(name)
            if child is None:
                where = ".".join(target.split(".")[:i]) or type(self).__name__
                raise AttributeError(f"get_submodule: {where} has no submodule {name!r} "
                                     f"(looking for {target!r})")
            module = child
        return module

    def _member(self, target: str, table: str, kind: str):
        owner_name, _, name = target.rpartition(".")
        owner = self.get_submodule(owner_name)
        value = getattr(owner, table).get(name)
        if value is None:
            raise AttributeError(f"get_{kind}: {owner_name or type(self).__name__} has no "
                                 f"{kind} {name!r}")
        return value

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at ``target`` ("encoder.0.weight")."""
        return self._member(target, "_parameters", "parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at ``target`` ("bn.running_mean")."""
        return self._member(target, "_buffers", "buffer")

    register_module = add_module

    # -- state ----------------------------------------------------------------------------
    def state_dict(self, *, destination=None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name, as detached tensors that
        share memory with the module (the Parameters themselves with ``keep_vars``), into
        ``destination`` if given."""
        state: OrderedDict = OrderedDict() if destination is None else destination
        self._add_state(state, prefix.rstrip("."), keep_vars)
        return state

    def _add_state(self, state: OrderedDict, prefix: str, keep_vars: bool = False) -> None:
        """This module's entries of ``state_dict`` under ``prefix``, then its children's: a
        module reached along two paths (shared by two layers) has its entries under both
        names, as in PyTorch."""
        for table in ("_parameters", "_buffers"):
            for name, value in getattr(self, table).items():
                if value is not None and name not in self._non_persistent:
                    state[f"{prefix}.{name}" if prefix else name] = \
                        value if keep_vars else value.detach()
        for name, child in self._modules.items():
            if child is not None:
                child._add_state(state, f"{prefix}.{name}" if prefix else name, keep_vars)

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into this module's parameters and buffers (on their devices).

        Keys missing from ``state_dict`` or not known to the module are errors when
        ``strict`` (the default), and are returned otherwise; a shape mismatch is always
        an error naming the key and both shapes.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}")
        own = self.state_dict()
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"Missing key(s) in state_dict: {missing}")
            if unexpected:
                parts.append(f"Unexpected key(s) in state_dict: {unexpected}")
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                               + "; ".join(parts))
        mismatched = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            source = state_dict[key]
            source = source.array if isinstance(source, Tensor) else source
            if tuple(source.shape) != target.shape:
                mismatched.append(f"{key}: checkpoint has shape {tuple(source.shape)}, "
                                  f"model has {target.shape}")
        if mismatched:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                               "size mismatch for " + "; ".join(mismatched))
        with no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(state_dict[key])  # to the target's device and dtype
        return IncompatibleKeys(missing, unexpected)

    # -- printing -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n" + "\n".join(lines) + "\n)"
