"""``CyclicLR``: cyclical learning rates (Smith, 2015), stepped once per batch."""
from __future__ import annotations

import math

from ..ops.arguments import check_number
from .cycle_momentum import set_momentum, start_momentum
from .optimizer import Optimizer
from .scheduler_base import (
    LRScheduler,
    check_optimizer,
    function_state,
    per_group,
    restore_function_state,
)


class CyclicLR(LRScheduler):
    """Cycle the rate between ``base_lr`` and ``max_lr`` (and the momentum the other way,
    between ``max_momentum`` and ``base_momentum``) along triangles of ``step_size_up``
    rising then ``step_size_down`` falling steps.  At step t, with
    ``size = step_size_up + step_size_down`` and ``ratio = step_size_up / size``::

        cycle = floor(1 + t / size),   x = 1 + t / size - cycle
        scale = x / ratio  if x <= ratio  else  (x - 1) / (ratio - 1)
        lr = base_lr + (max_lr - base_lr) * scale * f
        momentum = max_momentum - (max_momentum - base_momentum) * scale * f

    where f is ``scale_fn(cycle)`` or ``scale_fn(t)`` (``scale_mode`` "cycle" or
    "iterations"); the modes set it: "triangular" f = 1, "triangular2" f = 1 / 2^(cycle-1),
    "exp_range" f = gamma^t.  A user's ``scale_fn`` overrides ``mode``; only a callable
    object's attributes are saved in the state dict.
    """

    _not_saved = ("optimizer", "_scale_fn_custom")

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum=0.8, max_momentum=0.9,
                 last_epoch: int = -1):
        name = "CyclicLR"
        check_optimizer(name, optimizer)
        base_lrs = per_group(name, "base_lr", optimizer, base_lr)
        self.max_lrs = per_group(name, "max_lr", optimizer, max_lr)
        check_number(name, "step_size_up", step_size_up, 0, low_open=True)
        if step_size_down is not None:
            check_number(name, "step_size_down", step_size_down, 0, low_open=True)
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(f"{name}: mode must be 'triangular', 'triangular2' or "
                             f"'exp_range' (or give scale_fn), got {mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{name}: scale_fn must be callable, got "
                            f"{type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"{name}: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        check_number(name, "gamma", gamma, 0, low_open=True)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = start_momentum(
                name, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x) -> float:
        """The amplitude's scale at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale = x / self.step_ratio
        else:
            scale = (x - 1) / (self.step_ratio - 1)
        factor = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale * factor
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                set_momentum(group, high - (high - low) * scale * factor, self.use_beta1)
        return lrs

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["_scale_fn_custom"] = function_state(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        restore_function_state(self._scale_fn_custom, state_dict["_scale_fn_custom"])
