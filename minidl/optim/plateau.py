"""``ReduceLROnPlateau``: lower the rate when a watched metric stops improving."""
from __future__ import annotations

import math

from ..ops.arguments import check_number
from .optimizer import Optimizer
from .scheduler_base import LRScheduler, check_integer, check_optimizer


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` when a metric has stopped improving.

    ``step(metric)`` once per epoch.  The metric improves on the best seen so far when
    (mode "min", threshold_mode "rel") ``metric < best * (1 - threshold)``, ("min", "abs")
    ``metric < best - threshold``, ("max", "rel") ``metric > best * (1 + threshold)``,
    ("max", "abs") ``metric > best + threshold``.  After more than ``patience`` epochs
    without improvement each group's rate becomes ``max(lr * factor, min_lr)`` (unless that
    changes it by ``eps`` or less), then ``cooldown`` epochs pass before counting again.

    Unlike the other schedulers it makes no initial step and ignores ``"initial_lr"``.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0.0, eps: float = 1e-8):
        name = "ReduceLROnPlateau"
        check_optimizer(name, optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        check_number(name, "factor", factor, 0, 1, high_open=True)
        check_integer(name, "patience", patience, 0)
        check_number(name, "threshold", threshold, 0)
        check_integer(name, "cooldown", cooldown, 0)
        check_number(name, "eps", eps, 0)
        groups = optimizer.param_groups
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(groups):
                raise ValueError(f"{name}: min_lr has {len(min_lr)} values, the optimizer "
                                 f"has {len(groups)} parameter groups")
            for index, value in enumerate(min_lr):
                check_number(name, f"min_lr[{index}]", value, 0)
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            check_number(name, "min_lr", min_lr, 0)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(groups)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = self._current_lrs()

    def is_better(self, metric: float) -> bool:
        """Whether ``metric`` improves on ``self.best`` by more than the threshold."""
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            bound = self.best * (1 - self.threshold) if relative else self.best - self.threshold
            return metric < bound
        bound = self.best * (1 + self.threshold) if relative else self.best + self.threshold
        return metric > bound

    def step(self, metrics) -> None:  # type: ignore[override]  # PyTorch's signature
        """Record one epoch's metric (a number or a one-element tensor)."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError("ReduceLROnPlateau.step: metrics must be a number or a "
                            f"one-element tensor, got {metrics!r}") from None
        self.last_epoch += 1
        if self.is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                                   f"parameter groups but min_lr lists {len(self.min_lrs)}; "
                                   "set scheduler.min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
