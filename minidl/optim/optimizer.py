"""``Optimizer``: what every optimizer shares (PyTorch's structure and state-dict format).

An optimizer holds

- ``param_groups``: a list of dicts, each with ``"params"`` (a list of tensors) and the
  hyper-parameters used for those tensors (``"lr"``, ``"momentum"``, ...).  A value a
  group leaves out comes from ``defaults``, the keyword arguments of the constructor, so
  ``SGD([{"params": body}, {"params": head, "lr": 1e-2}], lr=1e-3)`` trains the head
  ten times faster than the body.
- ``state``: a dict from parameter tensor (hashed by identity) to that parameter's running
  values -- momentum buffers, moment estimates, step counts -- each a tensor of the
  parameter's shape or a number.

``step()`` visits every parameter that has a gradient and lets the subclass's
``update(param, grad, state, group)`` change the raw arrays (``p.array``, ``p.grad.array``)
in place, outside the autograd graph.  The arithmetic goes through the arrays' own
operators and ``array_module``, so the same update runs on NumPy and CuPy arrays.
A parameter whose ``grad`` is ``None`` is skipped (it took no part in the loss).
"""
from __future__ import annotations

import copy
import numbers

from ..autograd.grad_mode import enable_grad
from ..backend import array_module, to_device
from ..tensor import Tensor


def plain_group(group: dict) -> dict:
    """``group`` with 0-d tensor hyper-parameters (PyTorch accepts ``lr=torch.tensor(0.01)``,
    also inside ``betas``) read as Python floats, for the update arithmetic and the range
    checks; the group itself keeps the tensors, as PyTorch's does."""
    def plain(value):
        if isinstance(value, Tensor) and value.ndim == 0:
            return float(value.item())
        if isinstance(value, tuple) and any(isinstance(v, Tensor) for v in value):
            return tuple(plain(v) for v in value)
        return value
    if not any(isinstance(v, Tensor) or (isinstance(v, tuple) and any(
            isinstance(x, Tensor) for x in v)) for k, v in group.items() if k != "params"):
        return group
    return {key: (value if key == "params" else plain(value)) for key, value in group.items()}


def speed_hints(*, foreach=None, differentiable: bool = False, **optional) -> dict:
    """PyTorch's implementation switches (``foreach``, ``differentiable`` and, where the
    optimizer has them, ``fused`` and ``capturable``), stored in the defaults so that
    ``param_groups`` and state dicts carry PyTorch's keys.  minidl has one implementation,
    so they change nothing (``differentiable=True``, which in PyTorch lets autograd run
    through ``step``, is accepted and ignored as well)."""
    if foreach and optional.get("fused"):
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    return dict(foreach=foreach, differentiable=differentiable, **optional)


