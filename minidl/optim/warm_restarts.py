"""``CosineAnnealingWarmRestarts``: cosine annealing that restarts from the base rate
(SGDR, Loshchilov and Hutter, 2016)."""
from __future__ import annotations

import math

from ..ops.arguments import check_number
from .optimizer import Optimizer
from .scheduler_base import LRScheduler, check_integer


class CosineAnnealingWarmRestarts(LRScheduler):
    """Half a cosine from ``base_lr`` to ``eta_min`` over ``T_i`` epochs, then a restart::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``T_cur`` counts the epochs since the last restart; the first period is ``T_0``
    epochs and each next one ``T_mult`` times longer.  ``step(epoch)`` may be given a
    fractional epoch (``epoch + batch / batches``, to anneal within an epoch)::

        T_mult = 1:   T_cur = epoch mod T_0
        T_mult > 1:   n = floor(log_{T_mult}(epoch / T_0 * (T_mult - 1) + 1)),
                      T_cur = epoch - T_0 * (T_mult^n - 1) / (T_mult - 1),  T_i = T_0 T_mult^n
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        name = "CosineAnnealingWarmRestarts"
        check_integer(name, "T_0", T_0, 1)
        check_integer(name, "T_mult", T_mult, 1)
        check_number(name, "eta_min", eta_min, 0)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        factor = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * factor for base_lr in self.base_lrs]

    def step(self, epoch=None) -> None:
        """Move to the next epoch, or to ``epoch`` (a number >= 0, fractions allowed)."""
        self._check_groups()
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            check_number("CosineAnnealingWarmRestarts.step", "epoch", epoch, 0)
            self._move_to(epoch)
        self.last_epoch = math.floor(epoch)
        self._set_lrs(self.get_lr())

    def _move_to(self, epoch) -> None:
        """Set ``T_cur`` and ``T_i`` for an epoch given to ``step``."""
        if epoch < self.T_0:
            self.T_i = self.T_0
            self.T_cur = epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult ** n
