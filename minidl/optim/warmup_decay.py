"""Schedules that change the rate for ``total_iters`` epochs and then hold it: the
warm-ups ``ConstantLR`` and ``LinearLR`` and the decay ``PolynomialLR``.

Each computes the next rate from the current one (PyTorch's recursive form), so it
composes with other schedules (``ChainedScheduler``); ``step(epoch)`` uses the closed
form given in each docstring.
"""
from __future__ import annotations

from ..ops.arguments import check_number
from .optimizer import Optimizer
from .scheduler_base import LRScheduler


class ConstantLR(LRScheduler):
    """Multiply the rate by ``factor`` until epoch ``total_iters``, then restore it::

        lr_t = base_lr * factor    for t < total_iters,    base_lr afterwards
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        check_number("ConstantLR", "factor", factor, 0, 1)
        check_number("ConstantLR", "total_iters", total_iters, 0)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr * (1.0 / self.factor) for lr in lrs]

    def _closed_form_lr(self) -> list:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * factor for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Move the rate's factor linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then hold it::

        lr_t = base_lr * (start + (end - start) * min(t, total_iters) / total_iters)

    computed recursively: ``lr_t = lr_{t-1} * (1 + (end - start) / (total_iters * start
    + (t - 1) * (end - start)))``.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1):
        check_number("LinearLR", "start_factor", start_factor, 0, 1, low_open=True)
        check_number("LinearLR", "end_factor", end_factor, 0, 1)
        check_number("LinearLR", "total_iters", total_iters, 0, low_open=True)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor
                                + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in lrs]

    def _closed_form_lr(self) -> list:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [base_lr * factor for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the rate to 0 over ``total_iters`` epochs along a polynomial, then hold it::

        lr_t = base_lr * (1 - min(t, total_iters) / total_iters) ** power

    computed recursively: ``lr_t = lr_{t-1} * ((1 - t / total_iters)
    / (1 - (t - 1) / total_iters)) ** power``.
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        check_number("PolynomialLR", "total_iters", total_iters, 0, low_open=True)
        check_number("PolynomialLR", "power", power, 0)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        lrs = self._current_lrs()
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        t, total = self.last_epoch, self.total_iters
        decay = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay for lr in lrs]

    def _closed_form_lr(self) -> list:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * left ** self.power for base_lr in self.base_lrs]