def state_tensor(array) -> Tensor:
    """Wrap a raw array (a momentum buffer, a moment estimate) as a state tensor."""
    return Tensor._from_array(array)


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step``, ``zero_grad`` and
    state dicts.  A subclass passes its hyper-parameters as ``defaults`` and implements
    ``check_hyperparameters(group)`` and ``update(param, grad, state, group)``."""

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.check_hyperparameters(plain_group(self.defaults))
        self.state: dict = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: params must be an iterable of tensors or of "
                            f"dicts, got a single Tensor of shape {params.shape}; "
                            "pass [tensor]")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"{self._name}: params must be an iterable of tensors or of "
                            f"dicts, got {type(params).__name__}") from None
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines + [")"])

    # -- what a subclass provides -----------------------------------------------------
    def check_hyperparameters(self, group: dict) -> None:
        """Raise ``ValueError`` naming the argument if a hyper-parameter of ``group`` is
        out of range (called on the defaults and on every group added or loaded)."""
        raise NotImplementedError

    def update(self, param, grad, state: dict, group: dict) -> None:
        """Change the raw array ``param`` in place from its gradient ``grad`` (a raw array
        of the same shape; not to be modified), its ``state`` dict and its ``group``."""
        raise NotImplementedError

    def state_keys(self, group: dict) -> set[str]:
        """The entries :meth:`update` expects in a parameter's state once it has one
        (``load_state_dict`` refuses a state without them); none by default."""
        return set()

    # -- parameter groups ---------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, with hyper-parameters that override the defaults
        (the usual way to train a new head faster than a pre-trained body)."""
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: a parameter group must be a dict, got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{self._name}: parameter group {index} has no 'params' key")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(f"{self._name}: the parameters of group {index} are a set, "
                            "whose order changes between runs; use a list")
        else:
            params = list(params)
        for i, param in enumerate(params):
            where = f"parameter {i} of group {index}"
            if not isinstance(param, Tensor):
                raise TypeError(f"{self._name}: {where} is a {type(param).__name__}, "
                                "expected a Tensor")
            if not param.requires_grad:
                raise ValueError(f"{self._name}: {where} (shape {param.shape}) does not "
                                 "require grad; set requires_grad=True or leave it out")
            if not param.is_leaf:
                raise ValueError(f"{self._name}: {where} (shape {param.shape}) is not a "
                                 "leaf tensor; it was computed from others, optimize "
                                 "those instead")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{self._name}: parameter group {index} lists a parameter "
                             "more than once")
        known = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in known for p in params):
            raise ValueError(f"{self._name}: some parameters of group {index} already "
                             "belong to another parameter group")
        group = {**self.defaults, **param_group, "params": params}
        self.check_hyperparameters(plain_group(group))
        self.param_groups.append(group)

    # -- the update -----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set them to ``None`` (default) or fill them with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.array[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient.

        ``closure``, if given, is called first (with gradient recording on) to recompute
        the loss and the gradients; its return value is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group_index, group in enumerate(self.param_groups):
            group = plain_group(group)
            for param_index, param in enumerate(group["params"]):
                if param.grad is None:
                    continue
                grad = self._checked_grad(param, param_index, group_index)
                if group.get("maximize"):  # every optimizer: ascend instead of descend
                    grad = -grad
                state = self.state.get(param, {})
                self.update(param.array, grad, state, group)
                param._bump_version()  # changed in place: a graph that saved it is stale
                if state:  # a parameter gets an entry once it has something to remember
                    self.state[param] = state
        return loss

    def _checked_grad(self, param: Tensor, param_index: int, group_index: int):
        """The raw gradient array of ``param``, after checking it fits the parameter."""
        grad = param.grad
        error: type[Exception] = RuntimeError
        problem = None
        if not isinstance(grad, Tensor):
            error, problem = TypeError, f"is a {type(grad).__name__}, expected a Tensor"
        elif grad.shape != param.shape:
            problem = f"has shape {grad.shape}, expected the parameter's shape {param.shape}"
        elif grad.dtype != param.dtype:
            problem = f"has dtype {grad.dtype}, expected the parameter's dtype {param.dtype}"
        elif grad.device != param.device:
            problem = f"is on '{grad.device}', the parameter on '{param.device}'"
        if problem is not None:
            raise error(f"{self._name}: the grad of parameter {param_index} of group "
                        f"{group_index} {problem}")
        return grad.array

    # -- saving and loading ---------------------------------------------------------------
    def state_dict(self) -> dict:
        """The optimizer's state in PyTorch's format::

            {"state": {0: {"exp_avg": tensor, "step": 3, ...}, 1: {...}, ...},
             "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}, {..., "params": [2]}]}

        Parameters are numbered in group order, so the dict holds no tensor identities and
        loads into an optimizer built the same way around other (e.g. reloaded) tensors.
        The state tensors are the optimizer's own (not copies), as in PyTorch.
        """
        index_of: dict = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of[id(param)] = len(index_of)
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {index_of[id(param)]: dict(values) for param, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Replace the hyper-parameters and the state by copies of those in ``state_dict``.

        The groups must match this optimizer's: as many groups, as many parameters in each,
        and every state tensor must have its parameter's shape.  State tensors (or arrays)
        are copied onto their parameter's device, floating ones in its dtype; a value
        with no dimensions (a step count) becomes a Python number.  Nothing changes if any
        check fails.
        """
        owner = f"{self._name}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        if not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(f"{owner}: expected a dict with keys 'state' and "
                             f"'param_groups', got {sorted(state_dict)}")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{owner}: the state dict has {len(saved_groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        param_of: dict = {}
        new_groups = []
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            saved_params = list(saved.get("params", []))
            if len(saved_params) != len(group["params"]):
                raise ValueError(f"{owner}: parameter group {index} has "
                                 f"{len(saved_params)} parameters in the state dict, "
                                 f"{len(group['params'])} in this optimizer")
            param_of.update(zip((int(i) for i in saved_params), group["params"]))
            hyperparameters = {key: copy.deepcopy(value) for key, value in saved.items()
                               if key != "params"}
            new_group = {**self.defaults, **hyperparameters, "params": group["params"]}
            self.check_hyperparameters(plain_group(new_group))
            new_groups.append(new_group)
        new_state = {}
        group_of = {id(param): group for group in new_groups for param in group["params"]}
        for index, values in state_dict["state"].items():
            param = param_of.get(int(index))
            if param is None:
                raise ValueError(f"{owner}: the state dict has state for parameter "
                                 f"{index}, which none of its parameter groups lists")
            self._check_state_keys(owner, index, values, group_of[id(param)])
            new_state[param] = {key: self._loaded_state_value(owner, param, index, key,
                                                              value)
                                for key, value in values.items()}
        self.param_groups = new_groups
        self.state = new_state

    def _check_state_keys(self, owner: str, index, values: dict, group: dict) -> None:
        missing = self.state_keys(group) - set(values)
        if values and missing:
            raise ValueError(f"{owner}: the state of parameter {index} has no "
                             f"{', '.join(map(repr, sorted(missing)))} (it has "
                             f"{sorted(values)}); {self._name} with these settings keeps "
                             f"{sorted(self.state_keys(group))} (a state dict of another "
                             "optimizer or of other settings?)")

    @staticmethod
    def _loaded_state_value(owner: str, param: Tensor, index, key: str, value):
        """A copy of one saved state value, made to fit ``param`` (device, dtype)."""
        if isinstance(value, Tensor):
            value = value.array
        if isinstance(value, numbers.Number):
            return value.item() if hasattr(value, "item") else value
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            raise TypeError(f"{owner}: state '{key}' of parameter {index} is a "
                            f"{type(value).__name__}, expected a tensor, an array or a "
                            "number")
        if value.ndim == 0:
            return value.item()
        if tuple(value.shape) != param.shape:
            raise ValueError(f"{owner}: state '{key}' of parameter {index} has shape "
                             f"{tuple(value.shape)}, the parameter has shape {param.shape}")
        array = to_device(value, param.device)
        dtype = param.dtype if array.dtype.kind == "f" else array.dtype
        return state_tensor(array_module(array).array(array, dtype=dtype, copy=True))
