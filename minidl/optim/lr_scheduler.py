"""Learning-rate schedules: change each parameter group's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch, after that epoch's optimizer steps::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, optimizer)
        scheduler.step()

``ReduceLROnPlateau`` instead watches a metric: ``scheduler.step(validation_loss)``.
``CyclicLR`` and ``OneCycleLR`` step once per batch.

As in PyTorch, the schedules compute the next rate from the current one (their recursive
form), so their values match PyTorch's to the last bit.  Building a scheduler performs an
initial step to epoch 0 and records each group's starting rate as ``"initial_lr"`` (the
``base_lrs``).  ``state_dict()`` holds every attribute but the optimizer; save and load it
beside the optimizer's.

This module is PyTorch's ``torch.optim.lr_scheduler``: it holds the per-epoch schedules
and gathers the others from their own modules (the base class in ``scheduler_base``,
``warmup_decay``, ``warm_restarts``, ``cyclic``, ``one_cycle``, ``combined``,
``plateau``).
"""
from __future__ import annotations

import math
from bisect import bisect_right

from ..ops.arguments import check_number
from .combined import ChainedScheduler, SequentialLR
from .cyclic import CyclicLR
from .one_cycle import OneCycleLR
from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau
from .scheduler_base import FunctionScheduler, LRScheduler, check_integer
from .warm_restarts import CosineAnnealingWarmRestarts
from .warmup_decay import ConstantLR, LinearLR, PolynomialLR

_LRScheduler = LRScheduler  # PyTorch's old name, still subclassed by many programs

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
           "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
           "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "SequentialLR",
           "ChainedScheduler", "ReduceLROnPlateau"]


class LambdaLR(FunctionScheduler):
    """``lr = base_lr * lr_lambda(epoch)``; one function for all groups or one per group.

    Only callable objects (not plain functions or lambdas) have their attributes saved in
    the state dict; the functions themselves are never saved.
    """

    def get_lr(self) -> list:
        return [base_lr * function(self.last_epoch)
                for function, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(FunctionScheduler):
    """Multiply the rate by ``lr_lambda(epoch)`` at every epoch after the first:
    ``lr_t = lr_{t-1} * lr_lambda(t)``; one function for all groups or one per group."""

    def get_lr(self) -> list:
        if self._is_initial:
            return self._current_lrs()
        return [lr * function(self.last_epoch)
                for function, lr in zip(self.lr_lambdas, self._current_lrs())]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs:
    ``lr = base_lr * gamma ** (epoch // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1):
        check_integer("StepLR", "step_size", step_size, 1)
        check_number("StepLR", "gamma", gamma, 0, low_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _closed_form_lr(self) -> list:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones`` (by
    ``gamma ** k`` where an epoch is listed k times)."""

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1,
                 last_epoch: int = -1):
        milestones = list(milestones)
        for index, milestone in enumerate(milestones):
            check_integer("MultiStepLR", f"milestones[{index}]", milestone, 0)
        check_number("MultiStepLR", "gamma", gamma, 0, low_open=True)
        self.milestones = sorted(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        times = self.milestones.count(self.last_epoch)
        if times == 0:
            return lrs
        return [lr * self.gamma ** times for lr in lrs]

    def _closed_form_lr(self) -> list:
        times = bisect_right(self.milestones, self.last_epoch)
        return [base_lr * self.gamma ** times for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr = base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        check_number("ExponentialLR", "gamma", gamma, 0, low_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self._is_initial:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _closed_form_lr(self) -> list:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs,
    then back up over the next ``T_max``, and so on::

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    computed recursively, as PyTorch does, from the previous rate::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max))
                                               / (1 + cos(pi (t - 1) / T_max))

    except at the bottom of each valley (t - 1 = T_max, 3 T_max, ...), where the
    denominator is 0 and the rate grows by ``(base_lr - eta_min) (1 - cos(pi / T_max)) / 2``.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1):
        check_integer("CosineAnnealingLR", "T_max", T_max, 1)
        check_number("CosineAnnealingLR", "eta_min", eta_min, 0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return lrs
        if (t - 1 - period) % (2 * period) == 0:
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base_lr - eta_min) * rise for lr, base_lr in zip(lrs, self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in lrs]

    def _closed_form_lr(self) -> list:
        factor = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * factor for base_lr in self.base_lrs]
